import { ValidationError } from '../errors';
import type { Logger } from '../observability';
import type { ChainHead, SealedAuditEvent } from './audit-chain';
import type { CheckpointSigner } from './checkpoint';
import type { PseudonymiseOptions } from './pseudonymise';

/** When and with what key a sink writes signed checkpoints. */
export interface AuditCheckpointOptions {
  /** Signs the chain head: `kmsMacCheckpoints`, `kmsDataKeyCheckpoints` or `hmacCheckpoints`. */
  readonly key: CheckpointSigner;
  /**
   * A checkpoint after this many events.
   * @default 1000
   */
  readonly everyEvents?: number;
  /**
   * A checkpoint at least this often while events arrive (and one on close).
   * @default 60000
   */
  readonly everyMs?: number;
}

/** What every keystage sink takes besides its destination. */
export interface AuditSinkOptions {
  /**
   * How many events may wait to be written. Fail-open, an event that finds the buffer full
   * is dropped and counted (`stats().dropped`); fail-closed, its read fails with AUDIT_UNAVAILABLE.
   * @default 20000
   */
  readonly maxBufferedEvents?: number;
  /**
   * How long a fail-open event may wait before its batch is written. Fail-closed events are
   * written at once (with whatever else is waiting), and 1,000 waiting events start a batch.
   * @default 1000
   */
  readonly flushIntervalMs?: number;
  /** @default - no checkpoints: the hash chain alone (see the README on what each detects) */
  readonly checkpoints?: AuditCheckpointOptions;
  /** @default - user ids, emails and IP addresses written as given */
  readonly pseudonymise?: PseudonymiseOptions;
  /**
   * Where the sink reports dropped events and failed writes (once per burst).
   * @default - silent
   */
  readonly logger?: Logger;
  /**
   * The time of checkpoint events, in epoch milliseconds.
   * @default - Date.now
   */
  readonly now?: () => number;
}

/** What a destination did with a batch. */
export interface WriteOutcome {
  /** How many events, from the start of the batch, the destination took (stored or rejected). */
  readonly written: number;
  /** Indexes below `written` the destination refused to store (too old, too new). */
  readonly rejected: readonly number[];
  /** Why the rest were not written, when `written` is short of the batch. */
  readonly error?: unknown;
}

/** A destination for sealed events: a CloudWatch Logs stream, a file. */
export interface AuditTransport {
  /** Names the destination in errors and logs. */
  readonly name: string;
  /** The largest line the destination takes. */
  readonly maxEventBytes: number;
  /**
   * Writes a batch, in order. `durable`: a fail-closed read or a flush waits on it, so it must
   * be stored (synced) before the promise resolves.
   */
  write(events: readonly SealedAuditEvent[], durable: boolean): Promise<WriteOutcome>;
  /**
   * Prepares the destination before the first write and says where an existing trail
   * there ends, so the chain continues it. Retried before the next write when it fails.
   * @default - nothing to prepare; the chain starts at seq 1
   */
  open?(): Promise<ChainHead | undefined>;
  /** @default - nothing to release */
  close?(): Promise<void>;
}

/** An option that must be a positive integer, or its default. */
export function positiveInteger(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(field, `${field} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}
