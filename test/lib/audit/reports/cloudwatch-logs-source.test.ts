import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
  ResourceNotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { ThrottledError, ValidationError } from '../../../../lib';
import { accessReport, cloudWatchLogsEvents } from '../../../../lib/audit/reports';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { FROM, TO, at, auditEvent, collect } from './fixtures';

const logGroupName = '/keystage/audit';
const message = (request: string): string => JSON.stringify(auditEvent({ request_id: request }));

describe('cloudWatchLogsEvents (a paginated fake)', () => {
  const client = new CloudWatchLogsClient({ region: 'us-east-1' });
  const logs = mockClient(client);
  beforeEach(() => logs.reset());

  function threePages(): void {
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [{ message: message('r1') }, { message: message('r2') }], nextToken: 't1' })
      // FilterLogEvents may answer an empty page that is not the last.
      .resolvesOnce({ events: [], nextToken: 't2' })
      // Some emulators end with an empty token; sending it back would restart from the top.
      .resolvesOnce({ events: [{ message: message('r3') }], nextToken: '' });
  }

  it('reads every page until the token is empty', async () => {
    threePages();
    const events = await collect(cloudWatchLogsEvents({ client, logGroupName, from: FROM, to: TO }));
    expect(events.map((event) => event.request_id)).toEqual(['r1', 'r2', 'r3']);
    expect(logs.commandCalls(FilterLogEventsCommand).map((call) => call.args[0].input.nextToken)).toEqual([
      undefined,
      't1',
      't2',
    ]);
  });

  it('asks for [from, to): endTime is one millisecond before to, since FilterLogEvents includes it', async () => {
    threePages();
    await collect(
      cloudWatchLogsEvents({
        client,
        logGroupName,
        from: FROM,
        to: TO,
        logStreamNames: ['host-a', 'host-b'],
      }),
    );
    expect(logs).toHaveReceivedNthSpecificCommandWith(1, FilterLogEventsCommand, {
      logGroupName,
      startTime: FROM.getTime(),
      endTime: TO.getTime() - 1,
      limit: 10_000,
      logStreamNames: ['host-a', 'host-b'],
    });
  });

  it('skips and counts log events that are not audit events', async () => {
    logs.on(FilterLogEventsCommand).resolves({
      events: [
        { message: 'START RequestId: 1' },
        {},
        { message: message('r1') },
        { message: '{"level":"info"}' },
      ],
    });
    const events = cloudWatchLogsEvents({ client, logGroupName, from: FROM, to: TO });
    expect(await collect(events)).toHaveLength(1);
    expect(events.skipped).toBe(3);
  });

  it('sends nothing until the caller iterates', () => {
    cloudWatchLogsEvents({ client, logGroupName, from: FROM, to: TO });
    expect(logs).not.toHaveReceivedCommand(FilterLogEventsCommand);
  });

  it('turns a missing log group into a ValidationError naming logGroupName', async () => {
    logs
      .on(FilterLogEventsCommand)
      .rejects(
        new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} }),
      );
    await expect(
      collect(cloudWatchLogsEvents({ client, logGroupName, from: FROM, to: TO })),
    ).rejects.toMatchObject({
      constructor: ValidationError,
      field: 'logGroupName',
    });
  });

  it('turns throttling into THROTTLED', async () => {
    logs
      .on(FilterLogEventsCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    await expect(
      collect(cloudWatchLogsEvents({ client, logGroupName, from: FROM, to: TO })),
    ).rejects.toBeInstanceOf(ThrottledError);
  });

  it.each([
    ['logGroupName', { logGroupName: 'bad name!' }],
    ['logStreamNames', { logStreamNames: [] }],
    ['logStreamNames', { logStreamNames: Array.from({ length: 101 }, (_, i) => `s${i}`) }],
    ['logStreamNames', { logStreamNames: ['a:b'] }],
    ['pageSize', { pageSize: 10_001 }],
    ['to', { to: FROM }],
    ['from', { from: new Date('not a date') }],
  ])('refuses a bad %s before any call', (field, bad) => {
    expect(() => cloudWatchLogsEvents({ client, logGroupName, from: FROM, to: TO, ...bad })).toThrow(
      expect.objectContaining({ field }),
    );
  });
});

describe('cloudWatchLogsEvents (the local endpoint, the real SDK)', () => {
  let local: LocalFixture;
  let client: CloudWatchLogsClient;
  beforeAll(async () => {
    local = await startLocal({ now: () => Date.parse('2024-05-01T23:00:00.000Z') });
    client = local.logs();
    await client.send(new CreateLogGroupCommand({ logGroupName }));
    for (const logStreamName of ['host-a', 'host-b']) {
      await client.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
    }
    const put = (logStreamName: string, events: Array<{ time: string; message: string }>) =>
      client.send(
        new PutLogEventsCommand({
          logGroupName,
          logStreamName,
          logEvents: events.map((event) => ({ timestamp: Date.parse(event.time), message: event.message })),
        }),
      );
    await put('host-a', [
      {
        time: at('09:00'),
        message: JSON.stringify(auditEvent({ timestamp: at('09:00'), request_id: 'a1' })),
      },
      { time: at('09:30'), message: 'a line from something else' },
      {
        time: at('10:00'),
        message: JSON.stringify(auditEvent({ timestamp: at('10:00'), request_id: 'a2', cache_hit: true })),
      },
    ]);
    await put('host-b', [
      {
        time: at('09:10'),
        message: JSON.stringify(auditEvent({ timestamp: at('09:10'), request_id: 'b1', user_id: 'bo' })),
      },
      {
        time: at('11:00'),
        message: JSON.stringify(auditEvent({ timestamp: at('11:00'), request_id: 'b2' })),
      },
    ]);
  });
  afterAll(async () => {
    client.destroy();
    await local.endpoint.close();
  });

  it('reads every page of the group, two events a page', async () => {
    const events = cloudWatchLogsEvents({ client, logGroupName, from: FROM, to: TO, pageSize: 2 });
    const ids = (await collect(events)).map((event) => event.request_id);
    expect(ids.sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(events.skipped).toBe(1);
  });

  it('reads only the streams named', async () => {
    const events = cloudWatchLogsEvents({
      client,
      logGroupName,
      from: FROM,
      to: TO,
      logStreamNames: ['host-b'],
    });
    expect((await collect(events)).map((event) => event.request_id)).toEqual(['b1', 'b2']);
  });

  it('leaves out events at to: the range is [from, to)', async () => {
    const events = cloudWatchLogsEvents({ client, logGroupName, from: FROM, to: new Date(at('11:00')) });
    expect((await collect(events)).map((event) => event.request_id).sort()).toEqual(['a1', 'a2', 'b1']);
  });

  it('feeds a report: who read what, from CloudWatch Logs', async () => {
    const report = await accessReport(cloudWatchLogsEvents({ client, logGroupName, from: FROM, to: TO }), {
      from: FROM,
      to: TO,
    });
    expect(report.rows.map((row) => [row.principal, row.count, row.cacheHits])).toEqual([
      ['ana', 3, 1],
      ['bo', 1, 0],
    ]);
  });

  it('reports a log group that does not exist as a ValidationError', async () => {
    const events = cloudWatchLogsEvents({ client, logGroupName: '/no/such/group', from: FROM, to: TO });
    await expect(collect(events)).rejects.toMatchObject({ field: 'logGroupName' });
  });
});
