import type { Operation } from '../operation';
import type { SmContext } from './context';
import { SHAPES } from './shapes';
import { getRandomPassword } from './random-password';
import * as deletion from './delete-ops';
import * as read from './read-ops';
import * as replication from './replication-ops';
import * as policy from './resource-policy';
import * as rotation from './rotation-ops';
import * as tags from './tags';
import * as write from './write-ops';

const RUN: Readonly<Record<string, Operation<SmContext>['run']>> = {
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
  DeleteSecret: deletion.deleteSecret,
  RestoreSecret: deletion.restoreSecret,
  TagResource: tags.tagResource,
  UntagResource: tags.untagResource,
  GetRandomPassword: getRandomPassword,
  PutResourcePolicy: policy.putResourcePolicy,
  GetResourcePolicy: policy.getResourcePolicy,
  DeleteResourcePolicy: policy.deleteResourcePolicy,
  ValidateResourcePolicy: policy.validateResourcePolicy,
  ReplicateSecretToRegions: replication.replicateSecretToRegions,
  RemoveRegionsFromReplication: replication.removeRegionsFromReplication,
  StopReplicationToReplica: replication.stopReplicationToReplica,
};

/** The Secrets Manager operations the local endpoint answers, by `X-Amz-Target` name. */
export const SECRETS_MANAGER_OPERATIONS: Readonly<Record<string, Operation<SmContext>>> = Object.fromEntries(
  Object.entries(RUN).map(([name, run]) => [name, { input: SHAPES[name]!, run }]),
);

export type { RotationEvent, SmContext } from './context';
export { SecretStore } from './store';
export type { SecretRecord, VersionRecord } from './records';
export { pendingVersion } from './rotation-ops';
