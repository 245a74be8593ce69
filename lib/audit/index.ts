export { GENESIS_PREV, auditEventType, isReadEvent } from './audit-event';
export type {
  AuditAction,
  AuditChainField,
  AuditDetails,
  AuditEntry,
  AuditEvent,
  AuditEventType,
  AuditSink,
  AuditSinkStats,
} from './audit-event';
export { AuditChain, auditEventHash } from './audit-chain';
export type { ChainHead, SealedAuditEvent } from './audit-chain';
export { AuditStream } from './audit-stream';
export type { AuditCheckpointOptions, AuditSinkOptions, AuditTransport, WriteOutcome } from './sink-options';
export { canonicalJson, sha256Hex } from './canonical-json';
export {
  CHECKPOINT_ALGORITHM,
  checkpointEntry,
  checkpointFacts,
  checkpointMessage,
  hmacCheckpoints,
  macsEqual,
} from './checkpoint';
export type { CheckpointMac, CheckpointSigner, CheckpointToVerify, CheckpointVerifier } from './checkpoint';
export { kmsDataKeyCheckpoints, kmsMacCheckpoints } from './kms-checkpoints';
export type { KmsCheckpointOptions } from './kms-checkpoints';
export { PUT_LOG_EVENTS_LIMITS, planLogBatches } from './cloudwatch-logs-batches';
export type { PlannedLogEvent, PutLogEventsLimits } from './cloudwatch-logs-batches';
export { cloudWatchLogsSdk } from './cloudwatch-logs-sdk';
export { CloudWatchLogsAuditSink } from './cloudwatch-logs-sink';
export type { AuditRetryOptions, CloudWatchLogsAuditSinkOptions } from './cloudwatch-logs-sink';
export { JsonLinesAuditSink } from './json-lines-sink';
export type { JsonLinesAuditSinkOptions } from './json-lines-sink';
export { pseudonym, pseudonymiser } from './pseudonymise';
export type { PseudonymiseOptions, PseudonymisedField } from './pseudonymise';
export { IsoTimestamps } from './timestamp';
export { verifyAuditTrail } from './verify-audit-trail';
export type {
  AuditTrailProblem,
  AuditTrailProblemKind,
  AuditTrailReport,
  VerifyAuditTrailOptions,
} from './verify-audit-trail';

// Usage metrics and reports over events read back.
export { parseAuditLine, toAuditRecord } from './reports/audit-record';
export type { AuditRecord } from './reports/audit-record';
export type { AuditRecordStream, AuditRecordSource } from './reports/record-stream';
export { jsonLinesEvents } from './reports/json-lines-source';
export type { JsonLinesInput, JsonLinesOptions } from './reports/json-lines-source';
export { cloudWatchLogsEvents } from './reports/cloudwatch-logs-source';
export type { CloudWatchLogsEventsOptions } from './reports/cloudwatch-logs-source';
export { usageMetrics } from './reports/usage-metrics';
export type { ServiceUsage, UsageMetrics, UsageMetricsOptions } from './reports/usage-metrics';
export { DEFAULT_MAX_ROWS, accessReport } from './reports/access-report';
export type { AccessReport, AccessRow, ReportOptions } from './reports/access-report';
export { changeReport } from './reports/change-report';
export type { ChangeReport, ChangeRow } from './reports/change-report';
export { incidentReport } from './reports/incident-report';
export type {
  IncidentKind,
  IncidentReport,
  IncidentReportOptions,
  IncidentRow,
} from './reports/incident-report';
export { complianceReport } from './reports/compliance-report';
export type {
  AnonymousReadFinding,
  ComplianceFinding,
  ComplianceReport,
  ComplianceReportOptions,
  RevokedRequestedFinding,
} from './reports/compliance-report';
export { DEFAULT_ROTATION_DAYS, DEFAULT_ROTATION_PERIODS } from './reports/rotation-findings';
export type { ComplianceSecret, RotationFinding, RotationPeriodOptions } from './reports/rotation-findings';
export type { ReportPeriod } from './reports/period';
export { reportTable } from './reports/report-table';
export type { Report, ReportCell, ReportTable } from './reports/report-table';
export { reportCsv, reportMarkdown } from './reports/report-format';
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
} from './reports/insights-queries';
