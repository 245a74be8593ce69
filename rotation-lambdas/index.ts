export { createRotationHandler, parseRotationEvent } from './protocol';
export type {
  RotationEvent,
  RotationHandler,
  RotationHandlerOptions,
  RotationStrategy,
  RotationValues,
  StepContext,
} from './protocol';
export { RotationFailure, RotationStepError, ROTATION_STEPS } from './errors';
export type { RotationFailureReason, RotationStep } from './errors';
export { RotationConfigError, passwordPolicyFromEnv } from './config';
export { createGenericStrategy, genericStrategyFromEnv } from './strategies/generic';
export type { GenericKind, GenericStrategyOptions } from './strategies/generic';
export { alternatingUsersStrategy, singleUserStrategy } from './strategies/database';
export type { DatabaseStrategyOptions } from './strategies/database';
export { postgresSingleStrategy } from './strategies/postgres-single';
export { postgresAlternatingStrategy } from './strategies/postgres-alternating';
export { mysqlSingleStrategy } from './strategies/mysql-single';
export { mysqlAlternatingStrategy } from './strategies/mysql-alternating';
export type { DatabaseDriver, DatabaseSession } from './db/driver';
export type { ConnectionSettings, DatabaseSecret } from './db/secret';
