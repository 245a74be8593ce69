import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  DeleteSecretCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  RemoveRegionsFromReplicationCommand,
  ReplicateSecretToRegionsCommand,
  RestoreSecretCommand,
  RotateSecretCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  type RotationRulesType,
} from '@aws-sdk/client-secrets-manager';
import { recordToTags } from '../../client/metadata';
import type { Operation, OperationKind } from '../../client/operation';
import { checkCallOptions, type CallOptions } from '../../client/options';
import type { CallContext } from '../../client/pipeline';
import { runOperation, type SecretsClient } from '../../client/secrets-client';
import { validateSecretId } from '../../core';
import { ValidationError } from '../../errors';
import type { ReplicaSettings, RotationSettings } from './backup-record';
import type { BackupValue } from './backup-value';

/**
 * One change a restore (or its rollback) makes to one secret: one Secrets Manager write.
 * Steps name versions and labels, never values: a dry run returns them as its plan.
 */
export type RestoreStep =
  /** CreateSecret with the first version (`versionId` is its ClientRequestToken). */
  | {
      readonly type: 'create';
      readonly versionId: string;
      readonly description?: string;
      readonly kmsKeyId?: string;
      readonly tags: Readonly<Record<string, string>>;
      readonly replicas: readonly ReplicaSettings[];
    }
  /** RestoreSecret: cancels the target's scheduled deletion. */
  | { readonly type: 'undelete' }
  /** UpdateSecret: the description (empty to clear it) and the KMS key. */
  | { readonly type: 'update-metadata'; readonly description?: string; readonly kmsKeyId?: string }
  /** PutSecretValue with the version's VersionId as ClientRequestToken. */
  | { readonly type: 'put-version'; readonly versionId: string; readonly stages: readonly string[] }
  /** UpdateSecretVersionStage: moves (`to`) or removes a label, compare-and-swap on `from`. */
  | { readonly type: 'move-label'; readonly label: string; readonly to?: string; readonly from?: string }
  | { readonly type: 'tag'; readonly tags: Readonly<Record<string, string>> }
  | { readonly type: 'untag'; readonly keys: readonly string[] }
  | { readonly type: 'put-policy'; readonly policy: string }
  | { readonly type: 'delete-policy' }
  /** RotateSecret with RotateImmediately false: configures rotation without rotating. */
  | { readonly type: 'configure-rotation'; readonly rotation: RotationSettings }
  | { readonly type: 'cancel-rotation' }
  | { readonly type: 'replicate'; readonly replicas: readonly ReplicaSettings[] }
  | { readonly type: 'remove-replicas'; readonly regions: readonly string[] }
  /** DeleteSecret without recovery: only for a secret the restore itself created. */
  | { readonly type: 'delete' }
  /** DeleteSecret with a recovery window: puts back a deletion the restore cancelled. */
  | { readonly type: 'schedule-deletion'; readonly recoveryWindowDays: number };

export type RestoreStepType = RestoreStep['type'];

/** How the access policy sees each step. */
export const STEP_KIND: Readonly<Record<RestoreStepType, OperationKind>> = {
  create: 'create',
  undelete: 'delete',
  'update-metadata': 'update',
  'put-version': 'update',
  'move-label': 'update',
  tag: 'manage',
  untag: 'manage',
  'put-policy': 'manage',
  'delete-policy': 'manage',
  'configure-rotation': 'rotate',
  'cancel-rotation': 'rotate',
  replicate: 'manage',
  'remove-replicas': 'manage',
  delete: 'delete',
  'schedule-deletion': 'delete',
};

/** A step to run: the secret, the step, and for `create` and `put-version` the version's value. */
export interface StepRequest {
  readonly secretId: string;
  readonly step: RestoreStep;
  readonly value: BackupValue | undefined;
  /** True for a rollback's steps (recorded in the audit trail). */
  readonly rollback: boolean;
}

/** What a step answered: the ARN when the service gave one. */
export interface StepResult {
  readonly arn: string | undefined;
  readonly versionId?: string;
}

function rulesOf(rotation: RotationSettings): RotationRulesType | undefined {
  const rules: RotationRulesType = {
    ...(rotation.scheduleExpression === undefined
      ? rotation.automaticallyAfterDays === undefined
        ? {}
        : { AutomaticallyAfterDays: rotation.automaticallyAfterDays }
      : { ScheduleExpression: rotation.scheduleExpression }),
    ...(rotation.duration === undefined ? {} : { Duration: rotation.duration }),
  };
  return Object.keys(rules).length === 0 ? undefined : rules;
}

