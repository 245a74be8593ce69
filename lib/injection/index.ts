/**
 * keystage/injection: secrets delivered to workloads (files, the sidecar agent, child
 * processes, ECS and Lambda) and kept fresh by one rotation watcher. Everything runs through
 * a `SecretsClient`, so its access policy, rate limits and audit trail apply.
 */
export { RotationWatcher, SqsEventConsumer, eventFromMessageBody } from './watcher';
export type {
  ChangeListener,
  RefreshResult,
  RefreshTrigger,
  RotationWatcherOptions,
  SecretChange,
  SqsConsumerStats,
  SqsEventConsumerOptions,
  WatchOptions,
  WatcherClock,
  WatcherStats,
} from './watcher';
export { FileInjector, SecretTemplate, writeSecretFiles } from './files';
export type {
  FileInjectorOptions,
  FileStatus,
  FileWriteTrigger,
  InjectionFileSystem,
  SecretFile,
  SecretReference,
  TemplateFilter,
  WriteSecretFilesOptions,
  WrittenFile,
} from './files';
export { DEFAULT_TOKEN_HEADERS, DEFAULT_TOKEN_VARIABLES, SecretsAgent, startSecretsAgent } from './agent';
export type { AgentHost, AgentStats, SecretsAgentOptions } from './agent';
export {
  CONCEALED,
  FORWARDED_SIGNALS,
  MaskedStream,
  OutputMask,
  RunningCommand,
  concealedForms,
  envFromFlags,
  parseRotationAction,
  parseSecretReference,
  runWithSecrets,
} from './run';
export type { ChildExit, EnvMapping, OutputStream, RotationAction, RunWithSecretsOptions } from './run';
// Named, not `export *`: Node finds an ES module's named exports of this CommonJS build only
// when they are listed (test/package/imports.test.ts).
export { inject, refresh, refreshOnRotation, revoke, status } from './workloads';
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
  RefreshOnRotationOptions,
  SecretMapping,
  SecretRotationState,
  WorkloadOptions,
  WorkloadRefreshResult,
  WorkloadRevokeResult,
  WorkloadSdkClient,
  WorkloadTarget,
  WorkloadWatch,
} from './workloads';
