import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  type InputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

const NOW = Date.UTC(2026, 2, 1, 12);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let local: LocalFixture;
let logs: CloudWatchLogsClient;
let n = 0;

beforeAll(async () => {
  local = await startLocal({ now: () => NOW });
  logs = local.logs();
});
afterAll(() => local.endpoint.close());

async function newStream(): Promise<{ logGroupName: string; logStreamName: string }> {
  const logGroupName = `/keystage/limits-${++n}`;
  await logs.send(new CreateLogGroupCommand({ logGroupName }));
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 's' }));
  return { logGroupName, logStreamName: 's' };
}

const at = (...times: number[]): InputLogEvent[] =>
  times.map((timestamp, i) => ({ timestamp, message: `e${i}` }));

async function stored(where: { logGroupName: string; logStreamName: string }): Promise<string[]> {
  const { events } = await logs.send(
    new GetLogEventsCommand({ ...where, startFromHead: true, startTime: 0 }),
  );
  return (events ?? []).map((event) => event.message!);
}

describe('local PutLogEvents limits, as the API reference states them', () => {
  it('accepts 10,000 events of exactly 1,048,576 bytes counting 26 per event', async () => {
    const where = await newStream();
    // 10,000 x (78 + 26) = 1,040,000; the first message takes up the remaining 8,576.
    const logEvents = Array.from({ length: 10_000 }, (_, i) => ({
      timestamp: NOW - 10_000 + i,
      message: i === 0 ? 'x'.repeat(78 + 8_576) : 'y'.repeat(78),
    }));
    const answer = await logs.send(new PutLogEventsCommand({ ...where, logEvents }));
    expect(answer.rejectedLogEventsInfo).toBeUndefined();
    expect((await stored(where)).length).toBe(10_000);
  });

  it('refuses 10,001 events with InvalidParameterException', async () => {
    const where = await newStream();
    const logEvents = Array.from({ length: 10_001 }, (_, i) => ({ timestamp: NOW, message: `m${i}` }));
    await expect(logs.send(new PutLogEventsCommand({ ...where, logEvents }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining("'logEvents'"),
    });
  });

  it('refuses a batch one byte over 1,048,576 as "Upload too large", storing nothing', async () => {
    const where = await newStream();
    const logEvents = [
      { timestamp: NOW, message: 'a'.repeat(524_288 - 26) },
      { timestamp: NOW, message: 'é'.repeat((524_288 - 26) / 2) + 'b' },
    ];
    await expect(logs.send(new PutLogEventsCommand({ ...where, logEvents }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('Upload too large: 1048577 bytes exceeds limit of 1048576'),
    });
    expect(await stored(where)).toEqual([]);
  });

  it('refuses one event over the limit as "Log event too large"', async () => {
    const where = await newStream();
    const logEvents = [{ timestamp: NOW, message: 'a'.repeat(1_048_576 - 25) }];
    await expect(logs.send(new PutLogEventsCommand({ ...where, logEvents }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('Log event too large'),
    });
  });

  it('refuses a batch out of chronological order, storing nothing', async () => {
    const where = await newStream();
    await expect(
      logs.send(new PutLogEventsCommand({ ...where, logEvents: at(NOW, NOW - 1) })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('chronological order'),
    });
    expect(await stored(where)).toEqual([]);
  });

  it('accepts a span of exactly 24 hours and refuses one a millisecond longer', async () => {
    const where = await newStream();
    await expect(
      logs.send(new PutLogEventsCommand({ ...where, logEvents: at(NOW - DAY, NOW) })),
    ).resolves.toBeDefined();
    await expect(
      logs.send(new PutLogEventsCommand({ ...where, logEvents: at(NOW - DAY - 1, NOW) })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('24 hours'),
    });
  });

  it('judges the span on the events it keeps, not the ones it rejects', async () => {
    const where = await newStream();
    const answer = await logs.send(
      new PutLogEventsCommand({ ...where, logEvents: at(NOW - 20 * DAY, NOW - HOUR, NOW) }),
    );
    expect(answer.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1 });
    expect(await stored(where)).toEqual(['e1', 'e2']);
  });

  it('rejects events older than 14 days (end index, exclusive) and keeps the rest', async () => {
    const where = await newStream();
    const answer = await logs.send(
      new PutLogEventsCommand({
        ...where,
        logEvents: at(NOW - 14 * DAY - 1, NOW - 14 * DAY, NOW - 14 * DAY + HOUR),
      }),
    );
    expect(answer.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1 });
    expect(await stored(where)).toEqual(['e1', 'e2']);
  });

  it('rejects events more than 2 hours ahead (start index, inclusive) and keeps the rest', async () => {
    const where = await newStream();
    const answer = await logs.send(
      new PutLogEventsCommand({ ...where, logEvents: at(NOW, NOW + 2 * HOUR, NOW + 2 * HOUR + 1) }),
    );
    expect(answer.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 2 });
    expect(await stored(where)).toEqual(['e0', 'e1']);
  });

  it('rejects events older than the retention period as expired', async () => {
    const where = await newStream();
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: where.logGroupName, retentionInDays: 1 }));
    const answer = await logs.send(
      new PutLogEventsCommand({ ...where, logEvents: at(NOW - 2 * DAY, NOW - DAY - 1, NOW) }),
    );
    expect(answer.rejectedLogEventsInfo).toEqual({ expiredLogEventEndIndex: 2 });
    expect(await stored(where)).toEqual(['e2']);
  });

  it('answers a batch with every event rejected with the indexes, storing nothing', async () => {
    const where = await newStream();
    const answer = await logs.send(
      new PutLogEventsCommand({ ...where, logEvents: at(NOW - 15 * DAY, NOW + 3 * HOUR) }),
    );
    expect(answer.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1, tooNewLogEventStartIndex: 1 });
    expect(await stored(where)).toEqual([]);
  });

  it('ignores sequence tokens: a wrong one is accepted, never InvalidSequenceTokenException', async () => {
    const where = await newStream();
    const first = await logs.send(new PutLogEventsCommand({ ...where, logEvents: at(NOW) }));
    const second = await logs.send(
      new PutLogEventsCommand({ ...where, logEvents: at(NOW), sequenceToken: '49590000000000000000000000' }),
    );
    expect(second.nextSequenceToken).not.toBe(first.nextSequenceToken);
    expect(await stored(where)).toEqual(['e0', 'e0']);
  });

  it('refuses an empty batch and a negative timestamp with InvalidParameterException', async () => {
    const where = await newStream();
    for (const logEvents of [[], [{ timestamp: -1, message: 'x' }], [{ timestamp: NOW, message: '' }]]) {
      await expect(logs.send(new PutLogEventsCommand({ ...where, logEvents }))).rejects.toBeInstanceOf(
        InvalidParameterException,
      );
    }
  });
});
