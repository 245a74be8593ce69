/**
 * `keystage/infra`: the CDK side of keystage, a separate entry point so that services and
 * rotation Lambda bundles that import `keystage` never load aws-cdk-lib. Named exports only:
 * the constructs, their props types, the rotation strategy, the stacks and the config loaders.
 */
export { InfraPropsError } from './constructs/props';
export { SecretsKey, type KeyService, type SecretsKeyProps } from './constructs/secrets-key';
export {
  ManagedSecret,
  type ManagedSecretProps,
  type ManagedSecretReplica,
  type ManagedSecretValue,
} from './constructs/managed-secret';
export type { SecretResourcePolicy } from './constructs/secret-resource-policy';
export {
  RotationStrategy,
  SecretRotation,
  type AlternatingUsersRotationOptions,
  type CertificateRotationOptions,
  type DatabaseRotationOptions,
  type GenericKind,
  type GenericRotationOptions,
  type RotationPasswordOptions,
  type RotationScheduleProps,
  type RotationStrategyName,
  type SecretRotationProps,
} from './constructs/secret-rotation';
export {
  METRIC_NAMESPACE,
  ROTATION_FAILURE_EVENTS,
  RotationMonitoring,
  type MonitoredSecret,
  type RotationMonitoringProps,
} from './constructs/rotation-monitoring';
export {
  EcsSecretsInjection,
  type EcsRedeployTrigger,
  type EcsSecretSource,
  type EcsSecretsInjectionProps,
  type EcsSecretsManagerSource,
  type EcsSsmParameterSource,
} from './constructs/ecs-secrets-injection';
export {
  LambdaSecretsInjection,
  type LambdaSecretReference,
  type LambdaSecretsInjectionProps,
  type ParametersAndSecretsExtensionProps,
} from './constructs/lambda-secrets-injection';
export { SecretsStack, secretsKeyAlias, type SecretsStackProps } from './stacks/secrets-stack';
export { ReplicaKeyStack, type ReplicaKeyStackProps } from './stacks/replica-key-stack';
export { AuditLog, AUDIT_WRITE_ACTIONS, type AuditLogProps } from './constructs/audit-log';
export { AUDIT_LOG_GROUP_VARIABLE, ConsumersStack, type ConsumersStackProps } from './stacks/consumers-stack';
export { loadConfig, parseConfig, type AppConfig, type EnvironmentConfig } from './config';
