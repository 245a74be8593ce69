import { GENESIS_PREV, type AuditEntry, type AuditEvent } from './audit-event';
import { CanonicalEventWriter } from './canonical-event-writer';
import { canonicalJson, sha256Hex } from './canonical-json';

/** An event placed in its stream: the event, its line (canonical JSON) and that line's hash. */
export interface SealedAuditEvent {
  readonly event: AuditEvent;
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
 * The event with its chain fields, keys in canonical (sorted) order so serialising it needs
 * no sort. Listing the fields one by one also drops anything an entry carries beyond the
 * format.
 */
function chained(entry: AuditEntry, seq: number, prev: string): AuditEvent {
  return {
    action: entry.action,
    cache_hit: entry.cache_hit,
    details: entry.details,
    environment: entry.environment,
    event_type: entry.event_type,
    ip_address: entry.ip_address,
    prev,
    reason: entry.reason,
    request_id: entry.request_id,
    secret_name: entry.secret_name,
    seq,
    service: entry.service,
    success: entry.success,
    timestamp: entry.timestamp,
    user_agent: entry.user_agent,
    user_email: entry.user_email,
    user_id: entry.user_id,
    version_id: entry.version_id,
  };
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
    const event = chained(entry, this.#head.seq + 1, this.#head.hash);
    const line = this.#writer.line(event);
    return {
      event,
      line,
      hash: sha256Hex(line),
      time: this.#parse(event.timestamp),
      bytes: Buffer.byteLength(line, 'utf8'),
    };
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
    this.#head = { seq: sealed.event.seq, hash: sealed.hash };
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
