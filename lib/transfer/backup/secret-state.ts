import { GetResourcePolicyCommand, type DescribeSecretCommandOutput } from '@aws-sdk/client-secrets-manager';
import { describeRaw } from '../../client/operations/describe';
import type { SecretVersion } from '../../client/operations/secret-summary';
import { fetchVersions } from '../../client/operations/versions';
import { tagsToRecord } from '../../client/metadata';
import type { Operation } from '../../client/operation';
import { checkCallOptions, type CallOptions } from '../../client/options';
import { runOperation, type SecretsClient } from '../../client/secrets-client';
import { validateBoolean, validateSecretId } from '../../core';
import { KeystageError } from '../../errors';
import type { ReplicaSettings, RotationSettings } from './backup-record';

/** A version as a secret's state knows it: no value. */
export interface VersionState {
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly createdAt: Date | undefined;
}

/**
 * Everything about a secret that a restore changes, and nothing it does not: no values.
 * A restore captures it for every secret before touching it (its prior state), and its
 * rollback returns the secret to it.
 */
export interface SecretState {
  readonly name: string;
  readonly arn: string;
  readonly description: string | undefined;
  readonly kmsKeyId: string | undefined;
  /** Every tag but the `aws:` ones, which no caller can set or remove. */
  readonly tags: Readonly<Record<string, string>>;
  /** Undefined when it has none, or when the secret is scheduled for deletion (unreadable then). */
  readonly policy: string | undefined;
  readonly rotation: RotationSettings;
  /** Replicas that exist (in sync or in progress); a failed replica is none. */
  readonly replicas: readonly ReplicaSettings[];
  /** Every version, labelled or not, oldest first. */
  readonly versions: readonly VersionState[];
  /** Set when the secret is scheduled for deletion. */
  readonly deletionDate: Date | undefined;
}

/** The key Secrets Manager uses when none is named, however an answer spells it. */
export function normaliseKey(key: string | undefined): string | undefined {
  return key === undefined ||
    key === '' ||
    key === 'alias/aws/secretsmanager' ||
    key === 'DefaultEncryptionKey'
    ? undefined
    : key;
}

/** Tags a caller can set: AWS reserves the `aws:` prefix for its own services. */
export function settableTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([key]) => !key.toLowerCase().startsWith('aws:')));
}

/** The rotation settings DescribeSecret reports, without the dates. */
export function rotationOf(described: DescribeSecretCommandOutput): RotationSettings {
  const rules = described.RotationRules;
  const lambdaArn = described.RotationLambdaARN;
  return {
    enabled: described.RotationEnabled === true,
    ...(lambdaArn === undefined || lambdaArn === '' ? {} : { lambdaArn }),
    // AWS reports the days of a rate() schedule as well; the expression is what was set.
    ...(rules?.AutomaticallyAfterDays === undefined || rules.ScheduleExpression !== undefined
      ? {}
      : { automaticallyAfterDays: rules.AutomaticallyAfterDays }),
    ...(rules?.ScheduleExpression === undefined ? {} : { scheduleExpression: rules.ScheduleExpression }),
    ...(rules?.Duration === undefined ? {} : { duration: rules.Duration }),
  };
}

/** The state DescribeSecret, the version listing and the resource policy describe. */
export function stateFrom(
  described: DescribeSecretCommandOutput,
  versions: readonly SecretVersion[],
  policy: string | undefined,
): SecretState {
  return {
    name: described.Name ?? '',
    arn: described.ARN ?? '',
    description: described.Description === '' ? undefined : described.Description,
    kmsKeyId: normaliseKey(described.KmsKeyId),
    tags: settableTags(tagsToRecord(described.Tags)),
    policy,
    rotation: rotationOf(described),
    replicas: (described.ReplicationStatus ?? [])
      .filter((replica) => replica.Status !== 'Failed' && replica.Region !== undefined)
      .map((replica) => {
        const kmsKeyId = normaliseKey(replica.KmsKeyId);
        return { region: replica.Region!, ...(kmsKeyId === undefined ? {} : { kmsKeyId }) };
      }),
    // The listing is newest first (ties in the service's order): reversed, oldest first.
    versions: [...versions].reverse().map((version) => ({
      versionId: version.versionId,
      stages: version.stages,
      createdAt: version.createdAt,
    })),
    deletionDate: described.DeletedDate,
  };
}

/**
 * A secret's state: DescribeSecret, every page of ListSecretVersionIds (with the versions
 * that carry no label when `includeDeprecated`) and, unless the secret is scheduled for
 * deletion (when it cannot be read), GetResourcePolicy. A metadata read (`list` to the
 * access policy); no value is read.
 */
export const describeState: Operation<
  [id: string, includeDeprecated: boolean, options: CallOptions],
  { readonly secretId: string; readonly includeDeprecated: boolean },
  SecretState
> = {
  name: 'describe',
  kind: 'list',
  validate: (id, includeDeprecated, options) => {
    checkCallOptions(options, 'describeState');
    return {
      secretId: validateSecretId(id),
      includeDeprecated: validateBoolean(includeDeprecated, 'includeDeprecated', false),
    };
  },
  secretId: (input) => input.secretId,
  call: async ({ secretId, includeDeprecated }, context) => {
    const described = await describeRaw(context, secretId);
    const arn = described.ARN ?? secretId;
    const { versions } = await fetchVersions(context, arn, includeDeprecated);
    let policy: string | undefined;
    if (described.DeletedDate === undefined) {
      const output = await context.send('GetResourcePolicy', arn, (sm) =>
        sm.send(new GetResourcePolicyCommand({ SecretId: arn })),
      );
      policy = output.ResourcePolicy === '' ? undefined : output.ResourcePolicy;
    }
    return stateFrom(described, versions, policy);
  },
  audit: { action: 'describe', describe: () => ({ details: { part: 'backup-state' } }) },
};

/** The state of secret `name` through `client`, or undefined when it does not exist. */
export async function captureState(
  client: SecretsClient,
  name: string,
  includeDeprecated: boolean,
  options: CallOptions,
): Promise<SecretState | undefined> {
  try {
    return await runOperation(client, describeState, [name, includeDeprecated, options], options);
  } catch (error) {
    if (error instanceof KeystageError && error.code === 'SECRET_NOT_FOUND') return undefined;
    throw error;
  }
}
