import { AuditStream } from '../../../lib/audit/audit-stream';
import { hmacCheckpoints, type CheckpointSigner } from '../../../lib/audit/checkpoint';
import { verifyAuditTrail } from '../../../lib/audit/verify-audit-trail';
import { AuditUnavailableError, ServiceUnavailableError } from '../../../lib/errors';
import type { Logger } from '../../../lib/observability';
import { MemoryTransport, entry, settle } from './audit-fixtures';

const KEY = hmacCheckpoints(Buffer.alloc(32, 1), 'k1');

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: object) =>
    void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

describe('AuditStream', () => {
  describe('fail-open (record without acknowledge)', () => {
    it('queues the event and returns at once, writing it after the interval', async () => {
      jest.useFakeTimers();
      try {
        const transport = new MemoryTransport();
        const stream = new AuditStream(transport, { flushIntervalMs: 500 });
        expect(stream.record(entry(), false)).toBeUndefined();
        expect(transport.writes).toHaveLength(0);
        await jest.advanceTimersByTimeAsync(500);
        expect(transport.events).toHaveLength(1);
      } finally {
        jest.useRealTimers();
      }
    });

    it('never waits on a destination that does not answer', async () => {
      const transport = new MemoryTransport();
      transport.hold();
      const stream = new AuditStream(transport);
      const stuck = stream.record(entry(), true);
      await settle();
      expect(transport.writes).toHaveLength(1);
      const answers = Array.from({ length: 1000 }, () => stream.record(entry(), false));
      expect(answers.every((answer) => answer === undefined)).toBe(true);
      expect(stream.stats().buffered).toBe(1001);
      transport.release();
      await stuck;
    });

    it('starts a batch without waiting once 1,000 events wait', async () => {
      const transport = new MemoryTransport();
      const stream = new AuditStream(transport, { flushIntervalMs: 60_000 });
      for (let i = 0; i < 1000; i++) stream.record(entry(), false);
      await settle();
      expect(transport.events).toHaveLength(1000);
    });

    it('drops and counts events that find the buffer full, logging once per burst', async () => {
      const transport = new MemoryTransport();
      const logger = recordingLogger();
      const stream = new AuditStream(transport, { maxBufferedEvents: 3, flushIntervalMs: 60_000, logger });
      for (let i = 0; i < 10; i++) stream.record(entry(), false);
      expect(stream.stats()).toMatchObject({ recorded: 10, dropped: 7, buffered: 3 });
      expect(logger.lines.filter((line) => line.includes('audit events dropped'))).toHaveLength(1);
    });

    it('keeps events for a later attempt while the destination fails, and writes them when it is back', async () => {
      const transport = new MemoryTransport();
      transport.failing = new ServiceUnavailableError('down');
      const stream = new AuditStream(transport);
      stream.record(entry({ secret_name: 'a' }), false);
      stream.record(entry({ secret_name: 'b' }), false);
      await expect(stream.flush()).rejects.toBeInstanceOf(AuditUnavailableError);
      expect(stream.stats()).toMatchObject({ written: 0, dropped: 0, buffered: 2 });
      transport.failing = undefined;
      await stream.flush();
      expect(transport.events.map((event) => [event.seq, event.secret_name])).toEqual([
        [1, 'a'],
        [2, 'b'],
      ]);
    });

    it('logs a failing destination once, not once per attempt', async () => {
      const transport = new MemoryTransport();
      transport.failing = new ServiceUnavailableError('down');
      const logger = recordingLogger();
      const stream = new AuditStream(transport, { logger });
      stream.record(entry(), false);
      for (let i = 0; i < 3; i++) await stream.flush().catch(() => undefined);
      expect(transport.writes).toHaveLength(3);
      expect(logger.lines.filter((line) => line.includes('audit write failed'))).toHaveLength(1);
    });
  });

  describe('fail-closed (record with acknowledge)', () => {
    it('resolves once the destination has accepted the event, synced', async () => {
      const transport = new MemoryTransport();
      transport.hold();
      const stream = new AuditStream(transport);
      let accepted = false;
      const recorded = stream.record(entry(), true)!.then(() => (accepted = true));
      await settle();
      expect(accepted).toBe(false);
      transport.release();
      await recorded;
      expect(transport.events).toHaveLength(1);
      expect(transport.durable).toEqual([true]);
    });

    it('puts concurrent events in one write (group commit)', async () => {
      const transport = new MemoryTransport();
      const stream = new AuditStream(transport);
      await Promise.all(Array.from({ length: 100 }, () => stream.record(entry(), true)));
      expect(transport.writes).toHaveLength(1);
      expect(transport.writes[0]).toHaveLength(100);
    });

    it('puts events that arrive while a write is in flight in the next write', async () => {
      const transport = new MemoryTransport();
      transport.hold();
      const stream = new AuditStream(transport);
      const first = stream.record(entry(), true);
      await settle();
      const later = Array.from({ length: 50 }, () => stream.record(entry(), true));
      transport.release();
      await Promise.all([first, ...later]);
      expect(transport.writes.map((batch) => batch.length)).toEqual([1, 50]);
    });

    it('rejects with AUDIT_UNAVAILABLE when the destination fails, keeping nothing of it', async () => {
      const transport = new MemoryTransport();
      transport.failing = new ServiceUnavailableError('down');
      const stream = new AuditStream(transport);
      const error = await stream.record(entry(), true)!.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AuditUnavailableError);
      expect(error).toMatchObject({ code: 'AUDIT_UNAVAILABLE', retryable: true, sink: 'MemoryTransport' });
      expect(stream.stats()).toMatchObject({ buffered: 0, dropped: 1 });
    });

    it('takes a failed batch out of the chain, so the next one leaves no gap', async () => {
      const transport = new MemoryTransport();
      const stream = new AuditStream(transport);
      await stream.record(entry(), true);
      transport.failing = new ServiceUnavailableError('down');
      await stream.record(entry(), true)!.catch(() => undefined);
      transport.failing = undefined;
      await stream.record(entry(), true);
      expect(transport.events.map((event) => event.seq)).toEqual([1, 2]);
      expect((await verifyAuditTrail(transport.events)).valid).toBe(true);
    });

    it('keeps the part of a batch the destination took, and fails only the rest', async () => {
      const transport = new MemoryTransport();
      transport.hold();
      const stream = new AuditStream(transport);
      const blocker = stream.record(entry(), true);
      await settle();
      const batch = [0, 1, 2].map(() =>
        stream.record(entry(), true)!.then(
          () => 'ok',
          () => 'failed',
        ),
      );
      transport.failing = new ServiceUnavailableError('down');
      transport.partial = 1;
      transport.release();
      await blocker!.catch(() => undefined);
      expect(await Promise.all(batch)).toEqual(['ok', 'failed', 'failed']);
    });

    it('fails the events the destination rejects (too old, too new)', async () => {
      const transport = new MemoryTransport();
      transport.rejectIndexes = [1];
      const stream = new AuditStream(transport);
      const results = await Promise.all(
        [0, 1, 2].map(() =>
          stream.record(entry(), true)!.then(
            () => 'ok',
            (error: unknown) => (error as Error).name,
          ),
        ),
      );
      expect(results).toEqual(['ok', 'AuditUnavailableError', 'ok']);
      expect(stream.stats()).toMatchObject({ written: 2, dropped: 1 });
    });

    it('rejects once the buffer is full', async () => {
      const transport = new MemoryTransport();
      transport.hold();
      const stream = new AuditStream(transport, { maxBufferedEvents: 1 });
      const first = stream.record(entry(), true);
      await expect(stream.record(entry(), true)).rejects.toBeInstanceOf(AuditUnavailableError);
      transport.release();
      await first;
    });
  });

  describe('checkpoints', () => {
    it('signs the chain head every N events', async () => {
      const transport = new MemoryTransport();
      const stream = new AuditStream(transport, { checkpoints: { key: KEY, everyEvents: 5 } });
      for (let i = 0; i < 12; i++) await stream.record(entry(), true);
      await stream.flush();
      await settle();
      await stream.flush();
      const checkpoints = transport.events.filter((event) => event.event_type === 'audit_checkpoint');
      expect(checkpoints.map((event) => event.details?.['covers_seq'])).toEqual([5, 11]);
      const report = await verifyAuditTrail(transport.events, { verifier: KEY });
      expect(report).toMatchObject({ valid: true, verifiedCheckpoints: 2 });
    });

    it('signs at least every T milliseconds while events arrive', async () => {
      jest.useFakeTimers();
      try {
        const transport = new MemoryTransport();
        const stream = new AuditStream(transport, {
          flushIntervalMs: 100,
          checkpoints: { key: KEY, everyMs: 1000 },
        });
        stream.record(entry(), false);
        await jest.advanceTimersByTimeAsync(1200);
        expect(transport.events.map((event) => event.event_type)).toEqual([
          'secret_access',
          'audit_checkpoint',
        ]);
      } finally {
        jest.useRealTimers();
      }
    });

    it('signs the last event the destination stored, not one it rejected', async () => {
      const transport = new MemoryTransport();
      transport.rejectIndexes = [2];
      const stream = new AuditStream(transport, { checkpoints: { key: KEY, everyEvents: 2 } });
      await Promise.all([0, 1, 2].map(() => stream.record(entry(), true)?.catch(() => undefined)));
      transport.rejectIndexes = [];
      await settle();
      await stream.flush();
      const checkpoints = transport.events.filter((event) => event.event_type === 'audit_checkpoint');
      expect(checkpoints.map((event) => event.details?.['covers_seq'])).toEqual([2]);
    });

    it('writes a final checkpoint on close, so the whole trail is signed', async () => {
      const transport = new MemoryTransport();
      const stream = new AuditStream(transport, { checkpoints: { key: KEY } });
      for (let i = 0; i < 3; i++) stream.record(entry(), false);
      await stream.close();
      const report = await verifyAuditTrail(transport.events, { verifier: KEY });
      expect(report).toMatchObject({ valid: true, signedThroughSeq: 3, unsignedEvents: 0 });
      expect(transport.closed).toBe(true);
    });

    it('counts a checkpoint the key could not sign, and signs at the next one', async () => {
      let fail = true;
      const flaky: CheckpointSigner = {
        keyId: 'k1',
        sign: (message) =>
          fail ? Promise.reject(new ServiceUnavailableError('kms down')) : KEY.sign(message),
      };
      const transport = new MemoryTransport();
      const stream = new AuditStream(transport, { checkpoints: { key: flaky, everyEvents: 2 } });
      for (let i = 0; i < 2; i++) await stream.record(entry(), true);
      await settle();
      expect(stream.stats().checkpointFailures).toBe(1);
      fail = false;
      await Promise.all([stream.record(entry(), true), stream.record(entry(), true)]);
      await settle();
      await stream.flush();
      expect(stream.stats().checkpoints).toBe(1);
      expect((await verifyAuditTrail(transport.events, { verifier: KEY })).signedThroughSeq).toBe(4);
    });
  });

  describe('close', () => {
    it('writes what is buffered, then refuses new events', async () => {
      const transport = new MemoryTransport();
      const stream = new AuditStream(transport, { flushIntervalMs: 60_000 });
      stream.record(entry(), false);
      await stream.close();
      expect(transport.events).toHaveLength(1);
      await expect(stream.record(entry(), true)).rejects.toBeInstanceOf(AuditUnavailableError);
      expect(stream.record(entry(), false)).toBeUndefined();
      expect(stream.stats().dropped).toBe(2);
    });
  });

  it('pseudonymises user_id, user_email and ip_address before chaining', async () => {
    const transport = new MemoryTransport();
    const stream = new AuditStream(transport, { pseudonymise: { key: Buffer.alloc(32, 3) } });
    await stream.record(entry(), true);
    const [event] = transport.events;
    expect(event).toMatchObject({
      user_id: expect.stringMatching(/^hmac:[0-9a-f]{32}$/),
      service: 'billing',
    });
    expect(JSON.stringify(event)).not.toMatch(/ana@example.com|203\.0\.113\.7|"ana"/);
  });

  it('replaces details too large for the destination, and still writes the event', async () => {
    const transport = new MemoryTransport();
    transport.maxEventBytes = 2000;
    const stream = new AuditStream(transport);
    await stream.record(
      entry({ details: { keys: Array.from({ length: 500 }, (_, i) => `key-${i}`) } }),
      true,
    );
    expect(transport.events[0]!.details).toEqual({ details_omitted: 'too large for the destination' });
  });

  it('rejects options that are not positive integers', () => {
    expect(() => new AuditStream(new MemoryTransport(), { maxBufferedEvents: 0 })).toThrow(
      /maxBufferedEvents/,
    );
  });
});
