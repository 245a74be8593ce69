import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  InvalidParameterException,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  ResourceNotFoundException,
  paginateFilterLogEvents,
  type FilterLogEventsCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
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

async function newGroup(...streams: string[]): Promise<string> {
  const group = `/keystage/filter-${++n}`;
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  for (const stream of streams) {
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  }
  return group;
}

async function put(group: string, stream: string, events: Array<[number, string]>): Promise<void> {
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: stream,
      logEvents: events.map(([timestamp, message]) => ({ timestamp, message })),
    }),
  );
}

async function filter(group: string, input: Omit<FilterLogEventsCommandInput, 'logGroupName'> = {}) {
  return logs.send(new FilterLogEventsCommand({ logGroupName: group, ...input }));
}

const messages = async (group: string, input: Omit<FilterLogEventsCommandInput, 'logGroupName'> = {}) =>
  ((await filter(group, input)).events ?? []).map((event) => event.message);

const audit = (fields: Record<string, unknown>) => JSON.stringify({ event_type: 'secret_access', ...fields });

describe('local FilterLogEvents, through the real SDK', () => {
  it('interleaves the streams of a group by timestamp, naming each event stream and id', async () => {
    const group = await newGroup('a', 'b');
    await put(group, 'a', [
      [NOW - 3 * MINUTE, 'a1'],
      [NOW - MINUTE, 'a2'],
    ]);
    await put(group, 'b', [
      [NOW - 2 * MINUTE, 'b1'],
      [NOW, 'b2'],
    ]);
    const { events, searchedLogStreams } = await filter(group);
    expect(events?.map((e) => [e.logStreamName, e.message])).toEqual([
      ['a', 'a1'],
      ['b', 'b1'],
      ['a', 'a2'],
      ['b', 'b2'],
    ]);
    expect(events?.[0]).toMatchObject({ timestamp: NOW - 3 * MINUTE, ingestionTime: NOW });
    expect(new Set(events?.map((e) => e.eventId)).size).toBe(4);
    expect(searchedLogStreams).toEqual([]);
  });

  it('takes the group by identifier (name or ARN), exactly one way', async () => {
    const group = await newGroup('s');
    await put(group, 's', [[NOW, 'x']]);
    const arn = `arn:aws:logs:us-east-1:000000000000:log-group:${group}`;
    const { events } = await logs.send(new FilterLogEventsCommand({ logGroupIdentifier: arn }));
    expect(events?.map((e) => e.message)).toEqual(['x']);
    await expect(
      logs.send(new FilterLogEventsCommand({ logGroupName: group, logGroupIdentifier: arn })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: '/nope' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('keeps startTime and endTime both inclusive', async () => {
    const group = await newGroup('s');
    await put(group, 's', [
      [NOW - 2 * MINUTE, 'a'],
      [NOW - MINUTE, 'b'],
      [NOW, 'c'],
    ]);
    expect(await messages(group, { startTime: NOW - MINUTE, endTime: NOW })).toEqual(['b', 'c']);
    expect(await messages(group, { endTime: NOW - MINUTE })).toEqual(['a', 'b']);
  });

  it('filters by stream names or a stream name prefix, not both, and needs named streams to exist', async () => {
    const group = await newGroup('web/1', 'web/2', 'worker');
    await put(group, 'web/1', [[NOW - 2 * MINUTE, 'w1']]);
    await put(group, 'web/2', [[NOW - MINUTE, 'w2']]);
    await put(group, 'worker', [[NOW, 'k']]);
    expect(await messages(group, { logStreamNamePrefix: 'web/' })).toEqual(['w1', 'w2']);
    expect(await messages(group, { logStreamNames: ['worker', 'web/1'] })).toEqual(['w1', 'k']);
    await expect(
      filter(group, { logStreamNames: ['web/1'], logStreamNamePrefix: 'web' }),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(filter(group, { logStreamNames: ['nope'] })).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('matches events containing every term, case-sensitively', async () => {
    const group = await newGroup('s');
    await put(group, 's', [
      [NOW - 3 * MINUTE, 'ERROR timeout on db'],
      [NOW - 2 * MINUTE, 'ERROR refused'],
      [NOW - MINUTE, 'error timeout'],
      [NOW, 'INFO timeout ERROR'],
    ]);
    expect(await messages(group, { filterPattern: 'ERROR timeout' })).toEqual([
      'ERROR timeout on db',
      'INFO timeout ERROR',
    ]);
  });

  it('matches quoted phrases, ?alternatives and -exclusions', async () => {
    const group = await newGroup('s');
    await put(group, 's', [
      [NOW - 3 * MINUTE, 'access denied: policy'],
      [NOW - 2 * MINUTE, 'denied access'],
      [NOW - MINUTE, 'WARN slow'],
      [NOW, 'WARN slow DEBUG'],
    ]);
    expect(await messages(group, { filterPattern: '"access denied"' })).toEqual(['access denied: policy']);
    expect(await messages(group, { filterPattern: '?denied ?slow -DEBUG' })).toEqual([
      'access denied: policy',
      'denied access',
      'WARN slow',
    ]);
  });

  it('matches JSON events with { $.field = "value" } and !=, skipping messages that are not JSON', async () => {
    const group = await newGroup('s');
    await put(group, 's', [
      [NOW - 3 * MINUTE, audit({ secret_name: 'prod/billing/db', cache_hit: true })],
      [NOW - 2 * MINUTE, audit({ secret_name: 'dev/billing/db', cache_hit: false })],
      [NOW - MINUTE, 'secret_name = prod/billing/db'],
      [NOW, audit({ event_type: 'access_denied', secret_name: 'prod/billing/api-key', cache_hit: false })],
    ]);
    const names = async (filterPattern: string) =>
      (await messages(group, { filterPattern })).map(
        (m) => (JSON.parse(m!) as { secret_name: string }).secret_name,
      );
    expect(await names('{ $.secret_name = "prod/billing/db" }')).toEqual(['prod/billing/db']);
    expect(await names('{ $.secret_name = "prod/*" }')).toEqual(['prod/billing/db', 'prod/billing/api-key']);
    expect(await names('{ $.event_type != "secret_access" }')).toEqual(['prod/billing/api-key']);
    expect(await names('{ $.cache_hit IS TRUE || $.event_type = access_denied }')).toEqual([
      'prod/billing/db',
      'prod/billing/api-key',
    ]);
  });

  it('refuses a filter pattern it does not understand rather than matching nothing', async () => {
    const group = await newGroup('s');
    for (const filterPattern of ['[ip, user]', '%ERR.*%', '{ $.a = ', '"unclosed']) {
      await expect(filter(group, { filterPattern })).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: expect.stringContaining('filterPattern'),
      });
    }
  });

  it('pages with nextToken, every event once, and the token stays valid while events arrive', async () => {
    const group = await newGroup('s', 't');
    await put(
      group,
      's',
      Array.from({ length: 5 }, (_, i) => [NOW - (10 - i) * MINUTE, `s${i}`] as [number, string]),
    );
    const first = await filter(group, { limit: 3 });
    expect(first.events?.map((e) => e.message)).toEqual(['s0', 's1', 's2']);
    expect(first.nextToken).toBeDefined();
    // Newer events (and one older than the page) arrive between pages.
    await put(group, 't', [
      [NOW - 20 * MINUTE, 'older'],
      [NOW, 'newer'],
    ]);
    const rest: string[] = [];
    for await (const page of paginateFilterLogEvents(
      { client: logs, pageSize: 3 },
      { logGroupName: group, nextToken: first.nextToken },
    )) {
      rest.push(...(page.events ?? []).map((e) => e.message!));
    }
    expect(rest).toEqual(['s3', 's4', 'newer']);
  });

  it('gives no nextToken when the page holds the last match', async () => {
    const group = await newGroup('s');
    await put(group, 's', [
      [NOW - MINUTE, 'hit 1'],
      [NOW, 'hit 2'],
    ]);
    expect(await filter(group, { limit: 2 })).not.toHaveProperty('nextToken');
  });

  it('returns the newest first with startFromHead false, from 2024 on only', async () => {
    const group = await newGroup('s');
    await put(group, 's', [
      [NOW - 2 * MINUTE, 'a'],
      [NOW - MINUTE, 'b'],
      [NOW, 'c'],
    ]);
    const first = await filter(group, { startFromHead: false, limit: 2, startTime: Date.UTC(2024, 0, 1) });
    expect(first.events?.map((e) => e.message)).toEqual(['c', 'b']);
    const second = await filter(group, { nextToken: first.nextToken });
    expect(second.events?.map((e) => e.message)).toEqual(['a']);
    await expect(
      filter(group, { startFromHead: false, startTime: Date.UTC(2023, 11, 31) }),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('leaves out events older than the retention period', async () => {
    const group = await newGroup('s');
    await put(group, 's', [[NOW - 3 * DAY, 'old']]);
    await put(group, 's', [[NOW, 'new']]);
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 1 }));
    expect(await messages(group)).toEqual(['new']);
  });
});
