import { fullJitterMs } from '../../../lib/core/jitter';

/** The largest delay `fullJitterMs` can draw: the ceiling, with a "random" that always picks the top. */
const ceiling = (attempt: number, baseMs: number, maxMs: number) =>
  fullJitterMs(attempt, baseMs, maxMs, (max) => max - 1);

describe('fullJitterMs', () => {
  it('draws up to a ceiling that starts at the base and doubles per attempt, up to the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => ceiling(attempt, 100, 5000))).toEqual([
      100, 200, 400, 800, 1600, 3200, 5000,
    ]);
    expect(ceiling(1_000, 100, 5000)).toBe(5000); // no overflow to Infinity
    expect(ceiling(0, 100, 5000)).toBe(100);
  });

  it('draws from zero to the ceiling, both included', () => {
    expect(fullJitterMs(3, 100, 5000, () => 0)).toBe(0);
    const asked: number[] = [];
    fullJitterMs(3, 100, 5000, (max) => (asked.push(max), 0));
    expect(asked).toEqual([401]);
  });

  it('uses node:crypto by default: every value within bounds, and not all the same', () => {
    const drawn = Array.from({ length: 200 }, () => fullJitterMs(2, 100, 5000));
    for (const value of drawn) expect(value >= 0 && value <= 200 && Number.isInteger(value)).toBe(true);
    expect(new Set(drawn).size).toBeGreaterThan(10);
  });
});
