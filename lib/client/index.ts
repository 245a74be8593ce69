export { SecretsClient } from './secrets-client';
export { DEFAULT_TIMEOUTS } from '../core';
export type { ClientTimeouts } from '../core';
export type { CallOptions, Clock, SecretsClientOptions } from './options';
export type { AccessEvaluator } from './access';
export { KEYSTAGE_TAGS } from '../core';
export type { SecretKind, SecretStatus, VersionStage } from '../core';
export type { KeystageMetadata } from './metadata';
export type { OperationKind, OperationName } from './operation';
export type { CreateSecretOptions, DatabaseSecretInput, SecretRef } from './operations/create';
export type { CertificateSecretInput } from './operations/create-certificate';
export type { DeleteOptions, DeleteResult } from './operations/delete';
export type {
  DiffOptions,
  DiffSide,
  JsonVersionDiff,
  KeyChanges,
  ValueVersionDiff,
  VersionDiff,
  VersionFormat,
} from './operations/diff';
export type { ExistsOptions } from './operations/exists';
export type { SecretCheck, SecretTestResult, TestOptions } from './operations/check';
export type { GetManyResult, SecretValueEntry } from './operations/get-many';
export type { GetAllOptions } from './operations/get-all';
export type {
  GetByPathOptions,
  GetByPathResult,
  ParameterType,
  ParameterValueEntry,
} from './operations/ssm-path';
export type { ParameterSummary } from './operations/ssm-describe';
export type { SsmClient, SsmClientConfig } from './ssm-source';
export type { SecretScope } from './scope';
export type { RotationAdvice } from '../organise/kinds';
export type { SecretIdentity } from './operations/identity';
export type { ListOptions } from './operations/list';
export type { PutOptions } from './operations/put';
export type { SecretEnvelopeOptions } from './sealed-value';
export type { GetJsonOptions, GetOptions, JsonValidator } from './operations/read';
export type { RevokeOptions } from './operations/revoke';
export type { RollbackOptions, RollbackResult } from './operations/rollback';
export type { RotateOptions, RotateResult } from './operations/rotate';
export type {
  ReplicaState,
  RotationState,
  SecretListItem,
  SecretSummary,
  SecretVersion,
} from './operations/secret-summary';
export type { VersionsOptions } from './operations/versions';
export type { WithSecretOptions } from './operations/with-secret';
