export { startLocalEndpoint } from './endpoint';
export type { LocalEndpoint, LocalEndpointOptions } from './endpoint';
export type { ServerLimits } from './http-server';
export type { RotationFunctionOptions } from './rotation/functions';
export type { RotationHandler, RotationHandlerEvent, RotationStep } from './rotation/runner';
export type { RotationEvent } from './secrets-manager';
export type { FileSystem } from './storage/file-system';
export type { RecoveryReport } from './storage/recovery';
