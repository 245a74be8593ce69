import type { Body } from '../wire';
import { requiredText, type LogsContext, type Run } from './context';
import { invalidParameter } from './faults';
import { sequenceToken } from './stream-ops';
import { EVENT_OVERHEAD, EventBatch } from './store';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** PutLogEvents' limits, as the API reference states them. */
export const PUT_LIMITS = {
  /** Bytes of a batch: the messages in UTF-8 plus {@link EVENT_OVERHEAD} per event (also one event's limit). */
  batchBytes: 1_048_576,
  /** Events of a batch (the shape's list length). */
  batchEvents: 10_000,
  /** The span from a batch's first to its last accepted event. */
  spanMs: 24 * HOUR_MS,
  /** Events older than this are rejected (tooOldLogEventEndIndex). */
  maxAgeMs: 14 * DAY_MS,
  /** Events further than this in the future are rejected (tooNewLogEventStartIndex). */
  maxAheadMs: 2 * HOUR_MS,
} as const;

interface InputEvent {
  readonly timestamp: number;
  readonly message: string;
}

function putLogEvents(ctx: LogsContext, body: Body): object {
  const group = ctx.logs.resolveGroup(ctx.tx, ctx.region, requiredText(body, 'logGroupName'));
  const stream = ctx.logs.resolveStream(ctx.tx, group, requiredText(body, 'logStreamName'));
  const events = (body.logEvents ?? []) as readonly InputEvent[];
  let total = 0;
  for (const event of events) {
    const size = Buffer.byteLength(event.message, 'utf8') + EVENT_OVERHEAD;
    if (size > PUT_LIMITS.batchBytes) {
      throw invalidParameter(
        `Log event too large: ${size} bytes exceeds limit of ${PUT_LIMITS.batchBytes} (the message in UTF-8 plus ${EVENT_OVERHEAD}): split the message.`,
      );
    }
    total += size;
  }
  if (total > PUT_LIMITS.batchBytes) {
    throw invalidParameter(
      `Upload too large: ${total} bytes exceeds limit of ${PUT_LIMITS.batchBytes} (messages in UTF-8 plus ${EVENT_OVERHEAD} per event): send fewer events per call.`,
    );
  }
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.timestamp < events[i - 1]!.timestamp) {
      throw invalidParameter(
        `Log events in a single PutLogEvents request must be in chronological order: event ${i} is older than event ${i - 1}.`,
      );
    }
  }
  // In chronological order, the rejected events are a prefix (too old, expired) and a suffix (too new).
  const now = ctx.now();
  const count = (before: number) => {
    let end = 0;
    while (end < events.length && events[end]!.timestamp < before) end++;
    return end;
  };
  const tooOldEnd = count(now - PUT_LIMITS.maxAgeMs);
  const expiredEnd = group.retentionInDays === undefined ? 0 : count(now - group.retentionInDays * DAY_MS);
  let tooNewStart = events.length;
  while (tooNewStart > 0 && events[tooNewStart - 1]!.timestamp > now + PUT_LIMITS.maxAheadMs) tooNewStart--;
  const start = Math.max(tooOldEnd, expiredEnd);
  const accepted = events.slice(start, Math.max(start, tooNewStart));
  const first = accepted[0];
  const last = accepted[accepted.length - 1];
  if (first !== undefined && last !== undefined && last.timestamp - first.timestamp > PUT_LIMITS.spanMs) {
    throw invalidParameter(
      'The batch of log events in a single PutLogEvents request cannot span more than 24 hours: split it by time.',
    );
  }
  let puts = stream.puts;
  if (first !== undefined && last !== undefined) {
    ctx.logs.addBatch(
      ctx.tx,
      EventBatch.of(
        { id: ctx.logs.nextId(), groupId: group.id, streamId: stream.id, ingestedAt: now },
        accepted,
      ),
    );
    puts += 1;
    ctx.logs.putStream(ctx.tx, {
      ...stream,
      firstEventTimestamp: Math.min(stream.firstEventTimestamp ?? first.timestamp, first.timestamp),
      lastEventTimestamp: Math.max(stream.lastEventTimestamp ?? last.timestamp, last.timestamp),
      lastIngestionTime: now,
      puts,
    });
  }
  const rejected = {
    ...(tooNewStart < events.length ? { tooNewLogEventStartIndex: tooNewStart } : {}),
    ...(tooOldEnd > 0 ? { tooOldLogEventEndIndex: tooOldEnd } : {}),
    ...(expiredEnd > 0 ? { expiredLogEventEndIndex: expiredEnd } : {}),
  };
  return {
    // Sequence tokens are ignored nowadays; the deprecated field is still filled in.
    nextSequenceToken: sequenceToken(stream.id, puts),
    ...(Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {}),
  };
}

/** Writing events. */
export const PUT_OPERATIONS = { PutLogEvents: putLogEvents } satisfies Record<string, Run>;
