import { ValidationError, show } from '../../errors';
import { eventTime, type AuditRecord } from './audit-record';
import { DEFAULT_MAX_ROWS, type ReportOptions } from './access-report';
import { DAY_MS, inPeriod, reportPeriod, validateCount, validatePeriod, type ReportPeriod } from './period';
import type { AuditRecordSource } from './record-stream';
import {
  BoundedMap,
  addToSpan,
  compareNullable,
  iso,
  isFailure,
  keyOf,
  newSpan,
  secretNameOf,
  type Span,
} from './tally';

/** What made a row an incident. */
export type IncidentKind = 'denial' | 'failure' | 'rate-limited' | 'new-principal' | 'new-source-ip';

/** Report order: the kinds that need a look first. */
const KIND_ORDER: readonly IncidentKind[] = [
  'denial',
  'new-principal',
  'new-source-ip',
  'rate-limited',
  'failure',
];

/**
 * A group of events of one kind. Denials, failures and throttles are grouped by secret,
 * principal, service, source IP, action and reason; a new principal by secret and
 * principal, a new source IP by secret and IP, with the service (and IP, or principal) of
 * the first such event.
 */
export interface IncidentRow {
  readonly kind: IncidentKind;
  readonly secret: string | null;
  readonly principal: string | null;
  readonly service: string | null;
  readonly sourceIp: string | null;
  /** The SecretsClient method; for a new principal or IP, that of its first event. */
  readonly action: string | null;
  /** The deny reason or the error code; null for a new principal or IP. */
  readonly reason: string | null;
  readonly count: number;
  readonly firstAt: string;
  readonly lastAt: string;
}

export interface IncidentReport {
  readonly kind: 'incidents';
  readonly period: ReportPeriod;
  /** The start of the baseline `[baselineFrom, from)` that "new" is measured against. */
  readonly baselineFrom: string;
  /** Denials, then new principals, new source IPs, throttles, failures; most events first. */
  readonly rows: readonly IncidentRow[];
  /**
   * Events not tallied because a table was full (maxRows); an event counts once for each of
   * the three tables (incidents, principals, source IPs) it could not enter.
   */
  readonly omitted: number;
  /** True when maxRows was reached, in the period or in the baseline (then "new" may over-report). */
  readonly truncated: boolean;
}

export interface IncidentReportOptions extends ReportOptions {
  /**
   * The start of the baseline period, `[baselineFrom, from)`: a principal or source IP is
   * new for a secret when the period has events of it for that secret and the baseline has
   * none. The events read must cover the baseline too (read from `baselineFrom`).
   * @default - 30 days before `from`
   */
  readonly baselineFrom?: Date;
}

interface Tally extends Span {
  readonly kind: IncidentKind;
  readonly secret: string | null;
  principal: string | null;
  service: string | null;
  sourceIp: string | null;
  action: string | null;
  readonly reason: string | null;
}

function incidentKind(record: AuditRecord): IncidentKind | undefined {
  if (record.event_type === 'access_denied') return 'denial';
  if (record.event_type === 'rate_limited') return 'rate-limited';
  return isFailure(record) ? 'failure' : undefined;
}

function validateBaseline(value: unknown, from: number): number {
  if (value === undefined) return from - 30 * DAY_MS;
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (!Number.isFinite(ms) || ms >= from) {
    throw new ValidationError(
      'baselineFrom',
      `baselineFrom ${show(value)} must be a valid Date before from.`,
    );
  }
  return ms;
}

/** The first-event fields of a new principal or IP follow the earliest event seen. */
function seen(tally: Tally, record: AuditRecord, time: number): void {
  if (time < tally.first) {
    tally.principal = record.user_id;
    tally.service = record.service;
    tally.sourceIp = record.ip_address;
    tally.action = record.action;
  }
  addToSpan(tally, time);
}

/**
 * Security incidents over `[from, to)`: denials, failed operations, rate-limit hits, and
 * principals or source IPs new for a secret compared with the baseline before `from`. One
 * streaming pass over events covering `[baselineFrom, to)`, in any order; memory holds the
 * groups (up to `maxRows` of each table), not the events.
 * @throws ValidationError when an option is invalid; whatever the source throws.
 * @example
 * const from = new Date('2024-05-01T00:00:00Z');
 * const to = new Date('2024-05-02T00:00:00Z');
 * const baselineFrom = new Date('2024-04-01T00:00:00Z');
 * const events = cloudWatchLogsEvents({ client, logGroupName: '/keystage/audit', from: baselineFrom, to });
 * const incidents = await incidentReport(events, { from, to, baselineFrom });
 */
