/**
 * keystage: AWS-native secrets lifecycle for Node.js.
 * The public surface is named exports only; CDK constructs live in `keystage/infra`.
 */
export { DEFAULT_TIMEOUTS, KEYSTAGE_TAGS, SecretsClient } from './client';
export type {
  ClientTimeouts,
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
  WithSecretOptions,
} from './client';
export {
  ConfigurationError,
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
export {
  DEFAULT_PORTS,
  DataKey,
  DatabaseCredentials,
  PASSWORD_SYMBOLS,
  SAFE_EXCLUDED_CHARACTERS,
  generateApiKey,
  generateDataKey,
  generateDatabaseCredentials,
  generatePassword,
  generateSymmetricKey,
  isWellFormedApiKey,
  parseApiKey,
  randomFromAlphabet,
  randomIndices,
  randomString,
  resolvePasswordPolicy,
  verifyApiKey,
} from './generate';
export type {
  ApiKeyOptions,
  ApiKeyParts,
  DataKeyOptions,
  DatabaseCredentialsInput,
  DatabaseEngine,
  DatabaseSecretJson,
  PasswordPolicy,
  RandomEncoding,
  ResolvedPasswordPolicy,
} from './generate';
export { SecretCache, secretIdsFromEvent } from './cache';
export { isDatabaseAuthError, isMysqlAuthError, isPgAuthError } from './core';
export type { CacheStats, FetchedSecret, SecretCacheOptions, SecretSource } from './cache';
export type { AuditAction, AuditEvent, AuditSink } from './audit';
export { silentLogger } from './observability';
export type { Logger } from './observability';
