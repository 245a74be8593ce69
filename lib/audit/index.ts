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
