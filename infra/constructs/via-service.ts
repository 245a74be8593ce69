import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The services a SecretsKey may be used through (`kms:ViaService`). */
export type KeyService = 'secretsmanager' | 'ssm';

/**
 * `secretsmanager.<region>.amazonaws.com`: the value of `kms:ViaService` when `service` calls
 * KMS on a principal's behalf in `scope`'s region. The one place infra spells it.
 */
export function viaServiceName(scope: IConstruct, service: KeyService = 'secretsmanager'): string {
  return `${service}.${Stack.of(scope).region}.amazonaws.com`;
}

/**
 * The condition that limits a KMS permission to requests `service` makes in `scope`'s region
 * on the principal's behalf, so the key cannot be used directly.
 */
export function viaService(
  scope: IConstruct,
  service: KeyService = 'secretsmanager',
): { StringEquals: { 'kms:ViaService': string } } {
  return { StringEquals: { 'kms:ViaService': viaServiceName(scope, service) } };
}
