export {
  MYSQL_LOGIN_REFUSED,
  POSTGRES_LOGIN_REFUSED,
  isDatabaseAuthError,
  isMysqlAuthError,
  isPgAuthError,
} from './auth-errors';
export { DEFAULT_PORTS, parseDatabaseSecret } from './database-secret';
export type {
  DatabaseEngine,
  DatabaseSecret,
  DatabaseSecretJson,
  DatabaseSecretRules,
} from './database-secret';
export { toKeystageError } from './aws-errors';
export { derivedToken } from './derived-token';
export type { AwsErrorContext } from './aws-errors';
// kms-sdk is imported by its path: its declarations name the KMS SDK (an optional peer).
export type { KmsClient, KmsClientConfig } from './kms-client';
export { fullJitterMs } from './jitter';
export { optionalPeer } from './optional-peer';
export type { PeerUse } from './optional-peer';
export { KEYSTAGE_TAGS, KEYSTAGE_TAG_PREFIX, SECRET_KINDS, secretName, validateNameSegment } from './naming';
export type { SecretKind, SecretNameParts, SecretStatus, VersionStage } from './naming';
export { paginate } from './paginator';
export type { TokenPage } from './paginator';
export { SECRET_ARN_PATTERN, isArn, namesSecret, partialArn } from './secret-id';
export { parseSecretJson } from './secret-json';
export type { SecretText } from './secret-json';
export {
  MAX_SECRET_NAME_LENGTH,
  MAX_SECRET_VALUE_BYTES,
  MAX_TAGS,
  MAX_TIMER_MS,
  serialiseJsonValue,
  toTagValue,
  validateBoolean,
  validateDurationMs,
  validateInteger,
  validateKmsKeyId,
  validateRegion,
  validateSecretId,
  validateSecretIds,
  validateSecretName,
  validateSecretValue,
  validateTagKeys,
  validateTags,
  validateText,
  validateVersionStage,
  validateVersionToken,
  valueByteLength,
} from './validation';
export { DEFAULT_TIMEOUTS, timeoutHandler } from './timeouts';
export type { ClientTimeouts } from './timeouts';
