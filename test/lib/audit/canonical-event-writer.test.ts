import fc from 'fast-check';
import type { AuditEvent } from '../../../lib/audit/audit-event';
import { CanonicalEventWriter } from '../../../lib/audit/canonical-event-writer';
import { canonicalEventJson, canonicalJson } from '../../../lib/audit/canonical-json';

const EVENT: AuditEvent = {
  timestamp: '2026-05-01T12:00:00.000Z',
  event_type: 'secret_access',
  user_id: 'ana',
  user_email: null,
  service: 'billing',
  secret_name: 'prod/billing/db',
  environment: 'prod',
  action: 'get',
  ip_address: null,
  user_agent: null,
  success: true,
  cache_hit: true,
  version_id: null,
  reason: null,
  request_id: '00000000-0000-4000-8000-000000000000',
  details: null,
  seq: 1,
  prev: '0'.repeat(64),
};

// Few values per field, some needing escapes, so events share fields and change them.
const few = fc.constantFrom<string | null>(null, 'a', 'b"c', 'prod/billing/db', '\u2028é', '\ud800');
const event = fc.record({
  timestamp: fc.constantFrom('2026-05-01T12:00:00.000Z', '2026-05-01T12:00:00.001Z'),
  event_type: fc.constantFrom('secret_access', 'access_denied'),
  user_id: few,
  user_email: few,
  service: few,
  secret_name: few,
  environment: few,
  action: fc.constantFrom('get', null),
  ip_address: few,
  user_agent: few,
  success: fc.boolean(),
  cache_hit: fc.boolean(),
  version_id: few,
  reason: few,
  request_id: few,
  details: fc.constantFrom(null, { batch_size: 2 }),
  seq: fc.nat(),
  prev: fc.constantFrom('0'.repeat(64), 'f'.repeat(64)),
});
const FIELDS = ['same', ...Object.keys(EVENT)] as const;

describe('CanonicalEventWriter', () => {
  describe('line', () => {
    it('writes what canonicalJson writes, event after event, fields repeated or not', () => {
      // Each event is the previous one with at most one field taken from a fresh one, so
      // the runs the writer keeps are hit, and missed by one field at a time.
      const steps = fc.array(fc.tuple(event, fc.constantFrom(...FIELDS)), { minLength: 1, maxLength: 30 });
      fc.assert(
        fc.property(steps, (plan) => {
          const writer = new CanonicalEventWriter();
          let previous: Record<string, unknown> = plan[0]![0];
          for (const [fresh, field] of plan) {
            previous =
              field === 'same'
                ? { ...previous }
                : { ...previous, [field]: (fresh as Record<string, unknown>)[field] };
            expect(writer.line(previous as unknown as AuditEvent)).toBe(canonicalJson(previous));
            // Equal strings that are other objects: the writer compares values, not objects.
            const copy = JSON.parse(JSON.stringify(previous)) as AuditEvent;
            expect(writer.line(copy)).toBe(canonicalEventJson(copy));
          }
        }),
        { numRuns: 500 },
      );
    });

    it('sees details changed in place between two events', () => {
      const writer = new CanonicalEventWriter();
      const details: Record<string, number> = { batch_size: 2 };
      const first = writer.line({ ...EVENT, details });
      details['batch_size'] = 3;
      const second = writer.line({ ...EVENT, details });
      expect([first, second]).toEqual([
        canonicalJson({ ...EVENT, details: { batch_size: 2 } }),
        canonicalJson({ ...EVENT, details: { batch_size: 3 } }),
      ]);
    });
  });
});
