import { eventTime, type AuditRecord } from './audit-record';
import { DEFAULT_MAX_ROWS, type ReportOptions } from './access-report';
import { inPeriod, reportPeriod, validateCount, validatePeriod, type ReportPeriod } from './period';
import type { AuditRecordSource } from './record-stream';
import { compareNullable, isChange, secretNameOf } from './tally';

/** One change to a secret: a `secret_change` (create, put, delete, revoke, ...) or a `rotation`. */
export interface ChangeRow {
  readonly time: string;
  readonly eventType: 'secret_change' | 'rotation';
  /** The SecretsClient method: create, put, rollback, delete, revoke, rotate, ... */
  readonly action: string | null;
  readonly secret: string | null;
  readonly environment: string | null;
  readonly principal: string | null;
  readonly service: string | null;
  readonly success: boolean | null;
  readonly versionId: string | null;
  /** The error code of a failure, or the reason given (a revocation's). */
  readonly reason: string | null;
  readonly requestId: string | null;
}

export interface ChangeReport {
  readonly kind: 'changes';
  readonly period: ReportPeriod;
  /** In time order. */
  readonly rows: readonly ChangeRow[];
  /** Changes past maxRows, not listed. */
  readonly omitted: number;
  readonly truncated: boolean;
}

function changeRow(record: AuditRecord): ChangeRow {
  return {
    time: new Date(eventTime(record.timestamp)).toISOString(),
    eventType: record.event_type as ChangeRow['eventType'],
    action: record.action,
    secret: secretNameOf(record.secret_name),
    environment: record.environment,
    principal: record.user_id,
    service: record.service,
    success: record.success,
    versionId: record.version_id,
    reason: record.reason,
    requestId: record.request_id,
  };
}

/**
 * Every change to a secret over `[from, to)`, successful or failed, in time order: creates,
 * new versions, rollbacks, tags, deletions, revocations and rotations. Denied attempts are
 * in the security incidents report. The report holds its rows (up to `maxRows`), not the events.
 * @throws ValidationError when an option is invalid; whatever the source throws.
 * @example
 * const changes = await changeReport(events, { from, to });
 * await writeFile('changes.md', reportMarkdown(changes));
 */
export async function changeReport(events: AuditRecordSource, options: ReportOptions): Promise<ChangeReport> {
  const period = validatePeriod(options.from, options.to);
  const maxRows = validateCount(options.maxRows, 'maxRows', DEFAULT_MAX_ROWS);
  const rows: ChangeRow[] = [];
  let omitted = 0;
  for await (const record of events) {
    if (!isChange(record) || !inPeriod(period, eventTime(record.timestamp))) continue;
    if (rows.length >= maxRows) omitted += 1;
    else rows.push(changeRow(record));
  }
  rows.sort(
    (a, b) =>
      compareNullable(a.time, b.time) ||
      compareNullable(a.secret, b.secret) ||
      compareNullable(a.requestId, b.requestId),
  );
  return { kind: 'changes', period: reportPeriod(period), rows, omitted, truncated: omitted > 0 };
}
