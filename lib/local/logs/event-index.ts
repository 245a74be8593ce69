import type { IndexKey } from '../storage/ordered-index';
import type { EventBatch } from './event-batch';

/**
 * Where an event sits in its stream and its group: `[timestamp, batch id, index in the batch]`,
 * the order GetLogEvents and FilterLogEvents return events in (the batch id stands for the
 * ingestion order). Unique, so it is also a page position.
 */
export type EventKey = readonly [number, number, number];

/** A chunk starts this small and doubles, so a stream of a few events costs a few bytes. */
const FIRST_CAPACITY = 16;

/** One part of a key against an IndexKey part, as compareKeys orders them. */
function comparePart(x: number, y: string | number): number {
  if (x === y) return 0;
  if (typeof y === 'number') return x - y;
  return String(x) < y ? -1 : 1;
}

/**
 * compareKeys([timestamp, batch, index], key) without building the array: a seek compares
 * a page position (any IndexKey a token carries) with the entries it passes.
 */
function compareEvent(timestamp: number, batch: number, index: number, key: IndexKey): number {
  if (key.length === 0) return 3;
  const byTime = comparePart(timestamp, key[0]!);
  if (byTime !== 0 || key.length === 1) return byTime !== 0 ? byTime : 2;
  const byBatch = comparePart(batch, key[1]!);
  if (byBatch !== 0 || key.length === 2) return byBatch !== 0 ? byBatch : 1;
  const byIndex = comparePart(index, key[2]!);
  return byIndex !== 0 ? byIndex : 3 - key.length;
}

/** Sorted entries in three typed arrays: numbers outside the heap, not an object per event. */
class Chunk {
  length = 0;
  timestamps: Float64Array;
  batches: Float64Array;
  indexes: Uint32Array;

  /** @param max entries the chunk holds at most */
  constructor(
    capacity: number,
    readonly max: number,
  ) {
    this.timestamps = new Float64Array(capacity);
    this.batches = new Float64Array(capacity);
    this.indexes = new Uint32Array(capacity);
  }

  get full(): boolean {
    return this.length === this.max;
  }

  key(at: number): EventKey {
    return [this.timestamps[at]!, this.batches[at]!, this.indexes[at]!];
  }

  /** Entry `at` against an event key, numerically. */
  compareTo(at: number, timestamp: number, batch: number, index: number): number {
    return this.timestamps[at]! - timestamp || this.batches[at]! - batch || this.indexes[at]! - index;
  }

