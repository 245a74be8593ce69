import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { AuditChain, auditEventHash } from '../../../lib/audit/audit-chain';
import type { AuditEvent } from '../../../lib/audit/audit-event';
import { checkpointEntry, checkpointMessage, hmacCheckpoints } from '../../../lib/audit/checkpoint';
import { verifyAuditTrail, type AuditTrailProblem } from '../../../lib/audit/verify-audit-trail';
import { entry, trail } from './audit-fixtures';

const KEY = hmacCheckpoints(Buffer.alloc(32, 7), 'test-key');

/** The kinds and places a report names, for comparing with what a test did. */
const where = (problems: readonly AuditTrailProblem[]) =>
  problems.map(({ kind, index, seq }) => ({ kind, index, seq }));

/** A trail of `count` events followed by a signed checkpoint over the last of them. */
async function signedTrail(count: number, key = KEY): Promise<AuditEvent[]> {
  const chain = new AuditChain();
  const events: AuditEvent[] = [];
  for (let i = 0; i < count; i++) {
    const sealed = chain.seal(entry({ secret_name: `prod/app/s${i}` }, i));
    chain.advance(sealed);
    events.push(sealed.event);
  }
  const head = chain.head;
  const signed = await key.sign(checkpointMessage(head, key.keyId));
  const checkpoint = chain.seal(checkpointEntry(new Date().toISOString(), head, key.keyId, signed, count));
  chain.advance(checkpoint);
  return [...events, checkpoint.event];
}

/** Recomputes every link from `from` on, as someone rewriting the trail would. */
function rechain(events: AuditEvent[], from: number): AuditEvent[] {
  const out = events.slice(0, from);
  for (let i = from; i < events.length; i++) {
    const prev = i === 0 ? '0'.repeat(64) : auditEventHash(out[i - 1]!);
    out.push({ ...events[i]!, prev });
  }
  return out;
}

const CONTENT_FIELDS = [
  'secret_name',
  'user_id',
  'success',
  'timestamp',
  'details',
  'version_id',
  'reason',
  'cache_hit',
] as const;

function alter(event: AuditEvent, field: (typeof CONTENT_FIELDS)[number]): AuditEvent {
  switch (field) {
    case 'success':
    case 'cache_hit':
      return { ...event, [field]: !event[field] };
    case 'details':
      return { ...event, details: { injected: true } };
    case 'timestamp':
      return { ...event, timestamp: new Date(Date.parse(event.timestamp) + 1).toISOString() };
    default:
      return { ...event, [field]: `${String(event[field])}x` };
  }
}

