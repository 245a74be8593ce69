import fc from 'fast-check';
import { compileFilterPattern } from '../../../lib/local/logs/filter-pattern';
import { wildcardMatch } from '../../../lib/local/logs/wildcard';

const json = (value: unknown) => JSON.stringify(value);

describe('filter patterns', () => {
  it('matches every event when empty or absent', () => {
    expect(compileFilterPattern(undefined)('anything')).toBe(true);
    expect(compileFilterPattern('  ')('anything')).toBe(true);
  });

  it('needs every plain term, at least one ?term and no -term', () => {
    const matches = compileFilterPattern('GET ?200 ?304 -health');
    expect(['GET / 200', 'GET /x 304', 'GET /health 200', 'POST / 200', 'GET / 500'].map(matches)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('keeps a quoted phrase whole, with escaped quotes', () => {
    const matches = compileFilterPattern('"said \\"no\\""');
    expect(matches('he said "no" twice')).toBe(true);
    expect(matches('he said no')).toBe(false);
  });

  it('compares JSON strings, numbers, booleans and null along nested selectors', () => {
    const event = json({ a: { b: 'x-1' }, list: [{ n: 5 }], ok: true, none: null });
    for (const [pattern, expected] of [
      ['{ $.a.b = "x-*" }', true],
      ['{ $.a.b = "x" }', false],
      ['{ $.list[0].n >= 5 && $.list[0].n < 6 }', true],
      ['{ $.list[0].n != 5 }', false],
      ['{ $.ok IS TRUE }', true],
      ['{ $.ok IS FALSE }', false],
      ['{ $.none IS NULL }', true],
      ['{ $.missing NOT EXISTS && $.a EXISTS }', true],
      ['{ ($.a.b = "y" || $.ok IS TRUE) && $.none IS NULL }', true],
      ['{ $.missing != "x" }', false],
    ] as const) {
      expect([pattern, compileFilterPattern(pattern)(event)]).toEqual([pattern, expected]);
    }
  });

  it('never matches a JSON pattern against a message that is not a JSON object or list', () => {
    expect(compileFilterPattern('{ $.a = "b" }')('a = b')).toBe(false);
    expect(compileFilterPattern('{ $.a = "b" }')('{ not json')).toBe(false);
  });

  it.each([
    ['{ $.a > "text" }'],
    ['{ a = "b" }'],
    ['{ $.a = "b" } extra'],
    ['{ $.a IS MAYBE }'],
    ['{ $. = 1 }'],
  ])('refuses %s with InvalidParameterException', (pattern) => {
    expect(() => compileFilterPattern(pattern)).toThrow(
      expect.objectContaining({ type: 'InvalidParameterException' }),
    );
  });

  it('matches wildcards as an anchored regular expression with .* for * would', () => {
    const alphabet = fc.constantFrom('a', 'b', '*', '.', '/');
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 12 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '.', '/'), maxLength: 16 }),
        (pattern, text) => {
          const reference = new RegExp(
            `^${pattern
              .split('*')
              .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
              .join('.*')}$`,
            's',
          );
          expect(wildcardMatch(text, pattern)).toBe(reference.test(text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('matches a long wildcard pattern against a long message quickly', () => {
    const text = 'a'.repeat(100_000);
    const started = process.hrtime.bigint();
    expect(wildcardMatch(text, `${'*a'.repeat(500)}b`)).toBe(false);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2000);
  });
});
