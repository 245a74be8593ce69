/**
 * Pearson's chi-square test of uniformity for counts over `n` symbols, against the
 * critical value at p = 1e-6. A fair generator fails it about once in a million runs;
 * a biased one with enough samples fails it every time.
 */

/** Pearson's statistic: sum over symbols of (observed - expected)^2 / expected, expected = total / n. */
export function chiSquareStatistic(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const expected = total / counts.length;
  let statistic = 0;
  for (let i = 0; i < counts.length; i++) statistic += (counts[i]! - expected) ** 2 / expected;
  return statistic;
}

/**
 * Wilson-Hilferty approximation of the chi-square quantile; z = 4.753 is one-sided p = 1e-6.
 * For small degrees of freedom it errs high (df = 2: 30.3 against the exact 27.6), which
 * only makes a false alarm rarer.
 */
export function chiSquareCritical(degreesOfFreedom: number, z = 4.753): number {
  const k = degreesOfFreedom;
  return k * (1 - 2 / (9 * k) + z * Math.sqrt(2 / (9 * k))) ** 3;
}

/** How often each index 0..n-1 occurs in `indices`. */
export function countSymbols(indices: ArrayLike<number>, n: number): Uint32Array {
  const counts = new Uint32Array(n);
  for (let i = 0; i < indices.length; i++) counts[indices[i]!]!++;
  return counts;
}

/** True when the counts pass the chi-square test of uniformity at p = 1e-6. */
export function looksUniform(counts: ArrayLike<number>): boolean {
  return chiSquareStatistic(counts) < chiSquareCritical(counts.length - 1);
}
