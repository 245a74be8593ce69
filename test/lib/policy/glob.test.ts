import fc from 'fast-check';
import { compileGlob, type SecretGlob } from '../../../lib/policy';

const glob = (pattern: string): SecretGlob => {
  const result = compileGlob(pattern);
  if (!result.ok) throw new TypeError(`test pattern ${pattern} ${result.problem}`);
  return result.glob;
};

/**
 * The reference: the definition, recursively, with no cleverness. `**` is any number of whole
 * segments (none included); elsewhere `*` is any run of characters within one segment.
 */
function reference(pattern: string, name: string): boolean {
  const p = pattern.split('/');
  const s = name.split('/');
  const segment = (pp: string, ss: string): boolean => {
    if (pp.length === 0) return ss.length === 0;
    if (pp[0] === '*') return segment(pp.slice(1), ss) || (ss.length > 0 && segment(pp, ss.slice(1)));
    return ss.length > 0 && pp[0] === ss[0] && segment(pp.slice(1), ss.slice(1));
  };
  const walk = (i: number, j: number): boolean => {
    if (i === p.length) return j === s.length;
    if (p[i] === '**') return walk(i + 1, j) || (j < s.length && walk(i, j + 1));
    return j < s.length && segment(p[i]!, s[j]!) && walk(i + 1, j + 1);
  };
  return walk(0, 0);
}

describe('compileGlob', () => {
  describe('matches', () => {
    it.each<[string, string, boolean]>([
      ['prod/billing/db', 'prod/billing/db', true],
      ['prod/billing/db', 'prod/billing/db2', false],
      ['prod/*', 'prod/db', true],
      ['prod/*', 'prod/billing/db', false],
      ['prod/*/db', 'prod/billing/db', true],
      ['prod/*-db', 'prod/billing-db', true],
      ['prod/*-db', 'prod/billing/x-db', false],
      ['prod/a*b*c', 'prod/aXbYc', true],
      ['prod/a*b*c', 'prod/acb', false],
      ['prod/**', 'prod', true],
      ['prod/**', 'prod/billing/db', true],
      ['prod/**', 'production/db', false],
      ['**/db', 'db', true],
      ['**/db', 'prod/billing/db', true],
      ['prod/**/db', 'prod/db', true],
      ['prod/**/db', 'prod/a/b/c/db', true],
      ['prod/**/db', 'prod/a/b/c/dbx', false],
      ['**', '', true],
      ['*', 'prod/db', false],
    ])('%s against %s is %s', (pattern, name, expected) => {
      expect(glob(pattern).matches(name)).toBe(expected);
    });

    it('agrees with the recursive reference on small patterns and names', () => {
      const segment = fc.string({ unit: fc.constantFrom('a', 'b', '-'), maxLength: 3 });
      const patternSegment = fc.oneof(
        { weight: 1, arbitrary: fc.constant('**') },
        {
          weight: 4,
          arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', '-', '*'), minLength: 1, maxLength: 4 }),
        },
      );
      const pattern = fc
        .array(patternSegment, { minLength: 1, maxLength: 5 })
        .map((segments) =>
          segments.map((s) => (s !== '**' && s.includes('**') ? s.replace(/\*+/g, '*') : s)).join('/'),
        );
      const name = fc.array(segment, { minLength: 1, maxLength: 6 }).map((segments) => segments.join('/'));
      fc.assert(
        fc.property(pattern, name, (p, n) => {
          const expected = reference(p, n);
          return glob(p).matches(n) === expected && glob(p).matchesSegments(n.split('/')) === expected;
        }),
        { numRuns: 20_000 },
      );
    });

    it('agrees with the reference on names built to match (the positive cases are not rare)', () => {
      const literal = fc.string({ unit: fc.constantFrom('a', 'b'), minLength: 1, maxLength: 2 });
      fc.assert(
        fc.property(
          fc.array(fc.tuple(literal, fc.constantFrom('lit', 'star', 'deep')), { minLength: 1, maxLength: 5 }),
          (parts) => {
            const pattern = parts
              .map(([l, kind]) => (kind === 'lit' ? l : kind === 'star' ? `${l}*` : '**'))
              .join('/');
            const name = parts.map(([l, kind]) => (kind === 'deep' ? `${l}/${l}` : `${l}x`)).join('/');
            return glob(pattern).matches(name) === reference(pattern, name);
          },
        ),
        { numRuns: 5_000 },
      );
    });

    it('answers a pathological pattern on a long name quickly (no backtracking)', () => {
      // A backtracking matcher tries every way to split the name among the **s: exponential.
      const pattern = `${Array.from({ length: 20 }, () => '**/a*a*a*a').join('/')}/b`;
      const name = Array.from({ length: 2000 }, () => 'aaaaaaaa').join('/');
      const compiled = glob(pattern);
      const started = process.hrtime.bigint();
      expect(compiled.matches(name)).toBe(false);
      expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(50);
    });

    it('answers a segment with many stars against a long segment quickly', () => {
      const compiled = glob(`${'a*'.repeat(100)}b`);
      const started = process.hrtime.bigint();
      expect(compiled.matches('a'.repeat(100_000))).toBe(false);
      expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(50);
    });
  });

  describe('refuses', () => {
    it.each<[string, string, RegExp]>([
      ['an empty pattern', '', /is empty/],
      ['a leading slash', '/prod/db', /empty segment/],
      ['a trailing slash', 'prod/', /empty segment/],
      ['a doubled slash', 'prod//db', /empty segment/],
      ['** inside a segment', 'prod/a**', /\*\* must be a whole segment/],
      ['*** as a segment', 'prod/***', /\*\* must be a whole segment/],
      ['a question mark', 'prod/db?', /character no secret name has/],
      ['a regular expression', 'prod/(a|b)', /character no secret name has/],
      ['a pattern longer than 512 characters', 'a'.repeat(513), /longer than 512/],
    ])('%s', (_what, pattern, problem) => {
      const result = compileGlob(pattern);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.problem).toMatch(problem);
    });
  });
});
