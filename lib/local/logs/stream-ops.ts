import type { IndexKey } from '../storage/ordered-index';
import { flag, groupOf, integer, requiredText, text, type Run } from './context';
import { alreadyExists, invalidParameter, streamNotFound } from './faults';
import { refuseIfProtected } from './group-ops';
import { decodeToken, encodeToken } from './tokens';

/** The sequence token PutLogEvents returns (and ignores when it is sent back), per stream. */
export const sequenceToken = (streamId: number, puts: number): string =>
  `${String(streamId).padStart(20, '0')}${String(puts).padStart(36, '0')}`;

/** Log streams: create, list, delete. */
export const STREAM_OPERATIONS = {
  CreateLogStream: (ctx, body) => {
    const group = ctx.logs.resolveGroup(ctx.tx, ctx.region, requiredText(body, 'logGroupName'));
    const name = requiredText(body, 'logStreamName');
    if (ctx.logs.stream(ctx.tx, group, name) !== undefined) {
      throw alreadyExists('The specified log stream already exists: write to it with PutLogEvents.');
    }
    ctx.logs.putStream(ctx.tx, {
      id: ctx.logs.nextId(),
      groupId: group.id,
      name,
      createdAt: ctx.now(),
      puts: 0,
    });
    return {};
  },

  DescribeLogStreams: (ctx, body) => {
    const group = groupOf(ctx, body);
    const prefix = text(body, 'logStreamNamePrefix');
    const order = text(body, 'orderBy') === 'LastEventTime' ? 'LastEventTime' : 'LogStreamName';
    if (order === 'LastEventTime' && prefix !== undefined) {
      throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix: drop one of them.');
    }
    const descending = flag(body, 'descending') ?? false;
    const limit = integer(body, 'limit') ?? 50;
    const token = text(body, 'nextToken');
    let after: IndexKey | undefined;
    if (token !== undefined) after = decodeToken(token, 'streams').position;
    // A prefix seeks to its range: [prefix] sorts before its first name and, as names have at
    // most 512 characters, the prefix followed by 512 U+FFFF after its last.
    else if (prefix !== undefined) after = descending ? [prefix + '\uffff'.repeat(512)] : [prefix];
    const logStreams: Record<string, unknown>[] = [];
    let last: IndexKey | undefined;
    let more = false;
    for (const stream of ctx.logs.streamsOf(group, order, descending, after)) {
      if (prefix !== undefined && !stream.name.startsWith(prefix)) {
        // Ascending, names past the prefix end the search; descending, they come before it.
        if (!descending || stream.name < prefix) break;
        continue;
      }
      if (logStreams.length === limit) {
        more = true;
        break;
      }
      logStreams.push({
        logStreamName: stream.name,
        creationTime: stream.createdAt,
        ...(stream.firstEventTimestamp === undefined
          ? {}
          : {
              firstEventTimestamp: stream.firstEventTimestamp,
              lastEventTimestamp: stream.lastEventTimestamp,
              lastIngestionTime: stream.lastIngestionTime,
            }),
        uploadSequenceToken: sequenceToken(stream.id, stream.puts),
        arn: ctx.logs.streamArn(group, stream),
        // Reported as zero for log streams since 2019, as the reference says.
        storedBytes: 0,
      });
      last = stream.position;
    }
    return {
      logStreams,
      ...(more && last !== undefined
        ? {
            nextToken: encodeToken({
              kind: 'streams',
              direction: descending ? 'b' : 'f',
              position: last,
              inclusive: false,
            }),
          }
        : {}),
    };
  },

  DeleteLogStream: (ctx, body) => {
    const group = ctx.logs.resolveGroup(ctx.tx, ctx.region, requiredText(body, 'logGroupName'));
    const stream = ctx.logs.stream(ctx.tx, group, requiredText(body, 'logStreamName'));
    if (stream === undefined) throw streamNotFound();
    refuseIfProtected(group, 'DeleteLogStream');
    ctx.logs.deleteStream(ctx.tx, stream);
    return {};
  },
} satisfies Record<string, Run>;
