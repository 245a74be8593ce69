import { GENESIS_PREV, type AuditEntry, type AuditEvent } from './audit-event';
import { CanonicalEventWriter } from './canonical-event-writer';
import { canonicalJson, sha256Hex } from './canonical-json';

/** An event placed in its stream: the event, its line (canonical JSON) and that line's hash. */
export interface SealedAuditEvent {
  /** The event as written: `line` parsed, on first use (writing needs only the line). */
  readonly event: AuditEvent;
  /** Its position in the stream, from 1. */
  readonly seq: number;
  /** The canonical JSON written to the destination, one line. */
  readonly line: string;
  /** Hex SHA-256 of `line`: the next event's `prev`. */
  readonly hash: string;
  /** `timestamp` in epoch milliseconds. */
  readonly time: number;
  /** `line`'s size in UTF-8. */
  readonly bytes: number;
}

/** Where a chain stands: the last event's seq and hash (0 and 64 zeros before the first). */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/**
 * A sealed event. It keeps its line, not an event object: a batch in flight holds a
 * thousand of these, and what a destination writes is the line.
 */
class SealedLine implements SealedAuditEvent {
  readonly seq: number;
  readonly line: string;
  readonly hash: string;
  readonly time: number;
  readonly bytes: number;
  #event: AuditEvent | undefined;

  constructor(seq: number, line: string, time: number) {
    this.seq = seq;
    this.line = line;
    this.hash = sha256Hex(line);
    this.time = time;
    this.bytes = Buffer.byteLength(line, 'utf8');
  }

  get event(): AuditEvent {
    // Parsed from the line, so it is what was written and hashed, whatever became of the entry.
    return (this.#event ??= JSON.parse(this.line) as AuditEvent);
  }
}

/**
 * The hash chain of one stream: each event carries its position (`seq`, from 1) and the
 * SHA-256 of the previous event's canonical JSON (`prev`), so removing, adding, moving or
 * editing an event breaks a link the verifier finds. Sealing is separate from advancing so
 * a sink can look at an event's line (its size) before it takes its place.
 * @example
 * const chain = new AuditChain();
 * const sealed = chain.seal(entry); // seq 1, prev 64 zeros
 * chain.advance(sealed);
 * write(sealed.line);
 */
export class AuditChain {
  #head: ChainHead;
  readonly #writer = new CanonicalEventWriter();
  /** The last timestamp parsed and its epoch value: events of one millisecond share it. */
  #stamp: string | undefined;
  #time = Number.NaN;

  constructor(head: ChainHead = { seq: 0, hash: GENESIS_PREV }) {
    this.#head = head;
  }

  get head(): ChainHead {
    return this.#head;
  }

  /** `entry` as the next event of the stream; the chain does not move until `advance`. */
  seal(entry: AuditEntry): SealedAuditEvent {
    const seq = this.#head.seq + 1;
    const line = this.#writer.entryLine(entry, seq, this.#head.hash);
    return new SealedLine(seq, line, this.#parse(entry.timestamp));
  }

  #parse(timestamp: string): number {
    if (timestamp !== this.#stamp) {
      this.#stamp = timestamp;
      this.#time = Date.parse(timestamp);
    }
    return this.#time;
  }

  /** Makes a sealed event the head; it must be the one `seal` just returned. */
  advance(sealed: SealedAuditEvent): void {
    this.#head = { seq: sealed.seq, hash: sealed.hash };
  }

  /** Moves the head back, for events that were sealed but never written. */
  rewind(head: ChainHead): void {
    this.#head = head;
  }
}

/**
 * The hash an event links the next one with: SHA-256 of its canonical JSON.
 * @example
 * next.prev === auditEventHash(event); // true when nothing was changed between them
 */
export function auditEventHash(event: AuditEvent): string {
  return sha256Hex(canonicalJson(event));
}
