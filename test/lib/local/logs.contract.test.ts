import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  ValidationException,
  paginateDescribeLogGroups,
  paginateGetLogEvents,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateKeyCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

const NOW = Date.UTC(2026, 2, 1, 12);
const MINUTE = 60_000;
const DAY = 86_400_000;

let local: LocalFixture;
let logs: CloudWatchLogsClient;
let clock = NOW;
let n = 0;

beforeAll(async () => {
  local = await startLocal({ now: () => clock });
  logs = local.logs();
});
afterAll(() => local.endpoint.close());
afterEach(() => {
  clock = NOW;
});

/** A new group with one stream; returns their names. */
async function newStream(stream = 'app'): Promise<{ group: string; stream: string }> {
  const group = `/keystage/test-${++n}`;
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  return { group, stream };
}

async function put(group: string, stream: string, events: Array<[number, string]>) {
  return logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: stream,
      logEvents: events.map(([timestamp, message]) => ({ timestamp, message })),
    }),
  );
}

const messages = (events: Array<{ message?: string }> | undefined) => (events ?? []).map((e) => e.message);

describe('local CloudWatch Logs groups, through the real SDK', () => {
  it('creates a group and describes it with its ARNs, class, retention and stored bytes', async () => {
    const { group, stream } = await newStream();
    await put(group, stream, [[NOW, 'héllo']]);
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 30 }));
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
    expect(logGroups).toEqual([
      {
        logGroupName: group,
        creationTime: NOW,
        retentionInDays: 30,
        metricFilterCount: 0,
        arn: `arn:aws:logs:us-east-1:000000000000:log-group:${group}:*`,
        logGroupArn: `arn:aws:logs:us-east-1:000000000000:log-group:${group}`,
        storedBytes: 6,
        logGroupClass: 'STANDARD',
        deletionProtectionEnabled: false,
      },
    ]);
  });

  it('refuses a second group of the same name with ResourceAlreadyExistsException', async () => {
    const { group } = await newStream();
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: group }))).rejects.toBeInstanceOf(
      ResourceAlreadyExistsException,
    );
  });

  it('keeps groups apart per Region', async () => {
    const { group } = await newStream();
    const west = local.logs('us-west-2');
    const { logGroups } = await west.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
    expect(logGroups).toEqual([]);
    await expect(west.send(new CreateLogGroupCommand({ logGroupName: group }))).resolves.toBeDefined();
  });

  it('refuses names under aws/, which AWS reserves', async () => {
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: 'aws/mine' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('reserved for AWS'),
    });
  });

  it('takes an enabled symmetric KMS key of the Region as kmsKeyId and refuses others', async () => {
    const kms = local.kms();
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const group = `/keystage/kms-${++n}`;
    await logs.send(new CreateLogGroupCommand({ logGroupName: group, kmsKeyId: KeyMetadata!.Arn }));
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
    expect(logGroups?.[0]?.kmsKeyId).toBe(KeyMetadata!.Arn);

    await kms.send(new DisableKeyCommand({ KeyId: KeyMetadata!.KeyId }));
    for (const kmsKeyId of [
      KeyMetadata!.Arn,
      KeyMetadata!.KeyId,
      'arn:aws:kms:us-east-1:000000000000:key/nope',
    ]) {
      await expect(
        logs.send(new CreateLogGroupCommand({ logGroupName: `${group}-x`, kmsKeyId })),
      ).rejects.toBeInstanceOf(InvalidParameterException);
    }
  });

  it('pages DescribeLogGroups by name within a prefix, each group once', async () => {
    const prefix = `/paged-${++n}/`;
    const names = Array.from({ length: 7 }, (_, i) => `${prefix}${String.fromCharCode(103 - i)}`);
    for (const name of names) await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: `/paged-${n}x` }));
    const seen: string[] = [];
    const pages: number[] = [];
    for await (const page of paginateDescribeLogGroups(
      { client: logs, pageSize: 3 },
      { logGroupNamePrefix: prefix },
    )) {
      pages.push(page.logGroups?.length ?? 0);
      seen.push(...(page.logGroups ?? []).map((g) => g.logGroupName!));
    }
    expect(seen).toEqual([...names].sort());
    expect(pages).toEqual([3, 3, 1]);
  });

  it('finds groups by a case-sensitive substring pattern, answering name, ARN and creation time only', async () => {
    const base = `/pattern-${++n}`;
    for (const name of [`${base}/DataLogs`, `${base}/GroupDataLogs`, `${base}/datalogs`]) {
      await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
    }
    const { logGroups } = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePattern: `${base.slice(1)}/DataLogs` }),
    );
    expect(logGroups).toEqual([
      { logGroupName: `${base}/DataLogs`, creationTime: NOW, arn: expect.stringMatching(/:\*$/) },
    ]);
  });

  it('refuses a prefix with a pattern, and a token it did not write', async () => {
    await expect(
      logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'a', logGroupNamePattern: 'b' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(logs.send(new DescribeLogGroupsCommand({ nextToken: 'bm9wZQ' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('nextToken'),
    });
  });

  it('sets and removes a retention policy of the documented periods only', async () => {
    const { group } = await newStream();
    await expect(
      logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 2 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('3653') });
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 3653 }));
    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: group }));
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
    expect(logGroups?.[0]).not.toHaveProperty('retentionInDays');
    await expect(
      logs.send(new PutRetentionPolicyCommand({ logGroupName: '/nope', retentionInDays: 1 })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('deletes a group with its streams and events; a group made again under the name is empty', async () => {
    const { group, stream } = await newStream();
    await put(group, stream, [[NOW, 'before']]);
    await logs.send(new DeleteLogGroupCommand({ logGroupName: group }));
    await expect(logs.send(new DeleteLogGroupCommand({ logGroupName: group }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    const { events } = await logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: stream }),
    );
    expect(events).toEqual([]);
  });

  it('refuses to delete a group or stream under deletion protection', async () => {
    const group = `/protected-${++n}`;
    await logs.send(new CreateLogGroupCommand({ logGroupName: group, deletionProtectionEnabled: true }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
    await expect(logs.send(new DeleteLogGroupCommand({ logGroupName: group }))).rejects.toBeInstanceOf(
      ValidationException,
    );
    await expect(
      logs.send(new DeleteLogStreamCommand({ logGroupName: group, logStreamName: 's' })),
    ).rejects.toBeInstanceOf(ValidationException);
  });
});

describe('local CloudWatch Logs streams, through the real SDK', () => {
  it('needs the group, and refuses a second stream of the same name', async () => {
    await expect(
      logs.send(new CreateLogStreamCommand({ logGroupName: '/nope', logStreamName: 's' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    const { group, stream } = await newStream();
    await expect(
      logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream })),
    ).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
  });

  it('describes streams with their event times and ARN, by group name or ARN', async () => {
    const { group, stream } = await newStream('web/1');
    clock = NOW + MINUTE;
    await put(group, stream, [
      [NOW - 5 * MINUTE, 'a'],
      [NOW - MINUTE, 'b'],
    ]);
    const arn = `arn:aws:logs:us-east-1:000000000000:log-group:${group}`;
    for (const by of [{ logGroupName: group }, { logGroupIdentifier: arn }, { logGroupIdentifier: group }]) {
      const { logStreams } = await logs.send(new DescribeLogStreamsCommand(by));
      expect(logStreams).toEqual([
        {
          logStreamName: 'web/1',
          creationTime: NOW,
          firstEventTimestamp: NOW - 5 * MINUTE,
          lastEventTimestamp: NOW - MINUTE,
          lastIngestionTime: NOW + MINUTE,
          uploadSequenceToken: expect.stringMatching(/^\d+$/),
          arn: `${arn}:log-stream:web/1`,
          storedBytes: 0,
        },
      ]);
    }
  });

  it('needs exactly one of logGroupName and logGroupIdentifier', async () => {
    const { group } = await newStream();
    await expect(logs.send(new DescribeLogStreamsCommand({}))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(
      logs.send(new DescribeLogStreamsCommand({ logGroupName: group, logGroupIdentifier: group })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('lists by prefix in name order, both ways, in pages', async () => {
    const { group } = await newStream('other');
    for (const name of ['svc/c', 'svc/a', 'svc/b', 'svc/d', 'svd']) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: name }));
    }
    const list = async (descending: boolean) => {
      const names: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await logs.send(
          new DescribeLogStreamsCommand({
            logGroupName: group,
            logStreamNamePrefix: 'svc/',
            descending,
            limit: 3,
            nextToken,
          }),
        );
        names.push(...(page.logStreams ?? []).map((s) => s.logStreamName!));
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
      return names;
    };
    expect(await list(false)).toEqual(['svc/a', 'svc/b', 'svc/c', 'svc/d']);
    expect(await list(true)).toEqual(['svc/d', 'svc/c', 'svc/b', 'svc/a']);
  });

  it('orders by last event time, and refuses that order with a prefix', async () => {
    const { group } = await newStream('idle');
    for (const [name, at] of [
      ['late', NOW],
      ['early', NOW - DAY],
    ] as const) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: name }));
      await put(group, name, [[at, name]]);
    }
    const { logStreams } = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: group, orderBy: 'LastEventTime', descending: true }),
    );
    expect(logStreams?.map((s) => s.logStreamName)).toEqual(['late', 'early', 'idle']);
    await expect(
      logs.send(
        new DescribeLogStreamsCommand({
          logGroupName: group,
          orderBy: 'LastEventTime',
          logStreamNamePrefix: 'l',
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('deletes a stream and its events, keeping the others', async () => {
    const { group, stream } = await newStream();
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'kept' }));
    await put(group, stream, [[NOW, 'gone']]);
    await put(group, 'kept', [[NOW, 'kept']]);
    await logs.send(new DeleteLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    const { logStreams } = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }));
    expect(logStreams?.map((s) => s.logStreamName)).toEqual(['kept']);
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
    expect(logGroups?.[0]?.storedBytes).toBe(4);
    await expect(
      logs.send(new DeleteLogStreamCommand({ logGroupName: group, logStreamName: stream })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('local GetLogEvents, through the real SDK', () => {
  it('needs the group and the stream; PutLogEvents creates neither', async () => {
    await expect(put('/nope', 's', [[NOW, 'x']])).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: expect.stringContaining('log group'),
    });
    const { group } = await newStream();
    await expect(put(group, 'missing', [[NOW, 'x']])).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: expect.stringContaining('log stream'),
    });
    await expect(
      logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'missing' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('returns events in timestamp order with their ingestion time, across batches', async () => {
    const { group, stream } = await newStream();
    await put(group, stream, [
      [NOW - 2 * MINUTE, 'two'],
      [NOW, 'four'],
    ]);
    clock = NOW + MINUTE;
    await put(group, stream, [
      [NOW - 3 * MINUTE, 'one'],
      [NOW - MINUTE, 'three'],
    ]);
    const { events } = await logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }),
    );
    expect(events).toEqual([
      { timestamp: NOW - 3 * MINUTE, message: 'one', ingestionTime: NOW + MINUTE },
      { timestamp: NOW - 2 * MINUTE, message: 'two', ingestionTime: NOW },
      { timestamp: NOW - MINUTE, message: 'three', ingestionTime: NOW + MINUTE },
      { timestamp: NOW, message: 'four', ingestionTime: NOW },
    ]);
  });

  it('answers the newest events by default and pages back with the backward token', async () => {
    const { group, stream } = await newStream();
    await put(
      group,
      stream,
      Array.from({ length: 5 }, (_, i) => [NOW - (5 - i) * MINUTE, `e${i}`] as [number, string]),
    );
    const tail = await logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, limit: 2 }),
    );
    expect(messages(tail.events)).toEqual(['e3', 'e4']);
    const older = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        limit: 2,
        nextToken: tail.nextBackwardToken,
      }),
    );
    expect(messages(older.events)).toEqual(['e1', 'e2']);
    const oldest = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        limit: 2,
        nextToken: older.nextBackwardToken,
      }),
    );
    expect(messages(oldest.events)).toEqual(['e0']);
    expect(tail.nextForwardToken).toMatch(/^f\//);
    expect(tail.nextBackwardToken).toMatch(/^b\//);
  });

  it('pages forward from the head until the same token comes back, then sees events that arrive later', async () => {
    const { group, stream } = await newStream();
    await put(
      group,
      stream,
      Array.from({ length: 5 }, (_, i) => [NOW - (5 - i) * MINUTE, `e${i}`] as [number, string]),
    );
    const seen: string[] = [];
    let token: string | undefined;
    for await (const page of paginateGetLogEvents(
      // The service ends a stream by returning the token it was given, so the paginator needs this.
      { client: logs, pageSize: 2, stopOnSameToken: true },
      { logGroupName: group, logStreamName: stream, startFromHead: true },
    )) {
      seen.push(...messages(page.events).map(String));
      token = page.nextForwardToken;
    }
    expect(seen).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    const end = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        nextToken: token,
        startFromHead: true,
      }),
    );
    expect(end).toMatchObject({ events: [], nextForwardToken: token });
    await put(group, stream, [[NOW, 'later']]);
    const more = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        nextToken: token,
        startFromHead: true,
      }),
    );
    expect(messages(more.events)).toEqual(['later']);
  });

  it('turns back from the end of the stream with the backward token of an empty page', async () => {
    const { group, stream } = await newStream();
    await put(group, stream, [
      [NOW - MINUTE, 'a'],
      [NOW, 'b'],
    ]);
    const first = await logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }),
    );
    const empty = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        nextToken: first.nextForwardToken,
      }),
    );
    expect(empty.events).toEqual([]);
    const back = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        nextToken: empty.nextBackwardToken,
      }),
    );
    expect(messages(back.events)).toEqual(['a', 'b']);
  });

  it('takes startTime inclusive and endTime exclusive', async () => {
    const { group, stream } = await newStream();
    await put(group, stream, [
      [NOW - 2 * MINUTE, 'a'],
      [NOW - MINUTE, 'b'],
      [NOW, 'c'],
    ]);
    const { events } = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        startTime: NOW - 2 * MINUTE,
        endTime: NOW,
        startFromHead: true,
      }),
    );
    expect(messages(events)).toEqual(['a', 'b']);
  });

  it('stops a page at 1 MB of events', async () => {
    const { group, stream } = await newStream();
    const big = 'x'.repeat(400_000);
    for (let i = 0; i < 3; i++) await put(group, stream, [[NOW - (3 - i) * MINUTE, big]]);
    const page = await logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }),
    );
    expect(page.events).toHaveLength(2);
  });

  it('no longer returns events older than the retention period, judged by the endpoint clock', async () => {
    const { group, stream } = await newStream();
    await put(group, stream, [[NOW - 2 * DAY, 'old']]);
    await put(group, stream, [[NOW, 'new']]);
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 1 }));
    const read = () =>
      logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }));
    expect(messages((await read()).events)).toEqual(['new']);
    clock = NOW + 2 * DAY;
    expect(messages((await read()).events)).toEqual([]);
  });

  it('refuses a token it did not write', async () => {
    const { group, stream } = await newStream();
    await expect(
      logs.send(
        new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, nextToken: 'f/garbage' }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });
});
