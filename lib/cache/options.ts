import { randomInt as cryptoRandomInt } from 'node:crypto';
import { ValidationError, show } from '../errors';

/** The largest delay a Node timer honours; longer ones fire after 1 ms. */
const MAX_MS = 2 ** 31 - 1;

export interface SecretCacheOptions {
  /**
   * How long a label (AWSCURRENT, AWSPREVIOUS, ...) is trusted to point at the same version.
   * Values are cached by VersionId and never go stale; only this mapping expires.
   * @default 300_000 (5 minutes)
   */
  readonly ttlMs?: number;
  /**
   * How long before expiry a read starts one background refresh, so hot keys never wait.
   * Must be less than `ttlMs`.
   * @default ttlMs / 5
   */
  readonly refreshAheadMs?: number;
  /**
   * After expiry, how long the last good value may be served while refreshes fail with a
   * retryable error (throttling, 5xx, network). Never for not-found, denied or revoked.
   * @default 900_000 (15 minutes)
   */
  readonly maxStaleMs?: number;
  /**
   * How many secrets are kept. When full, a secret read for the first time is admitted only
   * if it was read more often lately than the one it would displace (W-TinyLFU), so a scan of
   * many secrets cannot flush the ones in use.
   * @default 1000
   */
  readonly maxEntries?: number;
  /**
   * The time source, in milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * The random source: a uniform integer in [0, max). Draws the jitter of refresh backoff and
   * the seed of the frequency sketch's hash. Inject it (with `now`) to make tests exact.
   * @default crypto.randomInt
   */
  readonly randomInt?: (max: number) => number;
}

export interface ResolvedCacheOptions {
  readonly ttlMs: number;
  readonly refreshAheadMs: number;
  readonly maxStaleMs: number;
  readonly maxEntries: number;
  readonly now: () => number;
  readonly randomInt: (max: number) => number;
}

function duration(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_MS) {
    throw new ValidationError(
      field,
      `${field} must be a finite number of milliseconds above 0 and at most ${MAX_MS} (a Node timer limit), got ${show(value)}.`,
    );
  }
  return value;
}

/** Checks every option; a bad one is a ValidationError naming it. */
export function resolveCacheOptions(options: SecretCacheOptions = {}): ResolvedCacheOptions {
  const ttlMs = duration(options.ttlMs ?? 300_000, 'ttlMs');
  const refreshAheadMs = duration(options.refreshAheadMs ?? ttlMs / 5, 'refreshAheadMs');
  if (refreshAheadMs >= ttlMs) {
    throw new ValidationError(
      'refreshAheadMs',
      `refreshAheadMs (${refreshAheadMs}) must be less than ttlMs (${ttlMs}).`,
    );
  }
  const maxStaleMs = duration(options.maxStaleMs ?? 900_000, 'maxStaleMs');
  const maxEntries = options.maxEntries ?? 1000;
  if (
    typeof maxEntries !== 'number' ||
    !Number.isInteger(maxEntries) ||
    maxEntries < 1 ||
    maxEntries > 10_000_000
  ) {
    throw new ValidationError(
      'maxEntries',
      `maxEntries must be an integer from 1 to 10000000, got ${show(maxEntries)}.`,
    );
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function')
    throw new ValidationError('now', 'now must be a function returning milliseconds.');
  const randomInt = options.randomInt ?? ((max: number) => cryptoRandomInt(max));
  if (typeof randomInt !== 'function')
    throw new ValidationError('randomInt', 'randomInt must be a function returning an integer in [0, max).');
  return { ttlMs, refreshAheadMs, maxStaleMs, maxEntries, now, randomInt };
}
