import type { Body } from '../wire';
import type { SmContext } from './context';
import * as read from './read-ops';
import * as rotation from './rotation-ops';
import * as write from './write-ops';

export type SmOperation = (ctx: SmContext, body: Body) => object;

/** The Secrets Manager operations the local endpoint answers, by `X-Amz-Target` name. */
export const SECRETS_MANAGER_OPERATIONS: Readonly<Record<string, SmOperation>> = {
  CreateSecret: write.createSecret,
  GetSecretValue: read.getSecretValue,
  BatchGetSecretValue: read.batchGetSecretValue,
  PutSecretValue: write.putSecretValue,
  UpdateSecret: write.updateSecret,
  DescribeSecret: read.describeSecret,
  ListSecrets: read.listSecrets,
  ListSecretVersionIds: read.listSecretVersionIds,
  UpdateSecretVersionStage: write.updateSecretVersionStage,
  RotateSecret: rotation.rotateSecret,
  CancelRotateSecret: rotation.cancelRotateSecret,
  DeleteSecret: write.deleteSecret,
  RestoreSecret: write.restoreSecret,
  TagResource: write.tagResource,
  UntagResource: write.untagResource,
  GetRandomPassword: rotation.getRandomPassword,
  PutResourcePolicy: write.putResourcePolicy,
  GetResourcePolicy: read.getResourcePolicy,
  DeleteResourcePolicy: write.deleteResourcePolicy,
  ReplicateSecretToRegions: write.replicateSecretToRegions,
};

export type { RotationEvent, SmContext } from './context';
export { SecretStore } from './store';
export type { SecretRecord, VersionRecord } from './store';
export { pendingVersion } from './rotation-ops';
