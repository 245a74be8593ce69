/** A sort key: compared element by element, numbers numerically, strings by code unit. */
export type IndexKey = readonly (string | number)[];

export interface IndexEntry<V> {
  readonly key: IndexKey;
  readonly value: V;
}

export function compareKeys(a: IndexKey, b: IndexKey): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * Keys in sorted order with O(log n) seeks and inserts that move at most a chunk: a list of
 * sorted chunks (the layout of Python's sortedcontainers). Keys must be unique; callers end
 * each key with a unique tiebreaker such as a sequence number.
 */
export class OrderedIndex<V> {
  #chunks: IndexEntry<V>[][] = [];
  #size = 0;

  /** @param chunk entries per chunk (a chunk splits at twice this): a short memmove per insert */
  constructor(private readonly chunk = 512) {}

  get size(): number {
    return this.#size;
  }

  /** Replaces the contents with `entries` (any order): one sort instead of n inserts. */
  load(entries: IndexEntry<V>[]): void {
    const sorted = [...entries].sort((a, b) => compareKeys(a.key, b.key));
    this.#chunks = [];
    for (let i = 0; i < sorted.length; i += this.chunk) this.#chunks.push(sorted.slice(i, i + this.chunk));
    this.#size = sorted.length;
  }

  insert(key: IndexKey, value: V): void {
    this.insertEntry({ key, value });
  }

  /**
   * Inserts an entry as it is, so that indexes over the same rows can share one entry
   * object (and its key) instead of holding a copy each.
   */
  insertEntry(entry: IndexEntry<V>): void {
    const key = entry.key;
    if (this.#chunks.length === 0) {
      this.#chunks.push([entry]);
      this.#size = 1;
      return;
    }
    const c = Math.min(this.#chunkFor(key), this.#chunks.length - 1);
    const chunk = this.#chunks[c]!;
    chunk.splice(lowerBound(chunk, key), 0, entry);
    this.#size++;
    if (chunk.length > 2 * this.chunk) this.#chunks.splice(c + 1, 0, chunk.splice(this.chunk));
  }

  /** Removes the entry with exactly this key; false when there is none. */
  delete(key: IndexKey): boolean {
    const c = this.#chunkFor(key);
    const chunk = this.#chunks[c];
    if (chunk === undefined) return false;
    const i = lowerBound(chunk, key);
    if (i >= chunk.length || compareKeys(chunk[i]!.key, key) !== 0) return false;
    chunk.splice(i, 1);
    this.#size--;
    if (chunk.length === 0) this.#chunks.splice(c, 1);
    return true;
  }

  first(): IndexEntry<V> | undefined {
    return this.#chunks[0]?.[0];
  }

  /**
   * Entries in order, starting strictly after `after` (ascending) or strictly before it
   * (descending); from the start or the end without it.
   */
  *scan(descending = false, after?: IndexKey): Generator<IndexEntry<V>> {
    if (!descending) {
      let c = after === undefined ? 0 : this.#chunkFor(after);
      let i = after === undefined ? 0 : upperBound(this.#chunks[c] ?? [], after);
      for (; c < this.#chunks.length; c++, i = 0) {
        const chunk = this.#chunks[c]!;
        for (; i < chunk.length; i++) yield chunk[i]!;
      }
      return;
    }
    let c = Math.min(
      after === undefined ? this.#chunks.length : this.#chunkFor(after),
      this.#chunks.length - 1,
    );
    let i =
      after === undefined ? (this.#chunks[c]?.length ?? 0) - 1 : lowerBound(this.#chunks[c] ?? [], after) - 1;
    while (c >= 0) {
      const chunk = this.#chunks[c]!;
      for (; i >= 0; i--) yield chunk[i]!;
      c--;
      i = (this.#chunks[c]?.length ?? 0) - 1;
    }
  }

  /** The first chunk whose last key is >= key (the chunk count when there is none). */
  #chunkFor(key: IndexKey): number {
    let low = 0;
    let high = this.#chunks.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const chunk = this.#chunks[mid]!;
      if (compareKeys(chunk[chunk.length - 1]!.key, key) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

function lowerBound<V>(chunk: readonly IndexEntry<V>[], key: IndexKey): number {
  let low = 0;
  let high = chunk.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareKeys(chunk[mid]!.key, key) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

function upperBound<V>(chunk: readonly IndexEntry<V>[], key: IndexKey): number {
  let low = 0;
  let high = chunk.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareKeys(chunk[mid]!.key, key) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
