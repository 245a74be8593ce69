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
   * How many secrets are kept; the least recently used go first.
   * @default 1000
   */
  readonly maxEntries?: number;
  /**
   * The time source, in milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
}

export interface ResolvedCacheOptions {
  readonly ttlMs: number;
  readonly refreshAheadMs: number;
  readonly maxStaleMs: number;
  readonly maxEntries: number;
  readonly now: () => number;
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
  return { ttlMs, refreshAheadMs, maxStaleMs, maxEntries, now };
}