describe('verifyAuditTrail', () => {
  it('accepts an intact trail', async () => {
    const report = await verifyAuditTrail(trail(20));
    expect(report).toMatchObject({ valid: true, events: 20, problems: [] });
  });

  it('accepts an empty trail', async () => {
    expect((await verifyAuditTrail([])).valid).toBe(true);
  });

  describe('finds one change wherever it is made (random trails and positions)', () => {
    const sizes = fc.integer({ min: 3, max: 40 });

    it('a deleted event, by the seq missing and the event after the gap', async () => {
      await fc.assert(
        fc.asyncProperty(
          sizes.chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 2 }))),
          async ([n, at]) => {
            const events = trail(n);
            events.splice(at, 1);
            const report = await verifyAuditTrail(events);
            expect(where(report.problems)).toEqual([{ kind: 'deleted', index: at, seq: at + 1 }]);
            expect(report.problems[0]!.missing).toEqual({ from: at + 1, to: at + 1 });
          },
        ),
        { numRuns: 200 },
      );
    });

    it('an inserted event, forged to follow its predecessor or not', async () => {
      await fc.assert(
        fc.asyncProperty(
          sizes.chain((n) =>
            fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }), fc.boolean(), fc.nat()),
          ),
          async ([n, at, mimic, noise]) => {
            const events = trail(n);
            const before = events[at - 1];
            const forged: AuditEvent = {
              ...entry({ secret_name: 'prod/app/forged', success: false }),
              seq: mimic ? (before?.seq ?? 0) + 1 : noise,
              prev: mimic
                ? before === undefined
                  ? '0'.repeat(64)
                  : auditEventHash(before)
                : createHash('sha256').update(String(noise)).digest('hex'),
            };
            events.splice(at, 0, forged);
            const report = await verifyAuditTrail(events);
            expect(where(report.problems)).toEqual([{ kind: 'inserted', index: at, seq: forged.seq }]);
          },
        ),
        { numRuns: 200 },
      );
    });

    it('a copy of an event inserted elsewhere', async () => {
      await fc.assert(
        fc.asyncProperty(
          sizes.chain((n) =>
            fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n })),
          ),
          async ([n, from, to]) => {
            const events = trail(n);
            const copy = events[from]!;
            events.splice(to, 0, copy);
            const report = await verifyAuditTrail(events);
            expect(report.problems).toHaveLength(1);
            expect(report.problems[0]!.kind).toBe('inserted');
            expect([to, to <= from ? from + 1 : from]).toContain(report.problems[0]!.index);
          },
        ),
        { numRuns: 200 },
      );
    });

    it('a moved event, at its new place (an adjacent swap names one of the two)', async () => {
      await fc.assert(
        fc.asyncProperty(
          sizes.chain((n) =>
            fc
              .tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }))
              .filter(([, a, b]) => a !== b),
          ),
          async ([n, from, to]) => {
            const events = trail(n);
            const [moved] = events.splice(from, 1);
            events.splice(to, 0, moved!);
            const report = await verifyAuditTrail(events);
            expect(report.problems).toHaveLength(1);
            expect(report.problems[0]!.kind).toBe('reordered');
            const places = Math.abs(from - to) === 1 ? [from, to] : [to];
            expect(places).toContain(report.problems[0]!.index);
          },
        ),
        { numRuns: 200 },
      );
    });

    it('an altered field, at the event changed', async () => {
      await fc.assert(
        fc.asyncProperty(
          sizes.chain((n) =>
            fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 2 }), fc.constantFrom(...CONTENT_FIELDS)),
          ),
          async ([n, at, field]) => {
            const events = trail(n);
            events[at] = alter(events[at]!, field);
            const report = await verifyAuditTrail(events);
            expect(where(report.problems)).toEqual([{ kind: 'altered', index: at, seq: at + 1 }]);
          },
        ),
        { numRuns: 200 },
      );
    });

    it('an altered prev, at the event changed', async () => {
      await fc.assert(
        fc.asyncProperty(
          sizes.chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 2 }))),
          async ([n, at]) => {
            const events = trail(n);
            events[at] = { ...events[at]!, prev: 'f'.repeat(64) };
            const report = await verifyAuditTrail(events);
            expect(where(report.problems)).toEqual([{ kind: 'altered', index: at, seq: at + 1 }]);
          },
        ),
        { numRuns: 200 },
      );
    });

    it('an altered seq, at the event changed', async () => {
      await fc.assert(
        fc.asyncProperty(
          sizes.chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.integer({ min: 0, max: n - 2 }),
              fc.integer({ min: -5, max: 5 }).filter((d) => d !== 0),
            ),
          ),
          async ([n, at, shift]) => {
            const events = trail(n);
            events[at] = { ...events[at]!, seq: events[at]!.seq + shift };
            const report = await verifyAuditTrail(events);
            expect(where(report.problems)).toEqual([{ kind: 'altered', index: at, seq: at + 1 + shift }]);
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  it('reports something that is not an event at all', async () => {
    const events: unknown[] = trail(3);
    events.splice(1, 0, { hello: 'world' });
    const report = await verifyAuditTrail(events as AuditEvent[]);
    expect(report.problems.map((p) => p.kind)).toContain('altered');
    expect(report.problems[0]!.index).toBe(1);
  });

  describe('checkpoints', () => {
    it('verifies a checkpoint’s MAC and says how far the trail is signed', async () => {
      const report = await verifyAuditTrail(await signedTrail(10), { verifier: KEY });
      expect(report).toMatchObject({
        valid: true,
        verifiedCheckpoints: 1,
        signedThroughSeq: 10,
        unsignedEvents: 0,
      });
    });

    it('counts the events after the last verified checkpoint as unsigned', async () => {
      const events = await signedTrail(4);
      const chain = new AuditChain({ seq: events.at(-1)!.seq, hash: auditEventHash(events.at(-1)!) });
      for (let i = 0; i < 3; i++) {
        const sealed = chain.seal(entry({}, 10_000 + i));
        chain.advance(sealed);
        events.push(sealed.event);
      }
      const report = await verifyAuditTrail(events, { verifier: KEY });
      expect(report).toMatchObject({ valid: true, signedThroughSeq: 4, unsignedEvents: 3 });
    });

    it('reports a checkpoint whose MAC does not verify', async () => {
      const events = await signedTrail(5);
      const last = events.at(-1)!;
      const mac = Buffer.from(String(last.details!['mac']), 'base64');
      mac[0]! ^= 1;
      events[events.length - 1] = { ...last, details: { ...last.details, mac: mac.toString('base64') } };
      const report = await verifyAuditTrail(events, { verifier: KEY });
      expect(where(report.problems)).toEqual([{ kind: 'bad_checkpoint', index: 5, seq: 6 }]);
      expect(report.signedThroughSeq).toBeUndefined();
    });

    it('reports a checkpoint signed with another key', async () => {
      const other = hmacCheckpoints(Buffer.alloc(32, 9), 'test-key');
      const report = await verifyAuditTrail(await signedTrail(5, other), { verifier: KEY });
      expect(where(report.problems)).toEqual([{ kind: 'bad_checkpoint', index: 5, seq: 6 }]);
    });

    it('finds an edit hidden by recomputing every link after it', async () => {
      const events = await signedTrail(8);
      events[2] = alter(events[2]!, 'secret_name');
      const rewritten = rechain(events, 3);
      const report = await verifyAuditTrail(rewritten, { verifier: KEY });
      expect(where(report.problems)).toEqual([{ kind: 'bad_checkpoint', index: 8, seq: 9 }]);
      expect(report.problems[0]!.message).toMatch(/rewritten/);
    });

    it('checks the head but not the MAC without a verifier', async () => {
      const report = await verifyAuditTrail(await signedTrail(3));
      expect(report).toMatchObject({
        valid: true,
        verifiedCheckpoints: 0,
        signedThroughSeq: undefined,
        unsignedEvents: 3,
      });
    });

    it('compares MACs in constant time', async () => {
      // The module object the library calls through (a namespace import would be a copy).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const spy = jest.spyOn(require('node:crypto') as typeof import('node:crypto'), 'timingSafeEqual');
      await verifyAuditTrail(await signedTrail(2), { verifier: KEY });
      expect(spy).toHaveBeenCalled();
      spy.mockRestore();
    });
  });

  describe('a window of a longer trail (partial)', () => {
    it('accepts a window that starts after seq 1', async () => {
      const events = (await signedTrail(10)).slice(4);
      const report = await verifyAuditTrail(events, { verifier: KEY, partial: true });
      expect(report).toMatchObject({ valid: true, signedThroughSeq: 10 });
    });

    it('reports the missing start when the trail is meant to be whole', async () => {
      const report = await verifyAuditTrail(trail(10).slice(4));
      expect(where(report.problems)).toEqual([{ kind: 'deleted', index: 0, seq: 1 }]);
    });
  });
});