  /** The first entry >= the event key. */
  lowerBoundOf(timestamp: number, batch: number, index: number): number {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.compareTo(mid, timestamp, batch, index) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The first entry >= key (orEqual) or > key. */
  bound(key: IndexKey, orEqual: boolean): number {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const order = compareEvent(this.timestamps[mid]!, this.batches[mid]!, this.indexes[mid]!, key);
      if (order < 0 || (!orEqual && order === 0)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  insert(at: number, timestamp: number, batch: number, index: number): void {
    if (this.length === this.timestamps.length) this.#resize(Math.min(2 * this.length, this.max));
    this.timestamps.copyWithin(at + 1, at, this.length);
    this.batches.copyWithin(at + 1, at, this.length);
    this.indexes.copyWithin(at + 1, at, this.length);
    this.timestamps[at] = timestamp;
    this.batches[at] = batch;
    this.indexes[at] = index;
    this.length++;
  }

  remove(at: number): void {
    this.timestamps.copyWithin(at, at + 1, this.length);
    this.batches.copyWithin(at, at + 1, this.length);
    this.indexes.copyWithin(at, at + 1, this.length);
    this.length--;
  }

  /** Moves the entries from `from` on into a new chunk. */
  split(from: number): Chunk {
    const rest = new Chunk(this.max, this.max);
    rest.timestamps.set(this.timestamps.subarray(from, this.length));
    rest.batches.set(this.batches.subarray(from, this.length));
    rest.indexes.set(this.indexes.subarray(from, this.length));
    rest.length = this.length - from;
    this.length = from;
    return rest;
  }

  #resize(capacity: number): void {
    const grow = <A extends Float64Array | Uint32Array>(array: A, make: (n: number) => A): A => {
      const next = make(capacity);
      next.set(array.subarray(0, this.length));
      return next;
    };
    this.timestamps = grow(this.timestamps, (n) => new Float64Array(n));
    this.batches = grow(this.batches, (n) => new Float64Array(n));
    this.indexes = grow(this.indexes, (n) => new Uint32Array(n));
  }
}

/**
 * The events of a stream or a group in `[timestamp, batch, index]` order: the keys only, in
 * sorted chunks of typed arrays (the layout of {@link OrderedIndex}, without an object per
 * entry), with O(log n) seeks. Appending events newer than every other, the usual case, adds
 * them at the end of the last chunk.
 */
export class EventIndex {
  #chunks: Chunk[] = [];
  #size = 0;

  /**
   * @param chunk entries per chunk at most (at least 2): a full chunk splits in two, or, at
   *   the end, a new one starts; an insert moves at most a chunk
   */
  constructor(private readonly chunk = 1024) {}

  get size(): number {
    return this.#size;
  }

  /** Replaces the contents with the events of `batches` (any order). */
  load(batches: readonly EventBatch[]): void {
    this.#chunks = [];
    this.#size = 0;
    // By first event: batches that do not overlap in time then go in as appends.
    const ordered = [...batches].sort((a, b) => a.timestamp(0) - b.timestamp(0) || a.id - b.id);
    for (const batch of ordered) this.insertBatch(batch);
  }

  insertBatch(batch: EventBatch): void {
    for (let i = 0; i < batch.size; i++) this.insert(batch.timestamp(i), batch.id, i);
  }

  deleteBatch(batch: EventBatch): void {
    for (let i = 0; i < batch.size; i++) this.delete(batch.timestamp(i), batch.id, i);
  }

  insert(timestamp: number, batch: number, index: number): void {
    this.#size++;
    const last = this.#chunks[this.#chunks.length - 1];
    if (last === undefined) {
      const chunk = new Chunk(Math.min(FIRST_CAPACITY, this.chunk), this.chunk);
      chunk.insert(0, timestamp, batch, index);
      this.#chunks.push(chunk);
      return;
    }
    if (last.compareTo(last.length - 1, timestamp, batch, index) < 0) {
      if (!last.full) return last.insert(last.length, timestamp, batch, index);
      const chunk = new Chunk(this.chunk, this.chunk);
      chunk.insert(0, timestamp, batch, index);
      this.#chunks.push(chunk);
      return;
    }
    const c = this.#chunkOf(timestamp, batch, index);
    let chunk = this.#chunks[c]!;
    let at = chunk.lowerBoundOf(timestamp, batch, index);
    if (chunk.full) {
      const rest = chunk.split(this.chunk >>> 1);
      this.#chunks.splice(c + 1, 0, rest);
      if (at > chunk.length) {
        at -= chunk.length;
        chunk = rest;
      }
    }
    chunk.insert(at, timestamp, batch, index);
  }

  /** Removes the entry with exactly this key; false when there is none. */
  delete(timestamp: number, batch: number, index: number): boolean {
    const c = this.#chunkOf(timestamp, batch, index);
    const chunk = this.#chunks[c];
    if (chunk === undefined) return false;
    const at = chunk.lowerBoundOf(timestamp, batch, index);
    if (at >= chunk.length || chunk.compareTo(at, timestamp, batch, index) !== 0) return false;
    chunk.remove(at);
    this.#size--;
    if (chunk.length === 0) this.#chunks.splice(c, 1);
    return true;
  }

  /**
   * Event keys in order, starting strictly after `after` (ascending) or strictly before it
   * (descending); from the start or the end without it. `after` is any position: an event's
   * key, or one between events (see compareKeys).
   */
  *scan(descending = false, after?: IndexKey): Generator<EventKey> {
    if (!descending) {
      let c = after === undefined ? 0 : this.#chunkFor(after);
      let i = after === undefined ? 0 : (this.#chunks[c]?.bound(after, false) ?? 0);
      for (; c < this.#chunks.length; c++, i = 0) {
        const chunk = this.#chunks[c]!;
        for (; i < chunk.length; i++) yield chunk.key(i);
      }
      return;
    }
    let c = Math.min(
      after === undefined ? this.#chunks.length : this.#chunkFor(after),
      this.#chunks.length - 1,
    );
    let i =
      after === undefined
        ? (this.#chunks[c]?.length ?? 0) - 1
        : (this.#chunks[c]?.bound(after, true) ?? 0) - 1;
    while (c >= 0) {
      const chunk = this.#chunks[c]!;
      for (; i >= 0; i--) yield chunk.key(i);
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
      const last = chunk.length - 1;
      if (compareEvent(chunk.timestamps[last]!, chunk.batches[last]!, chunk.indexes[last]!, key) < 0)
        low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The first chunk whose last entry is >= the event key (the chunk count when there is none). */
  #chunkOf(timestamp: number, batch: number, index: number): number {
    let low = 0;
    let high = this.#chunks.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const chunk = this.#chunks[mid]!;
      if (chunk.compareTo(chunk.length - 1, timestamp, batch, index) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
