// `keystage/rotation`: the rotation protocol and the strategies, for rotation functions of
// your own. Named exports only; drivers, SQL helpers and the handlers' wiring stay inside.
export { createRotationHandler } from './protocol';
export type {
  RotationEvent,
  RotationHandler,
  RotationHandlerOptions,
  RotationStrategy,
  RotationValues,
  StepContext,
} from './protocol';
export type { LogSink, RotationLog } from './log';
export type { RotationSecrets, SecretState } from './secrets';
export { ErrorFacts, ROTATION_STEPS, RotationFailure, RotationStepError } from './errors';
export type { RotationFailureReason, RotationStep } from './errors';
export { RotationConfigError, certificateSettingsFromEnv, passwordPolicyFromEnv } from './config';
export type { Environment } from './config';
export { createGenericStrategy, genericStrategyFromEnv } from './strategies/generic';
export type { GenericKind, GenericStrategyOptions } from './strategies/generic';
export { certificateStrategyFromEnv, createCertificateStrategy } from './strategies/certificate';
export type { CertificateStrategyOptions } from './strategies/certificate';
export { alternatingUsersStrategy, singleUserStrategy } from './strategies/database';
export type { DatabaseStrategyOptions } from './strategies/database';
export { postgresSingleStrategy } from './strategies/postgres-single';
export { postgresAlternatingStrategy } from './strategies/postgres-alternating';
export { mysqlSingleStrategy } from './strategies/mysql-single';
export { mysqlAlternatingStrategy } from './strategies/mysql-alternating';
export type { DatabaseDriver, DatabaseSession } from './db/driver';
export { connectionSettingsFromEnv } from './db/secret';
export type { ConnectionSettings } from './db/secret';
export type { DatabaseSecret } from '../lib/core';
