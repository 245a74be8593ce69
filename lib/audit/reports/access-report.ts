import { eventTime } from './audit-record';
import { inPeriod, reportPeriod, validateCount, validatePeriod, type ReportPeriod } from './period';
import type { AuditRecordSource } from './record-stream';
import {
  BoundedMap,
  addToSpan,
  compareNullable,
  iso,
  keyOf,
  newSpan,
  ratio,
  secretNameOf,
  type Span,
} from './tally';

/** What every report over a period takes. */
export interface ReportOptions {
  /** The start of the period (included). */
  readonly from: Date;
  /** The end of the period (excluded). */
  readonly to: Date;
  /**
   * The most rows a report keeps. Rows past it are not kept (their events are counted in
   * `omitted`) and `truncated` is set, so memory is bounded by the rows, not the events.
   * @default 100_000
   */
  readonly maxRows?: number;
}

/**
 * The default of {@link ReportOptions.maxRows}.
 * @example
 * const report = await accessReport(events, { from, to, maxRows: DEFAULT_MAX_ROWS * 2 });
 */
export const DEFAULT_MAX_ROWS = 100_000;

/** Who read what: one row per principal, service and secret. */
export interface AccessRow {
  /** The `user_id`; null for reads without a principal. */
  readonly principal: string | null;
  readonly service: string | null;
  readonly secret: string | null;
  /** `secret_access` events, successful or not. */
  readonly count: number;
  readonly failures: number;
  readonly cacheHits: number;
  /** cacheHits / count. */
  readonly cacheHitRatio: number | null;
  readonly firstAt: string;
  readonly lastAt: string;
}

export interface AccessReport {
  readonly kind: 'access';
  readonly period: ReportPeriod;
  /** Most reads first; ties by principal, service, secret. */
  readonly rows: readonly AccessRow[];
  /** Every `secret_access` event in the period, listed or not. */
  readonly totalAccesses: number;
  /** Events in rows past maxRows. */
  readonly omitted: number;
  readonly truncated: boolean;
}

interface AccessTally extends Span {
  readonly principal: string | null;
  readonly service: string | null;
  readonly secret: string | null;
  failures: number;
  cacheHits: number;
}

/**
 * Who read what over `[from, to)`: every read of a value (`secret_access`, from the service
 * or the cache) grouped by principal, service and secret, with counts, cache hits and the
 * first and last read. One streaming pass; events may come in any order.
 * @throws ValidationError when an option is invalid; whatever the source throws.
 * @example
 * const report = await accessReport(events, { from, to });
 * await writeFile('access.csv', reportCsv(report));
 */
export async function accessReport(events: AuditRecordSource, options: ReportOptions): Promise<AccessReport> {
  const period = validatePeriod(options.from, options.to);
  const rows = new BoundedMap<string, AccessTally>(
    validateCount(options.maxRows, 'maxRows', DEFAULT_MAX_ROWS),
  );
  let totalAccesses = 0;
  let omitted = 0;
  for await (const record of events) {
    if (record.event_type !== 'secret_access') continue;
    const time = eventTime(record.timestamp);
    if (!inPeriod(period, time)) continue;
    totalAccesses += 1;
    const secret = secretNameOf(record.secret_name);
    const tally = rows.entry(keyOf(record.user_id, record.service, secret), () => ({
      principal: record.user_id,
      service: record.service,
      secret,
      failures: 0,
      cacheHits: 0,
      ...newSpan(),
    }));
    if (tally === undefined) {
      omitted += 1;
      continue;
    }
    addToSpan(tally, time);
    if (record.success === false) tally.failures += 1;
    if (record.cache_hit === true) tally.cacheHits += 1;
  }
  return {
    kind: 'access',
    period: reportPeriod(period),
    rows: [...rows.values()]
      .map((tally): AccessRow => ({
        principal: tally.principal,
        service: tally.service,
        secret: tally.secret,
        count: tally.count,
        failures: tally.failures,
        cacheHits: tally.cacheHits,
        cacheHitRatio: ratio(tally.cacheHits, tally.count),
        firstAt: iso(tally.first),
        lastAt: iso(tally.last),
      }))
      .sort(
        (a, b) =>
          b.count - a.count ||
          compareNullable(a.principal, b.principal) ||
          compareNullable(a.service, b.service) ||
          compareNullable(a.secret, b.secret),
      ),
    totalAccesses,
    omitted,
    truncated: rows.full,
  };
}
