import { MAX_TIMER_MS, validateInteger } from '../core';
import { ValidationError, show } from '../errors';

/**
 * The data-key cache of an {@link EnvelopeEncryption}: the Encryption SDK's caching
 * materials manager over its local (LRU) materials cache. A cached data key is reused until
 * the first of its limits is reached; every limit is required, so nothing is cached without
 * bounds. Decryption materials are cached too (by message header), so reading the same
 * message again asks KMS nothing until `maxAgeMs` passes.
 */
export interface DataKeyCacheOptions {
  /** How long a data key may be used, in milliseconds. 1 to 2^31-1. */
  readonly maxAgeMs: number;
  /** How many messages one data key may encrypt. 1 to 2^32 (the SDK's limit). */
  readonly maxMessagesEncrypted: number;
  /** How many plaintext bytes one data key may encrypt. 1 to 2^53-1 (the SDK allows 2^63-1). */
  readonly maxBytesEncrypted: number;
  /**
   * How many data keys (encryption and decryption materials) are held at once; the least
   * recently used is zeroed and dropped first. Expired keys are zeroed when next looked up
   * or pushed out, so a small capacity keeps stale keys out of memory.
   * @default 100
   */
  readonly capacity?: number;
}

/** The SDK's bound on messages per cached data key (Maximum.MESSAGES_PER_CACHED_KEY_LIMIT). */
export const MAX_MESSAGES_PER_DATA_KEY = 2 ** 32;
/** The largest byte count a JavaScript number holds exactly; the SDK's own bound is 2^63-1. */
export const MAX_BYTES_PER_DATA_KEY = Number.MAX_SAFE_INTEGER;
const MAX_CAPACITY = 100_000;
const DEFAULT_CAPACITY = 100;

const KNOWN = new Set(['maxAgeMs', 'maxMessagesEncrypted', 'maxBytesEncrypted', 'capacity']);

/** DataKeyCacheOptions, checked, capacity resolved. */
export type CheckedCacheOptions = Required<DataKeyCacheOptions>;

/**
 * Checks the cache options: an object with every limit present and inside the SDK's bounds.
 * @example
 * checkDataKeyCacheOptions({ maxAgeMs: 300_000, maxMessagesEncrypted: 1000, maxBytesEncrypted: 2 ** 30 });
 */
export function checkDataKeyCacheOptions(value: unknown, field = 'cache'): CheckedCacheOptions {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(
      field,
      `${field} must be { maxAgeMs, maxMessagesEncrypted, maxBytesEncrypted, capacity? }, got ${show(value)}.`,
    );
  }
  const unknown = Object.keys(value).find((key) => !KNOWN.has(key));
  if (unknown !== undefined) {
    throw new ValidationError(
      `${field}.${unknown}`,
      `${field}.${unknown} is not a data-key cache option: use ${[...KNOWN].join(', ')}.`,
    );
  }
  const given = value as Partial<DataKeyCacheOptions>;
  for (const limit of ['maxAgeMs', 'maxMessagesEncrypted', 'maxBytesEncrypted'] as const) {
    if (given[limit] === undefined) {
      throw new ValidationError(
        `${field}.${limit}`,
        `${field}.${limit} is required: a cached data key is bounded by age, messages and bytes, all three.`,
      );
    }
  }
  return {
    maxAgeMs: validateInteger(given.maxAgeMs, `${field}.maxAgeMs`, 1, MAX_TIMER_MS),
    maxMessagesEncrypted: validateInteger(
      given.maxMessagesEncrypted,
      `${field}.maxMessagesEncrypted`,
      1,
      MAX_MESSAGES_PER_DATA_KEY,
    ),
    maxBytesEncrypted: validateInteger(
      given.maxBytesEncrypted,
      `${field}.maxBytesEncrypted`,
      1,
      MAX_BYTES_PER_DATA_KEY,
    ),
    capacity:
      given.capacity === undefined
        ? DEFAULT_CAPACITY
        : validateInteger(given.capacity, `${field}.capacity`, 1, MAX_CAPACITY),
  };
}

/** Lookups in the data-key cache; a miss is a lookup that found nothing usable. */
export interface CacheCounts {
  readonly hits: number;
  readonly misses: number;
}
