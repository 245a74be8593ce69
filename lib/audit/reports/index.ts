export { parseAuditLine, toAuditRecord } from './audit-record';
export type { AuditRecord } from './audit-record';
export type { AuditRecordStream, AuditRecordSource } from './record-stream';
export { jsonLinesEvents } from './json-lines-source';
export type { JsonLinesInput, JsonLinesOptions } from './json-lines-source';
export { cloudWatchLogsEvents } from './cloudwatch-logs-source';
export type { CloudWatchLogsEventsOptions } from './cloudwatch-logs-source';
export { usageMetrics } from './usage-metrics';
export type { ServiceUsage, UsageMetrics, UsageMetricsOptions } from './usage-metrics';
export { DEFAULT_MAX_ROWS, accessReport } from './access-report';
export type { AccessReport, AccessRow, ReportOptions } from './access-report';
export { changeReport } from './change-report';
export type { ChangeReport, ChangeRow } from './change-report';
export { incidentReport } from './incident-report';
export type { IncidentKind, IncidentReport, IncidentReportOptions, IncidentRow } from './incident-report';
export { complianceReport } from './compliance-report';
export type {
  AnonymousReadFinding,
  ComplianceFinding,
  ComplianceReport,
  ComplianceReportOptions,
  RevokedRequestedFinding,
} from './compliance-report';
export { DEFAULT_ROTATION_DAYS, DEFAULT_ROTATION_PERIODS } from './rotation-findings';
export type { ComplianceSecret, RotationFinding, RotationPeriodOptions } from './rotation-findings';
export type { ReportPeriod } from './period';
export { reportTable } from './report-table';
export type { Report, ReportCell, ReportTable } from './report-table';
export { reportCsv, reportMarkdown } from './report-format';
export {
  ACCESSES_PER_HOUR_QUERY,
  ACCESS_REPORT_QUERY,
  AUDIT_INSIGHTS_QUERIES,
  CACHE_HIT_RATIO_QUERY,
  CHANGES_QUERY,
  DENIALS_QUERY,
  FAILURES_QUERY,
  NEW_PRINCIPALS_QUERY,
  NEW_SOURCE_IPS_QUERY,
  RATE_LIMITED_QUERY,
  READS_WITHOUT_PRINCIPAL_QUERY,
  USAGE_PER_SECRET_QUERY,
} from './insights-queries';