function replicaRegions(replicas: readonly ReplicaSettings[]): Array<{ Region: string; KmsKeyId?: string }> {
  return replicas.map((replica) => ({
    Region: replica.region,
    ...(replica.kmsKeyId === undefined ? {} : { KmsKeyId: replica.kmsKeyId }),
  }));
}

function needValue(request: StepRequest): BackupValue {
  if (request.value === undefined) {
    throw new ValidationError('value', `A ${request.step.type} step needs the version's value.`);
  }
  return request.value;
}

type Send = (request: StepRequest, context: CallContext) => Promise<StepResult>;

/** Each step's one request. */
const SEND: { readonly [T in RestoreStepType]: Send } = {
  create: async (request, context) => {
    const step = request.step as Extract<RestoreStep, { type: 'create' }>;
    const output = await context.send('CreateSecret', request.secretId, (sm) =>
      sm.send(
        new CreateSecretCommand({
          Name: request.secretId,
          ClientRequestToken: step.versionId,
          ...needValue(request).stored(),
          ...(step.description === undefined ? {} : { Description: step.description }),
          ...(step.kmsKeyId === undefined ? {} : { KmsKeyId: step.kmsKeyId }),
          ...(Object.keys(step.tags).length === 0 ? {} : { Tags: recordToTags(step.tags) }),
          ...(step.replicas.length === 0 ? {} : { AddReplicaRegions: replicaRegions(step.replicas) }),
        }),
      ),
    );
    return { arn: output.ARN, versionId: step.versionId };
  },
  undelete: async (request, context) => {
    const output = await context.send('RestoreSecret', request.secretId, (sm) =>
      sm.send(new RestoreSecretCommand({ SecretId: request.secretId })),
    );
    return { arn: output.ARN };
  },
  'update-metadata': async (request, context) => {
    const step = request.step as Extract<RestoreStep, { type: 'update-metadata' }>;
    const output = await context.send('UpdateSecret', request.secretId, (sm) =>
      sm.send(
        new UpdateSecretCommand({
          SecretId: request.secretId,
          ...(step.description === undefined ? {} : { Description: step.description }),
          ...(step.kmsKeyId === undefined ? {} : { KmsKeyId: step.kmsKeyId }),
        }),
      ),
    );
    return { arn: output.ARN };
  },
  'put-version': async (request, context) => {
    const step = request.step as Extract<RestoreStep, { type: 'put-version' }>;
    const output = await context.send('PutSecretValue', request.secretId, (sm) =>
      sm.send(
        new PutSecretValueCommand({
          SecretId: request.secretId,
          ClientRequestToken: step.versionId,
          ...needValue(request).stored(),
          VersionStages: [...step.stages],
        }),
      ),
    );
    return { arn: output.ARN, versionId: step.versionId };
  },
  'move-label': async (request, context) => {
    const step = request.step as Extract<RestoreStep, { type: 'move-label' }>;
    const output = await context.send('UpdateSecretVersionStage', request.secretId, (sm) =>
      sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: request.secretId,
          VersionStage: step.label,
          ...(step.to === undefined ? {} : { MoveToVersionId: step.to }),
          ...(step.from === undefined ? {} : { RemoveFromVersionId: step.from }),
        }),
      ),
    );
    return { arn: output.ARN };
  },
  tag: async (request, context) => {
    const step = request.step as Extract<RestoreStep, { type: 'tag' }>;
    await context.send('TagResource', request.secretId, (sm) =>
      sm.send(new TagResourceCommand({ SecretId: request.secretId, Tags: recordToTags(step.tags) })),
    );
    return { arn: undefined };
  },
  untag: async (request, context) => {
    const step = request.step as Extract<RestoreStep, { type: 'untag' }>;
    await context.send('UntagResource', request.secretId, (sm) =>
      sm.send(new UntagResourceCommand({ SecretId: request.secretId, TagKeys: [...step.keys] })),
    );
    return { arn: undefined };
  },
  'put-policy': async (request, context) => {
    const step = request.step as Extract<RestoreStep, { type: 'put-policy' }>;
    const output = await context.send('PutResourcePolicy', request.secretId, (sm) =>
      sm.send(new PutResourcePolicyCommand({ SecretId: request.secretId, ResourcePolicy: step.policy })),
    );
    return { arn: output.ARN };
  },
  'delete-policy': async (request, context) => {
    const output = await context.send('DeleteResourcePolicy', request.secretId, (sm) =>
      sm.send(new DeleteResourcePolicyCommand({ SecretId: request.secretId })),
    );
    return { arn: output.ARN };
  },
  'configure-rotation': async (request, context) => {
    const { rotation } = request.step as Extract<RestoreStep, { type: 'configure-rotation' }>;
    const rules = rulesOf(rotation);
    const output = await context.send('RotateSecret', request.secretId, (sm) =>
      sm.send(
        new RotateSecretCommand({
          SecretId: request.secretId,
          RotationLambdaARN: rotation.lambdaArn,
          ...(rules === undefined ? {} : { RotationRules: rules }),
          RotateImmediately: false,
        }),
      ),
    );
    return { arn: output.ARN };
  },
  'cancel-rotation': async (request, context) => {
    const output = await context.send('CancelRotateSecret', request.secretId, (sm) =>
      sm.send(new CancelRotateSecretCommand({ SecretId: request.secretId })),
    );
    return { arn: output.ARN };
  },
  replicate: async (request, context) => {
    const step = request.step as Extract<RestoreStep, { type: 'replicate' }>;
    const output = await context.send('ReplicateSecretToRegions', request.secretId, (sm) =>
      sm.send(
        new ReplicateSecretToRegionsCommand({
          SecretId: request.secretId,
          AddReplicaRegions: replicaRegions(step.replicas),
        }),
      ),
    );
    return { arn: output.ARN };
  },
  'remove-replicas': async (request, context) => {
    const step = request.step as Extract<RestoreStep, { type: 'remove-replicas' }>;
    const output = await context.send('RemoveRegionsFromReplication', request.secretId, (sm) =>
      sm.send(
        new RemoveRegionsFromReplicationCommand({
          SecretId: request.secretId,
          RemoveReplicaRegions: [...step.regions],
        }),
      ),
    );
    return { arn: output.ARN };
  },
  delete: async (request, context) => {
    const output = await context.send('DeleteSecret', request.secretId, (sm) =>
      sm.send(new DeleteSecretCommand({ SecretId: request.secretId, ForceDeleteWithoutRecovery: true })),
    );
    return { arn: output.ARN };
  },
  'schedule-deletion': async (request, context) => {
    const step = request.step as Extract<RestoreStep, { type: 'schedule-deletion' }>;
    const output = await context.send('DeleteSecret', request.secretId, (sm) =>
      sm.send(
        new DeleteSecretCommand({
          SecretId: request.secretId,
          RecoveryWindowInDays: step.recoveryWindowDays,
        }),
      ),
    );
    return { arn: output.ARN };
  },
};

