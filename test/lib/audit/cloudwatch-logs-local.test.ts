import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { AuditEvent } from '../../../lib/audit/audit-event';
import { hmacCheckpoints } from '../../../lib/audit/checkpoint';
import { CloudWatchLogsAuditSink } from '../../../lib/audit/cloudwatch-logs-sink';
import { verifyAuditTrail } from '../../../lib/audit/verify-audit-trail';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { entry } from './audit-fixtures';

const HOUR = 3_600_000;
const KEY = hmacCheckpoints(Buffer.alloc(32, 4), 'local-key');

/** An entry at `offsetMs` from now (the endpoint, like AWS, refuses events 14 days old). */
function recent(offsetMs = 0, overrides: Parameters<typeof entry>[0] = {}) {
  return { ...entry(overrides), timestamp: new Date(Date.now() + offsetMs).toISOString() };
}

// Both ways a sink gets its client: the caller's own (the SDK's default JSON codec), and the
// one the sink makes from clientConfig (with the SDK's JSON.stringify codec).
describe.each([
  ['a client of the caller’s own', 'given'],
  ['the sink’s own client', 'own'],
] as const)('CloudWatchLogsAuditSink against the local endpoint (real SDK), %s', (_title, clients) => {
  let local: LocalFixture;
  let logs: CloudWatchLogsClient;
  let group = 0;
  beforeAll(async () => {
    local = await startLocal();
    logs = local.logs();
  });
  // Every sink is closed before the endpoint: a sink left open would write its next batch or
  // checkpoint after the test file is gone.
  const open: CloudWatchLogsAuditSink[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((audit) => audit.close()));
  });
  afterAll(() => local.endpoint.close());

  function sink(
    options: { logStreamName?: string; maxBufferedEvents?: number; createLogGroup?: boolean } = {},
  ): CloudWatchLogsAuditSink {
    const audit = new CloudWatchLogsAuditSink({
      logGroupName: `/keystage/audit-${++group}`,
      logStreamName: 'app-1',
      ...(clients === 'given'
        ? { client: logs }
        : {
            clientConfig: {
              endpoint: local.endpoint.url,
              region: 'us-east-1',
              credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
            },
          }),
      checkpoints: { key: KEY, everyEvents: 100 },
      ...options,
    });
    open.push(audit);
    return audit;
  }

  /** The stream's events, as reports read them back: GetLogEvents from the start, every page. */
  async function readBack(audit: CloudWatchLogsAuditSink): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    let token: string | undefined;
    for (;;) {
      const page = await logs.send(
        new GetLogEventsCommand({
          logGroupName: `/keystage/audit-${group}`,
          logStreamName: audit.logStreamName,
          startFromHead: true,
          ...(token === undefined ? {} : { nextToken: token }),
        }),
      );
      events.push(...(page.events ?? []).map((event) => JSON.parse(event.message!) as AuditEvent));
      if (page.nextForwardToken === token || (page.events ?? []).length === 0) return events;
      token = page.nextForwardToken;
    }
  }

  it('creates the group and the stream, and writes a trail that verifies, checkpoints included', async () => {
    const audit = sink();
    for (let i = 0; i < 250; i++) audit.record(recent(i), false);
    await audit.close();
    const streams = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: `/keystage/audit-${group}` }),
    );
    expect(streams.logStreams?.map((stream) => stream.logStreamName)).toEqual(['app-1']);
    const events = await readBack(audit);
    expect(events.filter((event) => event.event_type !== 'audit_checkpoint')).toHaveLength(250);
    const report = await verifyAuditTrail(events, { verifier: KEY });
    expect(report).toMatchObject({ valid: true, signedThroughSeq: events.at(-2)!.seq, unsignedEvents: 0 });
  });

  it('gets many events through in batches the endpoint accepts (at most 10,000 each)', async () => {
    const audit = sink({ maxBufferedEvents: 25_000 });
    for (let i = 0; i < 21_000; i++) audit.record(recent(), false);
    await audit.flush();
    expect(audit.stats()).toMatchObject({ written: 21_000, dropped: 0 });
  });

  it('gets large events through in batches under 1,048,576 bytes', async () => {
    const audit = sink();
    const keys = Array.from({ length: 9000 }, (_, i) => `tag-key-${i}`);
    await Promise.all(Array.from({ length: 10 }, () => audit.record(recent(0, { details: { keys } }), true)));
    expect(audit.stats()).toMatchObject({ written: 10, dropped: 0 });
  });

  it('gets events spread over more than 24 hours through, split by span', async () => {
    const audit = sink();
    await Promise.all([-60, -40, -30, -2, 0].map((hours) => audit.record(recent(hours * HOUR), true)));
    expect(audit.stats()).toMatchObject({ written: 5, dropped: 0 });
    const events = await readBack(audit);
    expect((await verifyAuditTrail(events)).valid).toBe(true);
  });

  it('continues the chain when a new sink writes to the same stream', async () => {
    const first = sink();
    await first.record(recent(), true);
    await first.close();
    group--; // the same group again
    const second = sink();
    await second.record(recent(), true);
    await second.close();
    const events = await readBack(second);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4]);
    expect((await verifyAuditTrail(events, { verifier: KEY })).valid).toBe(true);
  });

  it('fails a fail-closed read with AUDIT_UNAVAILABLE, the service’s error its cause, when the group is missing and may not be made', async () => {
    const audit = sink({ createLogGroup: false });
    const failure: unknown = await (audit.record(recent(), true) as Promise<void>).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({
      code: 'AUDIT_UNAVAILABLE',
      cause: { name: 'ResourceNotFoundException' },
    });
    expect(audit.stats()).toMatchObject({ written: 0, dropped: 1 });
  });

  it(
    clients === 'own'
      ? 'destroys the client it made (its sockets) when closed'
      : 'leaves the caller’s client open when closed',
    async () => {
      const inner = logs.config.requestHandler as unknown as {
        handle(request: unknown, options?: unknown): Promise<unknown>;
      };
      const destroy = jest.fn();
      const handler = {
        handle: (request: unknown, options?: unknown) => inner.handle(request, options),
        destroy,
      };
      const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
      const own = new CloudWatchLogsAuditSink({
        logGroupName: `/keystage/audit-${++group}`,
        ...(clients === 'own'
          ? {
              clientConfig: {
                endpoint: local.endpoint.url,
                region: 'us-east-1',
                credentials,
                requestHandler: handler as never,
              },
            }
          : {
              client: new CloudWatchLogsClient({
                endpoint: local.endpoint.url,
                region: 'us-east-1',
                credentials,
                requestHandler: handler as never,
              }),
            }),
      });
      await own.record(recent(), true);
      expect(destroy).not.toHaveBeenCalled();
      await own.close();
      expect(destroy).toHaveBeenCalledTimes(clients === 'own' ? 1 : 0);
    },
  );
});
