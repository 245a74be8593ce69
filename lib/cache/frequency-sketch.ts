/**
 * How often each secret was read lately, in bounded memory: a count-min sketch (four rows of
 * 4-bit counters; each read counted in one counter per row; the estimate is the smallest)
 * that halves every counter after 10 reads per cached secret, so old popularity fades. This
 * is TinyLFU's frequency filter as Caffeine sizes it: 16 counters (8 bytes) per secret the
 * cache holds, growing with the cache up to maxEntries (rounded up to a power of two), so a
 * cache of 1000 secrets spends 8 KB on it. Fewer counters would let a scan of ten times as
 * many one-off secrets fill them and look as popular as the secrets in use.
 *
 * Keys are hashed with a seeded function (seed from node:crypto), so which secrets share a
 * counter cannot be chosen from outside.
 */

/** The low six bits of every hash are zero: the eviction policy keeps its flags there (see eviction.ts). */
export const HASH_MASK = ~0x3f;
const MAX_COUNT = 15;
const ROW_SEEDS = [0x97cb3127, 0xc2b2ae35, 0x85ebca6b, 0x27d4eb2f] as const;
const ROWS = ROW_SEEDS.length;
/** Counters per row for each secret the sketch is sized for (16 in all, as in Caffeine). */
const COUNTERS_PER_SECRET = 4;
/** The sketch starts this small and grows with the cache, so a large maxEntries costs nothing up front. */
const MIN_CAPACITY = 16;

/** A seeded 32-bit hash of a string (FNV-1a steps, then MurmurHash3's finaliser), with HASH_MASK applied. */
export function hashKey(key: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & HASH_MASK;
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

export class FrequencySketch {
  readonly #maxCapacity: number;
  /** Secrets the sketch is sized for: a power of two. */
  #capacity = 0;
  /** Counters per row (4 per secret), two to a byte. */
  #width = 0;
  #table = new Uint8Array(0);
  #additions = 0;

  constructor(maxEntries: number) {
    this.#maxCapacity = nextPowerOfTwo(Math.max(MIN_CAPACITY, maxEntries));
    this.#resize(Math.min(this.#maxCapacity, MIN_CAPACITY));
  }

  /**
   * Widens the sketch for a cache now holding `size` secrets (up to maxEntries). The counts
   * start over, as in Caffeine: they are only a guide to admission.
   */
  ensureCapacity(size: number): void {
    if (size > this.#capacity && this.#capacity < this.#maxCapacity)
      this.#resize(Math.min(this.#maxCapacity, nextPowerOfTwo(size)));
  }

  /** Bytes held, for tests of the bound. */
  get bytes(): number {
    return this.#table.byteLength;
  }

  /** Counts `count` reads of `hash` (conservative update: only the smallest counters grow). */
  increment(hash: number, count = 1): void {
    const target = Math.min(MAX_COUNT, this.frequency(hash) + count);
    for (let row = 0; row < ROWS; row++) {
      const counter = this.#counter(hash, row);
      if (this.#read(counter) < target) this.#write(counter, target);
    }
    this.#additions += count;
    if (this.#additions >= 10 * this.#capacity) this.#age();
  }

  /** The estimated reads of `hash` since the counts last halved (0 to 15; never an underestimate). */
  frequency(hash: number): number {
    let least = MAX_COUNT;
    for (let row = 0; row < ROWS; row++) least = Math.min(least, this.#read(this.#counter(hash, row)));
    return least;
  }

  #counter(hash: number, row: number): number {
    let h = Math.imul(hash ^ ROW_SEEDS[row]!, 0x9e3779b1);
    h ^= h >>> 15;
    return row * this.#width + (h & (this.#width - 1));
  }

  #read(counter: number): number {
    return (this.#table[counter >>> 1]! >>> ((counter & 1) << 2)) & MAX_COUNT;
  }

  #write(counter: number, value: number): void {
    const shift = (counter & 1) << 2;
    const byte = counter >>> 1;
    this.#table[byte] = (this.#table[byte]! & ~(MAX_COUNT << shift)) | (value << shift);
  }

  /** Halves every counter, so a secret popular an hour ago does not outrank one popular now. */
  #age(): void {
    const table = this.#table;
    for (let i = 0; i < table.length; i++) table[i] = (table[i]! >>> 1) & 0x77;
    this.#additions = Math.floor(this.#additions / 2);
  }

  #resize(capacity: number): void {
    this.#capacity = capacity;
    this.#width = capacity * COUNTERS_PER_SECRET;
    this.#table = new Uint8Array((this.#width * ROWS) / 2);
    this.#additions = 0;
  }
}
