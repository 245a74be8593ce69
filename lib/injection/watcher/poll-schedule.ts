import { randomInt } from 'node:crypto';
import { ThrottledError } from '../../errors';

const RESOLUTION = 1_000_000;

/** A uniform fraction in [0, 1], from node:crypto. */
function fraction(): number {
  return randomInt(RESOLUTION + 1) / RESOLUTION;
}

/** The wait before the next scheduled poll: `intervalMs × [1 - jitter, 1 + jitter]`, uniform, mean `intervalMs`. */
export function jitteredInterval(intervalMs: number, jitter: number): number {
  return jitter === 0 ? intervalMs : intervalMs * (1 - jitter + 2 * jitter * fraction());
}

/**
 * The wait after the `failures`-th failed poll in a row: between half and all of
 * `min(maxBackoffMs, intervalMs × 2^failures)` ("equal jitter": spread, yet never sooner than
 * half the ceiling), and never before a throttling error's `retryAfterMs`.
 */
export function backoffDelay(
  failures: number,
  intervalMs: number,
  maxBackoffMs: number,
  error: unknown,
): number {
  const ceiling = Math.min(maxBackoffMs, intervalMs * 2 ** Math.min(failures, 30));
  const wait = ceiling / 2 + (ceiling / 2) * fraction();
  const retryAfter = error instanceof ThrottledError ? (error.retryAfterMs ?? 0) : 0;
  return Math.max(wait, Math.min(retryAfter, maxBackoffMs));
}
