import fc from 'fast-check';
import type { AuditEvent } from '../../../lib/audit/audit-event';
import { canonicalEventJson, canonicalJson, sha256Hex } from '../../../lib/audit/canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[true,null]},"b":1}',
    );
  });

  it('leaves out properties whose value is undefined, as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
  });

  it('gives the same text whatever order the keys were written in', () => {
    expect(canonicalJson({ z: 1, y: { b: 2, a: 1 } })).toBe(canonicalJson({ y: { a: 1, b: 2 }, z: 1 }));
  });

  it('round-trips: parsing and serialising again gives the same text (random JSON)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('escapes strings exactly as JSON.stringify does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(canonicalJson({ k: text })).toBe(`{"k":${JSON.stringify(text)}}`);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sha256Hex', () => {
  it('is the hex SHA-256 of the UTF-8 text', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('canonicalEventJson', () => {
  const text = fc.option(fc.string({ unit: 'binary' }), { nil: null });
  const event = fc.record({
    timestamp: fc.string({ unit: 'binary' }),
    event_type: fc.constantFrom('secret_access', 'secret_change', 'audit_checkpoint'),
    user_id: text,
    user_email: text,
    service: text,
    secret_name: text,
    environment: text,
    action: fc.constantFrom('get', 'put', null),
    ip_address: text,
    user_agent: text,
    success: fc.boolean(),
    cache_hit: fc.boolean(),
    version_id: text,
    reason: text,
    request_id: text,
    details: fc.option(
      fc.dictionary(fc.string(), fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.boolean())),
      {
        nil: null,
      },
    ),
    seq: fc.nat(),
    prev: fc.stringMatching(/^[0-9a-f]{64}$/),
  });

  it('writes exactly what canonicalJson writes for any event', () => {
    fc.assert(
      fc.property(event, (value) => {
        expect(canonicalEventJson(value as AuditEvent)).toBe(canonicalJson(value));
      }),
      { numRuns: 1000 },
    );
  });
});
