import { fullJitterMs } from '../core/jitter';

/**
 * Backoff for failed refreshes: after the k-th failure in a row, the next refresh of that
 * label may start after a delay drawn uniformly from [0, min(MAX, BASE * 2^(k-1))] ("full
 * jitter", which spreads retries of many processes best). Reads in between are answered from
 * the cache (fresh, or stale within maxStale) without starting one. A success resets it.
 */
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 30_000;

/** The refresh of one label: the call in flight, if any, and the failures before it. */
export class Refresh {
  promise: Promise<unknown> | undefined = undefined;
  failures = 0;
  /** Cache time (see SecretCache) before which no new refresh starts. */
  retryAt = 0;
  /** The last failure was passing (throttling, 5xx, network): past expiry, serve stale at once. */
  servesStale = false;

  /** Whether a read at `time` may start a refresh. */
  mayStart(time: number): boolean {
    return this.promise === undefined && time >= this.retryAt;
  }

  /** Records a failure at `time`; `randomInt(n)` is a uniform integer in [0, n). */
  failed(time: number, randomInt: (max: number) => number, passing: boolean): void {
    this.failures++;
    this.servesStale = passing;
    this.retryAt = time + fullJitterMs(this.failures, BACKOFF_BASE_MS, BACKOFF_MAX_MS, randomInt);
  }
}
