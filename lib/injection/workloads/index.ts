export { inject, refresh, revoke, status } from './workloads';
export { refreshOnRotation } from './refresh-on-rotation';
export type { RefreshOnRotationOptions, WorkloadWatch } from './refresh-on-rotation';
export type {
  EcsDeploymentState,
  EcsInjectResult,
  EcsInjectionStatus,
  EcsServiceTarget,
  InjectRequest,
  InjectResult,
  InjectedReference,
  InjectionJob,
  InjectionJobRef,
  InjectionStatus,
  LambdaFunctionTarget,
  LambdaInjectResult,
  LambdaInjectionStatus,
  SecretMapping,
  SecretRotationState,
  WorkloadOptions,
  WorkloadRefreshResult,
  WorkloadRevokeResult,
  WorkloadSdkClient,
  WorkloadTarget,
} from './types';
