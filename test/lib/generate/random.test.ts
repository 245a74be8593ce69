// The module object itself (not a namespace copy), so jest.spyOn reaches what lib/ calls.
import crypto from 'node:crypto';
import { randomFromAlphabet, randomIndices, randomString } from '../../../lib/generate';
import { chiSquareCritical, chiSquareStatistic, countSymbols, looksUniform } from '../../support/chi-square';

const DRAWS = 1_000_000;
/** 257 distinct characters: one more than an alphabet may have. */
const TOO_MANY = Array.from({ length: 257 }, (_, i) => String.fromCharCode(0x100 + i)).join('');
/** randomIndices makes at most this many indices per call. */
const BATCH = 65_536;

/** Draws DRAWS indices through randomIndices, in the batch sizes it accepts. */
function draw(n: number): Uint32Array {
  const counts = new Uint32Array(n);
  for (let done = 0; done < DRAWS; done += BATCH) {
    const partial = countSymbols(randomIndices(Math.min(BATCH, DRAWS - done), n), n);
    for (let i = 0; i < n; i++) counts[i]! += partial[i]!;
  }
  return counts;
}

/** What a naive generator does: byte % n, which favours the first 256 % n symbols. */
function moduloBiased(n: number, bits = 8): Uint32Array {
  const bytes = crypto.randomBytes(DRAWS);
  const mask = (1 << bits) - 1;
  const counts = new Uint32Array(n);
  for (const byte of bytes) counts[(byte & mask) % n]!++;
  return counts;
}

/** Makes randomBytes return `pattern` repeated, for exact checks of the rejection rule. */
function feedBytes(pattern: readonly number[]): jest.SpyInstance {
  return jest
    .spyOn(crypto, 'randomBytes')
    .mockImplementation(((size: number) =>
      Buffer.from(Array.from({ length: size }, (_, i) => pattern[i % pattern.length]!))) as never);
}

describe('randomIndices', () => {
  afterEach(() => jest.restoreAllMocks());

  it.each([3, 62, 94])('is uniform over %i symbols in 10^6 draws (chi-square, p = 1e-6)', (n) => {
    const counts = draw(n);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(DRAWS);
    expect(chiSquareStatistic(counts)).toBeLessThan(chiSquareCritical(n - 1));
  });

  // Expected statistic of byte % n over 10^6 draws is df + N * n * sum((p_i - 1/n)^2):
  // about 6,650 for 62 symbols and 27,000 for 94, against critical values of 129 and 173.
  it.each([62, 94])('the same check rejects byte %% n over %i symbols (10^6 draws)', (n) => {
    expect(looksUniform(moduloBiased(n))).toBe(false);
  });

  // For 3 symbols, 8-bit byte % 3 is 86:85:85 and its expected statistic over 10^6 draws is
  // about 32.5, against a critical value of 30.3: caught only about half the time. A 7-bit
  // source (43:43:42) has an expected statistic near 124, which the check catches every time.
  it('the same check rejects byte %% 3 over a 7-bit source (10^6 draws; 8-bit bias is too small to see)', () => {
    expect(looksUniform(moduloBiased(3, 7))).toBe(false);
  });

  it('rejects bytes at or above 256 - 256 % n instead of folding them in', () => {
    // n = 6: 252..255 must be rejected; 253 % 6 would be index 1 if it were folded in.
    feedBytes([253, 5]);
    expect([...randomIndices(1000, 6)].every((index) => index === 5)).toBe(true);
  });

  it('accepts every byte below 256 - 256 % n', () => {
    feedBytes([251]);
    expect([...randomIndices(10, 6)]).toEqual(Array(10).fill(251 % 6));
  });

  it('asks randomBytes for its bytes in bulk, not one at a time', () => {
    const spy = jest.spyOn(crypto, 'randomBytes');
    randomIndices(BATCH, 94);
    expect(spy.mock.calls.length).toBeLessThanOrEqual(2);
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

  it.each([[0], [257], [1.5], [NaN], ['3']])('rejects alphabet size %p', (n) => {
    expect(() => randomIndices(1, n as number)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'alphabetSize' }),
    );
  });

  it.each([[-1], [1.5], [BATCH + 1]])('rejects count %p', (count) => {
    expect(() => randomIndices(count, 10)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'count' }),
    );
  });
});

describe('chiSquareCritical', () => {
  // For 2 degrees of freedom the tail is exactly exp(-x / 2), so the threshold's real false
  // alarm rate can be checked: it must not be above the 1e-6 the tests claim.
  it('is at least the exact p = 1e-6 quantile for 2 degrees of freedom', () => {
    expect(Math.exp(-chiSquareCritical(2) / 2)).toBeLessThanOrEqual(1e-6);
  });
});

describe('randomFromAlphabet', () => {
  it('uses only the alphabet', () => {
    expect(randomFromAlphabet('xyz', 500)).toMatch(/^[xyz]{500}$/);
  });

  it('counts characters as code points, never splitting one', () => {
    expect([...randomFromAlphabet('😀😁', 10)].every((ch) => ch === '😀' || ch === '😁')).toBe(true);
  });

  it('rejects repeated characters, which would be favoured', () => {
    expect(() => randomFromAlphabet('aab', 4)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'alphabet' }),
    );
  });

  it.each([
    ['empty', ''],
    ['257 distinct characters', TOO_MANY],
    ['a number', 42],
  ])('rejects an alphabet that is %s', (_, alphabet) => {
    expect(() => randomFromAlphabet(alphabet as string, 4)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'alphabet' }),
    );
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
    const seen = Array.from({ length: 1000 }, () => randomString(22));
    expect(seen.every((text) => /^[A-Za-z0-9]{22}$/.test(text))).toBe(true);
    expect(new Set(seen).size).toBe(1000);
  });

  it.each([[0], [65_537], [2.5], [NaN]])('rejects length %p', (length) => {
    expect(() => randomString(length)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'length' }),
    );
  });

  it.each([['base32'], ['toString'], ['__proto__']])('rejects encoding %p', (encoding) => {
    expect(() => randomString(8, encoding as 'hex')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'encoding' }),
    );
  });
});
