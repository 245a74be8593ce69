import { HASH_MASK, type FrequencySketch } from './frequency-sketch';

/**
 * Which secrets stay when the cache is full: W-TinyLFU, as Caffeine does it, simplified.
 *
 * A new secret enters a small window (1% of maxEntries, at least 1), oldest out first. When
 * it leaves the window it may join the main region only by displacing the main region's
 * victim, and only if the frequency sketch says it was read more often lately; otherwise it
 * is the one evicted. The main region picks its victim with CLOCK: a secret read since the
 * hand last passed has its reads counted and gets a second chance at the back.
 *
 * So a scan of more secrets than fit (a cyclic read of 10 × maxEntries ids, which leaves
 * LRU, CLOCK and SIEVE with no hits at all) cannot flush the cache: the secrets already in
 * the main region keep hitting. And on skewed workloads the popular secrets win their place.
 *
 * Hits cost one small-integer update on the entry (`recordHit`); the sketch is updated when
 * a secret is added and when the policy looks at it, never on the hot path.
 */

/** What the policy keeps on each cached secret: list links and one small integer. */
export interface Evictable<T> {
  prev: T | undefined;
  next: T | undefined;
  /** The key's hash (HASH_MASK bits), the LINKED and MAIN flags, and the reads not yet counted (0-15). */
  meta: number;
}

const READS = 0xf;
const MAIN = 0x10;
const LINKED = 0x20;

/** A hit: counts one read on the entry, up to 15 until the policy next looks at it. */
export function recordHit<T>(entry: Evictable<T>): void {
  const meta = entry.meta;
  if ((meta & READS) !== READS) entry.meta = meta + 1;
}

/** A list through the entries' own links, so membership costs no allocation. */
class Queue<T extends Evictable<T>> {
  head: T | undefined = undefined;
  tail: T | undefined = undefined;
  size = 0;

  push(entry: T): void {
    entry.prev = this.tail;
    entry.next = undefined;
    if (this.tail === undefined) this.head = entry;
    else this.tail.next = entry;
    this.tail = entry;
    this.size++;
  }

  remove(entry: T): void {
    if (entry.prev === undefined) this.head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === undefined) this.tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = undefined;
    entry.next = undefined;
    this.size--;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let entry = this.head; entry !== undefined; entry = entry.next) yield entry;
  }
}

export class EvictionPolicy<T extends Evictable<T>> {
  readonly #window = new Queue<T>();
  readonly #main = new Queue<T>();
  readonly #windowCapacity: number;
  readonly #mainCapacity: number;

  constructor(
    maxEntries: number,
    private readonly sketch: FrequencySketch,
    /** Called for each secret the policy drops, already unlinked. */
    private readonly onEvict: (entry: T) => void,
  ) {
    this.#windowCapacity = Math.max(1, Math.floor(maxEntries / 100));
    this.#mainCapacity = maxEntries - this.#windowCapacity;
  }

  get size(): number {
    return this.#window.size + this.#main.size;
  }

  /** A secret new to the cache (its hash in `meta`): counted, put in the window, the cache trimmed to maxEntries. */
  add(entry: T): void {
    entry.meta = (entry.meta & HASH_MASK) | LINKED;
    this.#window.push(entry);
    this.sketch.ensureCapacity(this.size);
    while (this.#window.size > this.#windowCapacity) this.#leaveWindow(this.#window.head!);
  }

  /** Takes a secret out (invalidation); a no-op for one the policy no longer holds. */
  remove(entry: T): void {
    if ((entry.meta & LINKED) === 0) return;
    (entry.meta & MAIN ? this.#main : this.#window).remove(entry);
    entry.meta &= ~(LINKED | MAIN);
  }

  /** Forgets every secret, without calling onEvict. */
  clear(): void {
    for (const queue of [this.#window, this.#main]) {
      for (let entry = queue.head; entry !== undefined;) {
        const next = entry.next;
        entry.prev = entry.next = undefined;
        entry.meta &= ~(LINKED | MAIN);
        entry = next;
      }
      queue.head = queue.tail = undefined;
      queue.size = 0;
    }
  }

  /** Every secret held, window first. */
  *[Symbol.iterator](): IterableIterator<T> {
    yield* this.#window;
    yield* this.#main;
  }

  /**
   * The read that brought the candidate in is counted only after the decision: counted
   * before, it would make every newcomer look more popular than a resident read as often,
   * and a cyclic scan would flush the main region after all.
   */
  #leaveWindow(candidate: T): void {
    this.#window.remove(candidate);
    this.#countReads(candidate);
    if (this.#main.size < this.#mainCapacity) this.#joinMain(candidate);
    else {
      const victim = this.#victim();
      if (victim !== undefined && this.#frequency(candidate) > this.#frequency(victim)) {
        this.#main.remove(victim);
        this.#evict(victim);
        this.#joinMain(candidate);
      } else {
        this.#evict(candidate);
      }
    }
    this.sketch.increment(candidate.meta & HASH_MASK);
  }

  /** CLOCK: the first secret from the front not read since the hand last passed it. */
  #victim(): T | undefined {
    for (;;) {
      const head = this.#main.head;
      if (head === undefined || (head.meta & READS) === 0) return head;
      this.#countReads(head);
      this.#main.remove(head);
      this.#main.push(head);
    }
  }

  #joinMain(entry: T): void {
    entry.meta |= MAIN;
    this.#main.push(entry);
  }

  #evict(entry: T): void {
    entry.meta &= ~(LINKED | MAIN);
    this.onEvict(entry);
  }

  #countReads(entry: T): void {
    const reads = entry.meta & READS;
    if (reads === 0) return;
    this.sketch.increment(entry.meta & HASH_MASK, reads);
    entry.meta -= reads;
  }

  #frequency(entry: T): number {
    return this.sketch.frequency(entry.meta & HASH_MASK);
  }
}