export async function incidentReport(
  events: AuditRecordSource,
  options: IncidentReportOptions,
): Promise<IncidentReport> {
  const period = validatePeriod(options.from, options.to);
  const baselineFrom = validateBaseline(options.baselineFrom, period.from);
  const maxRows = validateCount(options.maxRows, 'maxRows', DEFAULT_MAX_ROWS);
  const incidents = new BoundedMap<string, Tally>(maxRows);
  const principals = new BoundedMap<string, Tally>(maxRows);
  const sourceIps = new BoundedMap<string, Tally>(maxRows);
  const knownPrincipals = new BoundedMap<string, true>(maxRows);
  const knownIps = new BoundedMap<string, true>(maxRows);
  let omitted = 0;

  const group = (
    table: BoundedMap<string, Tally>,
    key: string,
    kind: IncidentKind,
    record: AuditRecord,
    secret: string | null,
  ): Tally | undefined =>
    table.entry(key, () => ({
      kind,
      secret,
      principal: record.user_id,
      service: record.service,
      sourceIp: record.ip_address,
      action: record.action,
      reason: kind === 'new-principal' || kind === 'new-source-ip' ? null : record.reason,
      ...newSpan(),
    }));

  for await (const record of events) {
    if (record.event_type === 'audit_checkpoint') continue;
    const time = eventTime(record.timestamp);
    const secret = secretNameOf(record.secret_name);
    if (time >= baselineFrom && time < period.from) {
      if (secret === null) continue;
      if (record.user_id !== null) knownPrincipals.entry(keyOf(secret, record.user_id), () => true);
      if (record.ip_address !== null) knownIps.entry(keyOf(secret, record.ip_address), () => true);
      continue;
    }
    if (!inPeriod(period, time)) continue;

    const kind = incidentKind(record);
    if (kind !== undefined) {
      const key = keyOf(
        kind,
        secret,
        record.user_id,
        record.service,
        record.ip_address,
        record.action,
        record.reason,
      );
      const tally = group(incidents, key, kind, record, secret);
      if (tally === undefined) omitted += 1;
      else addToSpan(tally, time);
    }
    if (secret === null) continue;
    if (record.user_id !== null) {
      const tally = group(principals, keyOf(secret, record.user_id), 'new-principal', record, secret);
      if (tally === undefined) omitted += 1;
      else seen(tally, record, time);
    }
    if (record.ip_address !== null) {
      const tally = group(sourceIps, keyOf(secret, record.ip_address), 'new-source-ip', record, secret);
      if (tally === undefined) omitted += 1;
      else seen(tally, record, time);
    }
  }

  const fresh = (
    table: BoundedMap<string, Tally>,
    known: BoundedMap<string, true>,
    field: 'principal' | 'sourceIp',
  ) => [...table.values()].filter((tally) => !known.has(keyOf(tally.secret, tally[field])));
  const rows = [
    ...incidents.values(),
    ...fresh(principals, knownPrincipals, 'principal'),
    ...fresh(sourceIps, knownIps, 'sourceIp'),
  ]
    .map((tally): IncidentRow => ({
      kind: tally.kind,
      secret: tally.secret,
      principal: tally.principal,
      service: tally.service,
      sourceIp: tally.sourceIp,
      action: tally.action,
      reason: tally.reason,
      count: tally.count,
      firstAt: iso(tally.first),
      lastAt: iso(tally.last),
    }))
    .sort(
      (a, b) =>
        KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
        b.count - a.count ||
        compareNullable(a.firstAt, b.firstAt) ||
        compareNullable(a.secret, b.secret) ||
        compareNullable(a.principal, b.principal) ||
        compareNullable(a.sourceIp, b.sourceIp),
    );
  return {
    kind: 'incidents',
    period: reportPeriod(period),
    baselineFrom: iso(baselineFrom),
    rows,
    omitted,
    truncated: [incidents, principals, sourceIps, knownPrincipals, knownIps].some((table) => table.full),
  };
}
