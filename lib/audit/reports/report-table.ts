import type { AccessReport, AccessRow } from './access-report';
import type { ChangeReport, ChangeRow } from './change-report';
import type { ComplianceFinding, ComplianceReport } from './compliance-report';
import type { IncidentReport, IncidentRow } from './incident-report';
import type { UsageMetrics } from './usage-metrics';

/** Any report this module makes, usage metrics included. */
export type Report = UsageMetrics | AccessReport | ChangeReport | IncidentReport | ComplianceReport;

/** One cell: text, a number, a flag, or nothing. */
export type ReportCell = string | number | boolean | null;

/** A report as one table, the shape CSV and Markdown are written from. */
export interface ReportTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly ReportCell[]>;
  /** Sentences about the table: its period, and what was left out. */
  readonly notes: readonly string[];
}

type Column<R> = readonly [header: string, cell: (row: R) => ReportCell];

const ACCESS_COLUMNS: ReadonlyArray<Column<AccessRow>> = [
  ['principal', (row) => row.principal],
  ['service', (row) => row.service],
  ['secret', (row) => row.secret],
  ['count', (row) => row.count],
  ['failures', (row) => row.failures],
  ['cache_hits', (row) => row.cacheHits],
  ['cache_hit_ratio', (row) => row.cacheHitRatio],
  ['first_at', (row) => row.firstAt],
  ['last_at', (row) => row.lastAt],
];

const CHANGE_COLUMNS: ReadonlyArray<Column<ChangeRow>> = [
  ['time', (row) => row.time],
  ['event_type', (row) => row.eventType],
  ['action', (row) => row.action],
  ['secret', (row) => row.secret],
  ['environment', (row) => row.environment],
  ['principal', (row) => row.principal],
  ['service', (row) => row.service],
  ['success', (row) => row.success],
  ['version_id', (row) => row.versionId],
  ['reason', (row) => row.reason],
  ['request_id', (row) => row.requestId],
];

const INCIDENT_COLUMNS: ReadonlyArray<Column<IncidentRow>> = [
  ['kind', (row) => row.kind],
  ['secret', (row) => row.secret],
  ['principal', (row) => row.principal],
  ['service', (row) => row.service],
  ['source_ip', (row) => row.sourceIp],
  ['action', (row) => row.action],
  ['reason', (row) => row.reason],
  ['count', (row) => row.count],
  ['first_at', (row) => row.firstAt],
  ['last_at', (row) => row.lastAt],
];

/** One table for three kinds of finding: the columns a finding lacks stay empty. */
const COMPLIANCE_COLUMNS: ReadonlyArray<Column<ComplianceFinding>> = [
  ['finding', (row) => row.finding],
  ['secret', (row) => row.secret],
  ['kind', (row) => ('secretKind' in row ? row.secretKind : null)],
  ['rotation_period_days', (row) => ('rotationPeriodDays' in row ? row.rotationPeriodDays : null)],
  ['last_rotated_at', (row) => ('lastRotatedAt' in row ? row.lastRotatedAt : null)],
  ['due_at', (row) => ('dueAt' in row ? row.dueAt : null)],
  ['days_overdue', (row) => ('daysOverdue' in row ? row.daysOverdue : null)],
  ['revoked_at', (row) => ('revokedAt' in row ? row.revokedAt : null)],
  ['service', (row) => ('service' in row ? row.service : null)],
  ['requests', (row) => ('requests' in row ? row.requests : 'count' in row ? row.count : null)],
  ['principals', (row) => ('principals' in row ? row.principals : null)],
  ['first_at', (row) => ('firstAt' in row ? row.firstAt : null)],
  ['last_at', (row) => ('lastAt' in row ? row.lastAt : null)],
];

function table<R>(
  title: string,
  columns: ReadonlyArray<Column<R>>,
  rows: readonly R[],
  notes: readonly string[],
): ReportTable {
  return {
    title,
    columns: columns.map(([header]) => header),
    rows: rows.map((row) => columns.map(([, cell]) => cell(row))),
    notes,
  };
}

const periodNote = (report: Report): string =>
  `Period: ${report.period.from} to ${report.period.to} (end excluded).`;

function omittedNote(report: { readonly truncated: boolean; readonly omitted: number }): string[] {
  return report.truncated
    ? [`Truncated: the row limit (maxRows) was reached; ${report.omitted} events are not listed.`]
    : [];
}

function usageTable(metrics: UsageMetrics): ReportTable {
  const rows: Array<readonly [string, ReportCell]> = [
    ['secret', metrics.secret ?? '(all)'],
    ['total_accesses', metrics.totalAccesses],
    ['failed_accesses', metrics.failedAccesses],
    ['unique_principals', metrics.uniquePrincipals],
    ['unique_services', metrics.uniqueServices],
    ['average_per_hour', metrics.averagePerHour],
    ['peak_hour_start', metrics.peakHour?.start ?? null],
    ['peak_hour_count', metrics.peakHour?.count ?? 0],
    ['cache_hits', metrics.cacheHits],
    ['cache_hit_ratio', metrics.cacheHitRatio],
    ['denials', metrics.denials],
    ['rate_limited', metrics.rateLimited],
    ...metrics.perService.map(({ service, count }): readonly [string, ReportCell] => [
      service === null ? 'accesses without a service' : `accesses by service ${service}`,
      count,
    ]),
  ];
  if (metrics.unlistedServiceAccesses > 0) {
    rows.push(['accesses by unlisted services', metrics.unlistedServiceAccesses]);
  }
  const notes = [periodNote(metrics)];
  if (metrics.truncated) {
    notes.push('Truncated: maxDistinct was reached; unique counts are lower bounds.');
  }
  return table(
    'Usage metrics',
    [
      ['metric', ([metric]) => metric],
      ['value', ([, value]) => value],
    ],
    rows,
    notes,
  );
}

/**
 * A report as one table: its columns (snake_case, like the event format), one array of
 * cells per row, and notes on the period and on anything left out.
 * @example
 * const { columns, rows } = reportTable(await accessReport(events, { from, to }));
 */
export function reportTable(report: Report): ReportTable {
  switch (report.kind) {
    case 'usage':
      return usageTable(report);
    case 'access':
      return table('Access report', ACCESS_COLUMNS, report.rows, [
        periodNote(report),
        `${report.totalAccesses} reads of a value.`,
        ...omittedNote(report),
      ]);
    case 'changes':
      return table('Change report', CHANGE_COLUMNS, report.rows, [
        periodNote(report),
        ...omittedNote(report),
      ]);
    case 'incidents':
      return table('Security incidents', INCIDENT_COLUMNS, report.rows, [
        periodNote(report),
        `New principals and source IPs are new against ${report.baselineFrom} to ${report.period.from}.`,
        ...omittedNote(report),
      ]);
    case 'compliance':
      return table('Compliance report', COMPLIANCE_COLUMNS, report.rows, [
        periodNote(report),
        `${report.secretsChecked} secrets checked; rotation as of ${report.period.to}.`,
        ...omittedNote(report),
      ]);
  }
}
