import { randomBytes } from 'node:crypto';
import { randomFromAlphabet, randomIndices, randomString } from '../../../lib/generate';
import { countSymbols, looksUniform } from '../../support/chi-square';

const DRAWS = 1_000_000;

/** Draws DRAWS indices in the sizes randomIndices accepts. */
function draw(n: number): Uint32Array {
  const counts = new Uint32Array(n);
  for (let done = 0; done < DRAWS; done += 65_536) {
    const batch = randomIndices(Math.min(65_536, DRAWS - done), n);
    const partial = countSymbols(batch, n);
    for (let i = 0; i < n; i++) counts[i]! += partial[i]!;
  }
  return counts;
}

/** What a naive generator does: byte % n, which favours the first 256 % n symbols. */
function moduloBiased(n: number, bits = 8): Uint32Array {
  const bytes = randomBytes(DRAWS);
  const mask = (1 << bits) - 1;
  const counts = new Uint32Array(n);
  for (const byte of bytes) counts[(byte & mask) % n]!++;
  return counts;
}

describe('randomIndices', () => {
  it.each([3, 62, 94])('is uniform over %i symbols in 10^6 draws (chi-square, p = 1e-6)', (n) => {
    const counts = draw(n);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(DRAWS);
    expect(looksUniform(counts)).toBe(true);
  });

  it.each([62, 94])('the same check rejects a modulo-biased generator over %i symbols', (n) => {
    expect(looksUniform(moduloBiased(n))).toBe(false);
  });

  // With 8-bit bytes the bias for 3 symbols is 86:85:85, too small for 10^6 draws to show
  // reliably; 7-bit values give 43:43:42, which the check must catch.
  it('the same check rejects a modulo-biased generator over 3 symbols (7-bit source)', () => {
    expect(looksUniform(moduloBiased(3, 7))).toBe(false);
  });

  it('returns exactly count indices below the alphabet size', () => {
    const indices = randomIndices(10_000, 7);
    expect(indices).toHaveLength(10_000);
    expect(Math.max(...indices)).toBeLessThan(7);
  });

  it('handles an alphabet of one and of 256', () => {
    expect([...randomIndices(5, 1)]).toEqual([0, 0, 0, 0, 0]);
    expect(randomIndices(5, 256)).toHaveLength(5);
  });

  it.each([[0], [257], [1.5], [NaN]])('rejects alphabet size %p', (n) => {
    expect(() => randomIndices(1, n)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'alphabetSize' }),
    );
  });
});

describe('randomFromAlphabet', () => {
  it('uses only the alphabet', () => {
    expect(randomFromAlphabet('xyz', 500)).toMatch(/^[xyz]{500}$/);
  });

  it('rejects repeated characters, which would be favoured', () => {
    expect(() => randomFromAlphabet('aab', 4)).toThrow(expect.objectContaining({ field: 'alphabet' }));
  });
});

describe('randomString', () => {
  it.each([
    ['hex', /^[0-9a-f]{40}$/],
    ['base62', /^[A-Za-z0-9]{40}$/],
    ['base64url', /^[A-Za-z0-9_-]{40}$/],
  ] as const)('produces %s', (encoding, pattern) => {
    expect(randomString(40, encoding)).toMatch(pattern);
  });

  it('defaults to base62 and never repeats in practice', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => randomString(22)));
    expect(seen.size).toBe(1000);
  });

  it('rejects bad lengths and encodings', () => {
    expect(() => randomString(0)).toThrow(expect.objectContaining({ field: 'length' }));
    expect(() => randomString(65_537)).toThrow(expect.objectContaining({ field: 'length' }));
    expect(() => randomString(8, 'base32' as 'hex')).toThrow(expect.objectContaining({ field: 'encoding' }));
  });
});
