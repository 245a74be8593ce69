import { randomInt } from 'node:crypto';

/**
 * The delay before retry number `attempt` (from 1) with "full jitter": uniform in
 * [0, min(maxMs, baseMs * 2^(attempt - 1))], which spreads the retries of many callers best.
 * `random(n)` is a uniform integer in [0, n): node:crypto's by default, a fake in tests.
 * @example
 * await sleep(fullJitterMs(failures, 100, 5000)); // 0-100 ms after the first failure
 */
export function fullJitterMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: (max: number) => number = randomInt,
): number {
  // The exponent is capped: past 2^30 the ceiling is maxMs anyway, and 2^1024 is Infinity.
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
  return random(ceiling + 1);
}
