/**
 * keystage: AWS-native secrets lifecycle for Node.js.
 * The public surface is named exports only; CDK constructs live in `keystage/infra`.
 */
export { SecretsClient, KEYSTAGE_TAGS } from './client';
export type {
  Clock,
  CreateSecretOptions,
  DatabaseSecretInput,
  DeleteOptions,
  DeleteResult,
  GetJsonOptions,
  GetManyResult,
  GetOptions,
  JsonValidator,
  KeystageMetadata,
  ListOptions,
  PutOptions,
  ReplicaState,
  RevokeOptions,
  RollbackOptions,
  RollbackResult,
  RotateOptions,
  RotateResult,
  RotationState,
  SecretIdentity,
  SecretKind,
  SecretListItem,
  SecretRef,
  SecretStatus,
  SecretSummary,
  SecretValueEntry,
  SecretVersion,
  SecretsClientOptions,
  VersionStage,
  VersionsOptions,
} from './client';
export {
  ConflictError,
  KeystageError,
  PermissionDeniedError,
  RotationInProgressError,
  SecretDecodeError,
  SecretNotFoundError,
  SecretRevokedError,
  SecretScheduledForDeletionError,
  ServiceUnavailableError,
  ThrottledError,
  UnexpectedServiceError,
  ValidationError,
  isKeystageError,
} from './errors';
export type { KeystageErrorCode, KeystageErrorOptions } from './errors';
export * from './generate';
export {
  SecretCache,
  isDatabaseAuthError,
  isMysqlAuthError,
  isPgAuthError,
  secretIdsFromEvent,
} from './cache';
export type { CacheStats, FetchedSecret, SecretCacheOptions, SecretSource } from './cache';
export type { AuditAction, AuditEvent, AuditSink } from './audit';
export { silentLogger } from './observability';
export type { Logger } from './observability';
