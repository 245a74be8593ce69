/** What identifies a batch: the PutLogEvents that stored it and where it went. */
export interface BatchHead {
  /** Increases with every stored batch: the "ID of the PutLogEvents request" events sort by. */
  readonly id: number;
  readonly groupId: number;
  readonly streamId: number;
  readonly ingestedAt: number;
}

/**
 * A batch as the journal and snapshots store it: `[timestamp, message]` in chronological
 * order. The format on disk did not change when batches came to be held compactly in memory,
 * so data directories written before and after read the same.
 */
export interface BatchRow extends BatchHead {
  readonly events: ReadonlyArray<readonly [number, string]>;
}

/** Any UTF-16 surrogate: only strings holding one need the slower check below. */
const SURROGATE = /[\ud800-\udfff]/;
/** A surrogate that is not half of a pair, which UTF-8 cannot carry. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The events one PutLogEvents stored, held compactly: the messages encoded into one buffer
 * with their offsets, the timestamps in a typed array. A stored batch is a handful of objects
 * whatever its size, and the bytes live outside the JavaScript heap, so the garbage collector
 * neither copies nor marks them: its pauses stay as short with 200,000 stored events as with
 * none. A message becomes a string again only when a read looks at it.
 *
 * Messages are UTF-8, or UTF-16 for a batch with a lone surrogate (which UTF-8 would turn
 * into U+FFFD), so every message reads back exactly as it was put.
 */
export class EventBatch implements BatchHead {
  readonly id: number;
  readonly groupId: number;
  readonly streamId: number;
  readonly ingestedAt: number;
  /** The messages' bytes in UTF-8: what the batch adds to its group's storedBytes. */
  readonly bytes: number;
  readonly #timestamps: Float64Array;
  /** Where message i starts in #text; entry i + 1 is where it ends. */
  readonly #offsets: Uint32Array;
  readonly #text: Buffer;
  readonly #encoding: 'utf8' | 'utf16le';

  private constructor(
    head: BatchHead,
    count: number,
    timestamp: (i: number) => number,
    message: (i: number) => string,
  ) {
    this.id = head.id;
    this.groupId = head.groupId;
    this.streamId = head.streamId;
    this.ingestedAt = head.ingestedAt;
    this.#timestamps = new Float64Array(count);
    let bytes = 0;
    let utf16Bytes = 0;
    let utf8 = true;
    for (let i = 0; i < count; i++) {
      this.#timestamps[i] = timestamp(i);
      const text = message(i);
      bytes += Buffer.byteLength(text, 'utf8');
      utf16Bytes += 2 * text.length;
      if (utf8 && SURROGATE.test(text) && LONE_SURROGATE.test(text)) utf8 = false;
    }
    this.bytes = bytes;
    this.#encoding = utf8 ? 'utf8' : 'utf16le';
    this.#text = Buffer.alloc(utf8 ? bytes : utf16Bytes);
    this.#offsets = new Uint32Array(count + 1);
    let at = 0;
    for (let i = 0; i < count; i++) {
      at += this.#text.write(message(i), at, this.#encoding);
      this.#offsets[i + 1] = at;
    }
  }

  /** A batch of accepted events (in chronological order). */
  static of(
    head: BatchHead,
    events: ReadonlyArray<{ readonly timestamp: number; readonly message: string }>,
  ): EventBatch {
    return new EventBatch(
      head,
      events.length,
      (i) => events[i]!.timestamp,
      (i) => events[i]!.message,
    );
  }

  /** A batch as read back from the journal or a snapshot. */
  static fromRow(row: BatchRow): EventBatch {
    return new EventBatch(
      row,
      row.events.length,
      (i) => row.events[i]![0],
      (i) => row.events[i]![1],
    );
  }

  /** The number of events. */
  get size(): number {
    return this.#timestamps.length;
  }

  timestamp(index: number): number {
    return this.#timestamps[index]!;
  }

  message(index: number): string {
    return this.#text.toString(this.#encoding, this.#offsets[index], this.#offsets[index + 1]);
  }

  /** The message's size in UTF-8, without decoding it (what page and batch limits count). */
  messageBytes(index: number): number {
    if (this.#encoding === 'utf16le') return Buffer.byteLength(this.message(index), 'utf8');
    return this.#offsets[index + 1]! - this.#offsets[index]!;
  }

  /** The row the journal writes: the same JSON as before batches were held compactly. */
  toJSON(): BatchRow {
    return {
      id: this.id,
      groupId: this.groupId,
      streamId: this.streamId,
      ingestedAt: this.ingestedAt,
      events: Array.from({ length: this.size }, (_, i) => [this.timestamp(i), this.message(i)] as const),
    };
  }
}
