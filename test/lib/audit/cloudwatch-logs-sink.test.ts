import {
  CloudWatchLogsClient,
  CloudWatchLogsServiceException,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  type InputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { inspect } from 'node:util';
import { auditEventHash } from '../../../lib/audit/audit-chain';
import type { AuditEvent } from '../../../lib/audit/audit-event';
import { PUT_LOG_EVENTS_LIMITS } from '../../../lib/audit/cloudwatch-logs-batches';
import {
  CloudWatchLogsAuditSink,
  type CloudWatchLogsAuditSinkOptions,
} from '../../../lib/audit/cloudwatch-logs-sink';
import { verifyAuditTrail } from '../../../lib/audit/verify-audit-trail';
import { AuditUnavailableError } from '../../../lib/errors';
import { entry, trail } from './audit-fixtures';

const logs = mockClient(CloudWatchLogsClient);
const GROUP = '/keystage/audit';
const STREAM = 'host-1';
const DAY = 24 * 3_600_000;

function serviceError(name: string, httpStatusCode = 400): Error {
  return new CloudWatchLogsServiceException({
    name,
    $fault: 'client',
    message: name,
    $metadata: { httpStatusCode },
  });
}

function sink(options: Partial<CloudWatchLogsAuditSinkOptions> = {}): CloudWatchLogsAuditSink {
  return new CloudWatchLogsAuditSink({
    logGroupName: GROUP,
    logStreamName: STREAM,
    client: new CloudWatchLogsClient({ region: 'us-east-1', maxAttempts: 1 }),
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    ...options,
  });
}

/** Every batch PutLogEvents was sent, in order. */
function putBatches(): InputLogEvent[][] {
  return logs.commandCalls(PutLogEventsCommand).map((call) => call.args[0].input.logEvents ?? []);
}

function written(): AuditEvent[] {
  return putBatches()
    .flat()
    .map((event) => JSON.parse(event.message!) as AuditEvent);
}

beforeEach(() => {
  logs.reset();
  logs.on(CreateLogStreamCommand).resolves({});
  logs.on(CreateLogGroupCommand).resolves({});
  logs.on(PutLogEventsCommand).resolves({});
});

describe('CloudWatchLogsAuditSink', () => {
  it('creates its stream, then writes events as canonical JSON lines with their time', async () => {
    const audit = sink();
    await audit.record(entry(), true);
    expect(logs).toHaveReceivedCommandWith(CreateLogStreamCommand, {
      logGroupName: GROUP,
      logStreamName: STREAM,
    });
    expect(logs).not.toHaveReceivedCommand(CreateLogGroupCommand);
    const event = putBatches()[0]![0];
    expect(event!.timestamp).toBe(Date.parse(entry().timestamp));
    expect(JSON.parse(event!.message!)).toMatchObject({ seq: 1, secret_name: 'prod/billing/stripe' });
  });

  it('creates the group when it does not exist', async () => {
    logs.on(CreateLogStreamCommand).rejectsOnce(serviceError('ResourceNotFoundException')).resolves({});
    await sink().record(entry(), true);
    expect(logs).toHaveReceivedCommandWith(CreateLogGroupCommand, { logGroupName: GROUP });
    expect(logs).toHaveReceivedCommandTimes(CreateLogStreamCommand, 2);
    expect(logs).toHaveReceivedCommandTimes(PutLogEventsCommand, 1);
  });

  it('takes a group someone else created meanwhile', async () => {
    logs.on(CreateLogStreamCommand).rejectsOnce(serviceError('ResourceNotFoundException')).resolves({});
    logs.on(CreateLogGroupCommand).rejects(serviceError('ResourceAlreadyExistsException'));
    await sink().record(entry(), true);
    expect(logs).toHaveReceivedCommandTimes(PutLogEventsCommand, 1);
  });

  it('leaves the group alone with createLogGroup: false, and fails while it is missing', async () => {
    logs.on(CreateLogStreamCommand).rejects(serviceError('ResourceNotFoundException'));
    const error = await sink({ createLogGroup: false })
      .record(entry(), true)!
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuditUnavailableError);
    expect(logs).not.toHaveReceivedCommand(CreateLogGroupCommand);
  });

  it('writes to a stream it may not create (made by the AuditLog construct or an admin)', async () => {
    logs.on(CreateLogStreamCommand).rejects(serviceError('AccessDeniedException'));
    logs.on(GetLogEventsCommand).resolves({ events: [] });
    await sink().record(entry(), true);
    expect(written()[0]).toMatchObject({ seq: 1 });
  });

  it('continues the chain of a stream that already has events', async () => {
    const [, last] = trail(2);
    logs.on(CreateLogStreamCommand).rejects(serviceError('ResourceAlreadyExistsException'));
    logs.on(GetLogEventsCommand).resolves({ events: [{ timestamp: 1, message: JSON.stringify(last) }] });
    await sink().record(entry(), true);
    expect(logs).toHaveReceivedCommandWith(GetLogEventsCommand, { startFromHead: false, limit: 1 });
    expect(written()[0]).toMatchObject({ seq: 3, prev: auditEventHash(last!) });
  });

  it('retries throttling with backoff and then writes', async () => {
    logs
      .on(PutLogEventsCommand)
      .rejectsOnce(serviceError('ThrottlingException'))
      .rejectsOnce(serviceError('ThrottlingException'))
      .resolves({});
    await sink().record(entry(), true);
    expect(logs).toHaveReceivedCommandTimes(PutLogEventsCommand, 3);
  });

  it('gives up after maxAttempts, failing a fail-closed event', async () => {
    logs.on(PutLogEventsCommand).rejects(serviceError('ThrottlingException'));
    const error = await sink({ retry: { maxAttempts: 3, baseDelayMs: 1 } })
      .record(entry(), true)!
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuditUnavailableError);
    expect(logs).toHaveReceivedCommandTimes(PutLogEventsCommand, 3);
  });

  it('does not retry what another attempt cannot fix', async () => {
    logs.on(PutLogEventsCommand).rejects(serviceError('InvalidParameterException'));
    await sink()
      .record(entry(), true)!
      .catch(() => undefined);
    expect(logs).toHaveReceivedCommandTimes(PutLogEventsCommand, 1);
  });

  it('makes its stream again when it was deleted', async () => {
    logs.on(PutLogEventsCommand).rejectsOnce(serviceError('ResourceNotFoundException')).resolves({});
    await sink().record(entry(), true);
    expect(logs).toHaveReceivedCommandTimes(CreateLogStreamCommand, 2);
    expect(logs).toHaveReceivedCommandTimes(PutLogEventsCommand, 2);
  });

  it('fails the events PutLogEvents rejects as too old or too new, and counts them', async () => {
    logs.on(PutLogEventsCommand).resolves({ rejectedLogEventsInfo: { tooOldLogEventEndIndex: 1 } });
    const audit = sink();
    const results = await Promise.all(
      [0, 1].map((i) =>
        audit.record(entry({}, i), true)!.then(
          () => 'ok',
          (error: unknown) => (error as Error).name,
        ),
      ),
    );
    expect(results).toEqual(['AuditUnavailableError', 'ok']);
    expect(audit.stats()).toMatchObject({ written: 1, dropped: 1 });
  });

  describe('batches within PutLogEvents’ limits', () => {
    const { maxEvents, maxBytes, eventOverheadBytes, maxSpanMs } = PUT_LOG_EVENTS_LIMITS;

    function expectWithinLimits(batches: InputLogEvent[][]): void {
      for (const batch of batches) {
        expect(batch.length).toBeLessThanOrEqual(maxEvents);
        const bytes = batch.reduce(
          (sum, event) => sum + Buffer.byteLength(event.message!) + eventOverheadBytes,
          0,
        );
        expect(bytes).toBeLessThanOrEqual(maxBytes);
        expect(batch.at(-1)!.timestamp! - batch[0]!.timestamp!).toBeLessThan(maxSpanMs);
        for (let i = 1; i < batch.length; i++)
          expect(batch[i]!.timestamp).toBeGreaterThanOrEqual(batch[i - 1]!.timestamp!);
      }
    }

    it('many events: at most 10,000 per call, all of them, in order', async () => {
      const audit = sink({ maxBufferedEvents: 30_000, flushIntervalMs: 60_000 });
      for (let i = 0; i < 25_000; i++) audit.record(entry({}, i), false);
      await audit.flush();
      const batches = putBatches();
      expectWithinLimits(batches);
      expect(batches.flat()).toHaveLength(25_000);
      expect(written().map((event) => event.seq)).toEqual(Array.from({ length: 25_000 }, (_, i) => i + 1));
    });

    it('large events: under 1,048,576 bytes per call, counting 26 per event', async () => {
      const audit = sink();
      const keys = Array.from({ length: 9000 }, (_, i) => `tag-key-${i}`);
      await Promise.all(
        Array.from({ length: 12 }, (_, i) => audit.record(entry({ details: { keys } }, i), true)),
      );
      const batches = putBatches();
      expect(batches.length).toBeGreaterThan(1);
      expectWithinLimits(batches);
      expect(batches.flat()).toHaveLength(12);
    });

    it('events over more than 24 hours: split by span', async () => {
      const audit = sink();
      await Promise.all([0, 0.5, 1.2, 1.5, 2.9].map((days) => audit.record(entry({}, days * DAY), true)));
      const batches = putBatches();
      expectWithinLimits(batches);
      expect(batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
    });

    it('keeps the times in order when the clock steps back', async () => {
      const audit = sink();
      await Promise.all([5000, 1000, 3000].map((offset) => audit.record(entry({}, offset), true)));
      const [batch] = putBatches();
      expect(batch!.map((event) => event.timestamp)).toEqual(
        [5000, 5000, 5000].map((ms) => Date.parse(entry().timestamp) + ms),
      );
      // The event keeps its own time; only the log's ordering field is held back.
      expect(JSON.parse(batch![1]!.message!).timestamp).toBe(entry({}, 1000).timestamp);
    });
  });

  it('writes a trail that verifies', async () => {
    const audit = sink();
    for (let i = 0; i < 50; i++) audit.record(entry({}, i), false);
    await audit.close();
    expect((await verifyAuditTrail(written())).valid).toBe(true);
  });

  it('names a stream of its own when none is given', () => {
    const audit = new CloudWatchLogsAuditSink({ logGroupName: GROUP, client: new CloudWatchLogsClient({}) });
    expect(audit.logStreamName).toMatch(/^keystage-audit\/\d{4}\/\d{2}\/\d{2}\/[0-9a-f-]{36}$/);
    expect(new CloudWatchLogsAuditSink({ logGroupName: GROUP }).logStreamName).not.toBe(audit.logStreamName);
  });

  it('refuses a missing log group name, and client with clientConfig', () => {
    expect(() => new CloudWatchLogsAuditSink({ logGroupName: '' })).toThrow(
      expect.objectContaining({ field: 'logGroupName' }),
    );
    expect(
      () =>
        new CloudWatchLogsAuditSink({
          logGroupName: GROUP,
          client: new CloudWatchLogsClient({}),
          clientConfig: {},
        }),
    ).toThrow(expect.objectContaining({ field: 'clientConfig' }));
  });

  it('shows no key or event when inspected or serialised', () => {
    const audit = sink({ pseudonymise: { key: Buffer.alloc(32, 0x5a) } });
    const shown = `${inspect(audit, { depth: 10 })}${JSON.stringify(audit)}`;
    expect(shown).not.toContain(Buffer.alloc(32, 0x5a).toString('hex'));
    expect(shown).not.toContain('5a5a');
    expect(shown).toContain(STREAM);
  });
});
