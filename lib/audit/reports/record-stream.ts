import type { AuditRecord } from './audit-record';

/**
 * Audit records read from a log, as the reader goes. Lines (or log events) that are not
 * audit events are skipped and counted in `skipped`, never thrown and never shown: a junk
 * line may hold anything, a value included.
 */
export interface AuditRecordStream extends AsyncIterable<AuditRecord> {
  /** Records yielded by the current (or last) pass. */
  readonly records: number;
  /** Lines or log events skipped by the current (or last) pass: not JSON, not an audit event, or too long. */
  readonly skipped: number;
}

/** Anything the metrics and reports read: a stream from a source, an array, a generator. */
export type AuditRecordSource = AsyncIterable<AuditRecord> | Iterable<AuditRecord>;

/**
 * A re-iterable {@link AuditRecordStream} over `read`, which yields a record or undefined
 * (skipped) per input item. Each pass starts its counts afresh.
 */
export function recordStream(read: () => AsyncIterable<AuditRecord | undefined>): AuditRecordStream {
  let records = 0;
  let skipped = 0;
  return {
    get records() {
      return records;
    },
    get skipped() {
      return skipped;
    },
    async *[Symbol.asyncIterator]() {
      records = 0;
      skipped = 0;
      for await (const record of read()) {
        if (record === undefined) {
          skipped += 1;
        } else {
          records += 1;
          yield record;
        }
      }
    },
  };
}