/** What the audit trail records of a step: its type and the versions and labels it names. */
function stepDetails(request: StepRequest): Record<string, string | boolean | readonly string[]> {
  const { step } = request;
  const details: Record<string, string | boolean | readonly string[]> = {
    step: step.type,
    rollback: request.rollback,
  };
  if ('versionId' in step) details.versionId = step.versionId;
  if (step.type === 'move-label') details.label = step.label;
  if (step.type === 'put-version') details.stages = step.stages;
  if (step.type === 'tag') details.keys = Object.keys(step.tags);
  if (step.type === 'untag') details.keys = step.keys;
  if (step.type === 'remove-replicas') details.regions = step.regions;
  if (step.type === 'replicate') details.regions = step.replicas.map((replica) => replica.region);
  return details;
}

function stepOperation(
  kind: OperationKind,
): Operation<[request: StepRequest, options: CallOptions], StepRequest, StepResult> {
  return {
    name: 'restoreBackup',
    kind,
    validate: (request, options) => {
      checkCallOptions(options, 'restoreBackup');
      validateSecretId(request.secretId, 'secretId');
      return request;
    },
    secretId: (request) => request.secretId,
    call: (request, context) => SEND[request.step.type](request, context),
    audit: { action: 'restoreBackup', describe: (request) => ({ details: stepDetails(request) }) },
  };
}

const KINDS: readonly OperationKind[] = ['create', 'update', 'manage', 'rotate', 'delete'];

/** One operation per kind of step, so the access policy sees each step as what it is. */
const OPERATIONS = new Map(KINDS.map((kind) => [kind, stepOperation(kind)]));

/**
 * Runs one step through `client`'s pipeline: the access policy judges it by its kind
 * (`create`, `update`, `manage`, `rotate`, `delete`), rate limits count it, and the audit
 * trail records it as `restoreBackup` with the step's type.
 */
export function runStep(
  client: SecretsClient,
  request: StepRequest,
  options: CallOptions,
): Promise<StepResult> {
  const operation = OPERATIONS.get(STEP_KIND[request.step.type])!;
  return runOperation(client, operation, [request, options], options);
}
