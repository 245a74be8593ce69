import { validateInteger } from '../core';
import { ValidationError, show } from '../errors';
import type { RateLimitStore } from './rate-limit-store';

export interface InProcessRateLimitStoreOptions {
  /**
   * How many buckets are kept at most. Past it the buckets least recently used are dropped,
   * which forgets those principals' recent requests (they may then burst again): size it
   * above the number of principals active within one window. About 100 bytes per bucket.
   * @default 100_000
   */
  readonly maxKeys?: number;
}

const US_PER_MS = 1_000;

/**
 * The default {@link RateLimitStore}: token buckets in this process's memory, so limits
 * hold per process (N processes allow up to N times the limit; share a store across the
 * fleet to make them global).
 *
 * Each bucket is one number, the GCRA "theoretical arrival time" in whole microseconds: a
 * full bucket lets `limit` requests through at once, then one per `windowMs / limit`
 * (rounded down to the microsecond). That is exact for the bucket (no sampling or window
 * weighting), and so is `retryAfterMs`, rounded up to the millisecond. As for any token
 * bucket, one sliding window can see up to twice the limit (a full burst, then what
 * refills during the window); over longer periods the rate is the limit.
 *
 * Memory is bounded without timers or scans on the request path: buckets live in two
 * generations. Requests use the current one; when it holds `maxKeys / 2` buckets, or a
 * window has passed since it began, it becomes the previous one and the previous one is
 * dropped. A bucket in use moves to the current generation, so what is dropped is what was
 * least recently used: after a window of disuse every bucket has refilled and dropping it
 * loses nothing (the idle timeout); only the size cap can drop a bucket still refilling,
 * which `evictedActive` counts.
 * @example
 * const rateLimitStore = new InProcessRateLimitStore({ maxKeys: 10_000 });
 * const secrets = new SecretsClient({ policy, principal, rateLimitStore });
 */
export class InProcessRateLimitStore implements RateLimitStore {
  readonly #generationSize: number;
  /** key -> theoretical arrival time, in microseconds of the caller's clock. */
  #current = new Map<string, number>();
  #previous = new Map<string, number>();
  /** When the current generation began; undefined before the first request. */
  #began: number | undefined;
  #evictedActive = 0;

  constructor(options: InProcessRateLimitStoreOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new ValidationError(
        'options',
        `InProcessRateLimitStore options must be an object, got ${show(options)}.`,
      );
    }
    const maxKeys = validateInteger(options.maxKeys ?? 100_000, 'maxKeys', 2, 100_000_000);
    this.#generationSize = Math.floor(maxKeys / 2);
  }

  take(key: string, limit: number, windowMs: number, now: number): number {
    // A limit below one request per window never lets anything through.
    if (!(limit >= 1)) return windowMs;
    if (this.#began === undefined) this.#began = now;
    else if (now - this.#began >= windowMs) this.#rotate(now * US_PER_MS);
    // Whole microseconds: sums of fractional milliseconds (an hour / 7) drift, and a burst
    // of exactly `limit` would then be refused at its last request.
    const nowUs = Math.round(now * US_PER_MS);
    const windowUs = windowMs * US_PER_MS;
    let known = this.#current.get(key);
    if (known === undefined) {
      known = this.#previous.get(key);
      // Brought into the current generation, refused or not: a principal still knocking
      // must not be dropped with the idle ones, which would refill its bucket.
      if (known !== undefined) {
        this.#previous.delete(key);
        this.#keep(key, known, nowUs);
      }
    }
    const arrival = (known === undefined || known < nowUs ? nowUs : known) + Math.floor(windowUs / limit);
    // The bucket is empty when taking would put its arrival time more than a window ahead.
    if (arrival - nowUs > windowUs) return Math.ceil((arrival - nowUs - windowUs) / US_PER_MS);
    this.#keep(key, arrival, nowUs);
    return 0;
  }

  /** How many buckets are held. */
  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  /** Buckets the `maxKeys` cap dropped before they had refilled (their counts were lost). */
  get evictedActive(): number {
    return this.#evictedActive;
  }

  /** Forgets every count. */
  clear(): void {
    this.#current = new Map();
    this.#previous = new Map();
    this.#began = undefined;
  }

  #keep(key: string, arrival: number, nowUs: number): void {
    const current = this.#current;
    if (current.size >= this.#generationSize && !current.has(key)) this.#rotate(nowUs);
    this.#current.set(key, arrival);
  }

  #rotate(nowUs: number): void {
    // One pass per generation, so constant time per request on average.
    for (const arrival of this.#previous.values()) if (arrival > nowUs) this.#evictedActive++;
    this.#previous = this.#current;
    this.#current = new Map();
    this.#began = nowUs / US_PER_MS;
  }
}
