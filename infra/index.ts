/**
 * `keystage/infra`: the CDK side of keystage, a separate entry point so that services and
 * rotation Lambda bundles that import `keystage` never load aws-cdk-lib.
 */
export * from './constructs/props';
export * from './constructs/secrets-key';
export * from './constructs/managed-secret';
export * from './constructs/secret-rotation';
export * from './constructs/rotation-monitoring';
export * from './constructs/ecs-secrets-injection';
export * from './constructs/lambda-secrets-injection';
export { SecretsStack, type SecretsStackProps } from './stacks/secrets-stack';
export { ConsumersStack, type ConsumersStackProps } from './stacks/consumers-stack';
export { loadConfig, parseConfig, type AppConfig, type EnvironmentConfig } from './config';
