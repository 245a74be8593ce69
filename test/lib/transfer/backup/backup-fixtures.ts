import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  RemoveRegionsFromReplicationCommand,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsClient } from '../../../../lib/client/secrets-client';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';

export const ROTATION_LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:keystage-backup-rotation';
export const APP_KEY_ALIAS = 'alias/keystage-backup-app';
export const REPLICA_KEY_ALIAS = 'alias/keystage-backup-replica';
/** A value the tests look for in every output: it must never appear. */
export const PLANTED = 'PLANTED-backup-value-5f1c9e2a';
export const PLANTED_BYTES = Buffer.from('PLANTED-binary-9a7d3c', 'utf8');

export const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::000000000000:role/billing-app' },
      Action: 'secretsmanager:GetSecretValue',
      Resource: '*',
    },
  ],
});

/** A VersionId from a short tag, the same on every endpoint so states compare across them. */
export const token = (tag: string): string => `${tag}-00000000-0000-4000-8000-000000000000`.slice(0, 36);

/** The write commands of Secrets Manager. */
export const WRITES = new Set([
  'CreateSecretCommand',
  'PutSecretValueCommand',
  'UpdateSecretCommand',
  'UpdateSecretVersionStageCommand',
  'TagResourceCommand',
  'UntagResourceCommand',
  'PutResourcePolicyCommand',
  'DeleteResourcePolicyCommand',
  'RotateSecretCommand',
  'CancelRotateSecretCommand',
  'ReplicateSecretToRegionsCommand',
  'RemoveRegionsFromReplicationCommand',
  'DeleteSecretCommand',
  'RestoreSecretCommand',
  'StopReplicationToReplicaCommand',
]);

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'keystage-backup-'));

/** An endpoint with the KMS aliases and the (test-only) rotation function the set uses. */
export async function backupEndpoint(): Promise<LocalFixture> {
  const local = await startLocal({ rotationAttempts: 1 });
  // testSecret is all RotateSecret without RotateImmediately runs: nothing to check here.
  local.endpoint.registerRotationHandler(ROTATION_LAMBDA, async () => undefined);
  for (const [region, alias] of [
    ['us-east-1', APP_KEY_ALIAS],
    ['eu-west-1', REPLICA_KEY_ALIAS],
  ] as const) {
    const kms = local.kms(region);
    const key = await kms.send(new CreateKeyCommand({}));
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyMetadata!.KeyId! }));
  }
  return local;
}

export interface Recorded {
  readonly client: SecretsClient;
  /** Command names sent, in order. */
  readonly sent: string[];
}

/**
 * A SecretsClient over `local` whose SDK client records every command, and with `fault`
 * fails the `at`-th write (from 1): `before` refuses it, `after` lets it take effect and then
 * fails (a crash between writes, as the caller sees it).
 */
export function recordedClient(
  local: LocalFixture,
  fault?: { readonly at: number; readonly when: 'before' | 'after' },
): Recorded {
  const sm = local.sm();
  const sent: string[] = [];
  const send = sm.send.bind(sm) as (command: object) => Promise<unknown>;
  let writes = 0;
  (sm as { send: unknown }).send = async (command: object) => {
    const name = command.constructor.name;
    sent.push(name);
    const write = WRITES.has(name) ? ++writes : 0;
    if (fault !== undefined && write === fault.at && fault.when === 'before')
      throw new Error('injected fault');
    const answer = await send(command);
    if (fault !== undefined && write === fault.at && fault.when === 'after')
      throw new Error('injected crash');
    return answer;
  };
  return { client: new SecretsClient({ secretsManager: sm, kms: local.kms(), cache: false }), sent };
}

/** The writes among recorded commands. */
export const writesIn = (sent: readonly string[]): string[] => sent.filter((name) => WRITES.has(name));

/**
 * The realistic set: JSON and binary values, labelled versions (AWSPREVIOUS, a custom label,
 * a rolled-back secret whose AWSPREVIOUS is newer than its AWSCURRENT), tags, a resource
 * policy, a customer KMS key, rotation with a function and a schedule, a replica in a second
 * region under its own key, another environment, and a secret scheduled for deletion.
 */
export async function seedSource(local: LocalFixture): Promise<void> {
  const sm = local.sm();
  const tags = (service: string, environment = 'prod') => [
    { Key: 'keystage:environment', Value: environment },
    { Key: 'keystage:service', Value: service },
  ];
  await sm.send(
    new CreateSecretCommand({
      Name: 'prod/billing/stripe',
      Description: 'Stripe live key',
      ClientRequestToken: token('a1'),
      SecretString: '{"key":"sk_live_first"}',
      Tags: [...tags('billing'), { Key: 'owner', Value: 'payments' }],
    }),
  );
  await put(sm, 'prod/billing/stripe', 'a2', '{"key":"sk_live_second"}');
  await put(sm, 'prod/billing/stripe', 'a3', JSON.stringify({ key: PLANTED }));

  await sm.send(
    new CreateSecretCommand({
      Name: 'prod/billing/signing-key',
      ClientRequestToken: token('b1'),
      SecretBinary: PLANTED_BYTES,
      Tags: tags('billing'),
    }),
  );
  await sm.send(
    new PutSecretValueCommand({
      SecretId: 'prod/billing/signing-key',
      ClientRequestToken: token('b2'),
      SecretBinary: Buffer.from([0, 1, 2, 250, 251, 252]),
      VersionStages: ['blue'],
    }),
  );

  await sm.send(
    new CreateSecretCommand({
      Name: 'prod/app/db',
      KmsKeyId: APP_KEY_ALIAS,
      ClientRequestToken: token('c1'),
      SecretString: '{"username":"app","password":"db-password-1"}',
      Tags: tags('app'),
    }),
  );
  await sm.send(new PutResourcePolicyCommand({ SecretId: 'prod/app/db', ResourcePolicy: POLICY }));
  await sm.send(
    new RotateSecretCommand({
      SecretId: 'prod/app/db',
      RotationLambdaARN: ROTATION_LAMBDA,
      RotationRules: { AutomaticallyAfterDays: 30 },
      RotateImmediately: false,
    }),
  );

  await sm.send(
    new CreateSecretCommand({
      Name: 'prod/app/replicated',
      ClientRequestToken: token('d1'),
      SecretString: 'replicated-value',
      Tags: tags('app'),
      AddReplicaRegions: [{ Region: 'eu-west-1', KmsKeyId: REPLICA_KEY_ALIAS }],
    }),
  );

  await sm.send(
    new CreateSecretCommand({
      Name: 'prod/app/rolled-back',
      ClientRequestToken: token('e1'),
      SecretString: 'good-value',
      Tags: tags('app'),
    }),
  );
  await put(sm, 'prod/app/rolled-back', 'e2', 'bad-value');
  await sm.send(
    new UpdateSecretVersionStageCommand({
      SecretId: 'prod/app/rolled-back',
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: token('e1'),
      RemoveFromVersionId: token('e2'),
    }),
  );

  await sm.send(
    new CreateSecretCommand({
      Name: 'staging/app/db',
      ClientRequestToken: token('f1'),
      SecretString: 'staging-value',
      Tags: tags('app', 'staging'),
    }),
  );
  await sm.send(
    new CreateSecretCommand({
      Name: 'prod/old/retired',
      ClientRequestToken: token('g1'),
      SecretString: 'retired-value',
      Tags: tags('old'),
    }),
  );
  await sm.send(new DeleteSecretCommand({ SecretId: 'prod/old/retired', RecoveryWindowInDays: 7 }));
  await local.endpoint.rotationsIdle();
}

async function put(sm: SecretsManagerClient, id: string, tag: string, value: string): Promise<void> {
  await sm.send(
    new PutSecretValueCommand({ SecretId: id, ClientRequestToken: token(tag), SecretString: value }),
  );
}

/** Removes every secret (replicas first), as after losing them. */
export async function emptyEndpoint(local: LocalFixture): Promise<void> {
  const sm = local.sm();
  const listed = await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: true, MaxResults: 100 }));
  for (const secret of listed.SecretList ?? []) {
    const described = await sm.send(new DescribeSecretCommand({ SecretId: secret.ARN! }));
    const regions = (described.ReplicationStatus ?? []).map((replica) => replica.Region!);
    if (regions.length > 0) {
      await sm.send(
        new RemoveRegionsFromReplicationCommand({ SecretId: secret.ARN!, RemoveReplicaRegions: regions }),
      );
    }
    await sm.send(new DeleteSecretCommand({ SecretId: secret.ARN!, ForceDeleteWithoutRecovery: true }));
  }
}

export interface VersionSnapshot {
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly value: string;
}

export interface SecretSnapshot {
  readonly description: string | undefined;
  readonly kmsKeyId: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly policy: unknown;
  readonly rotation: unknown;
  readonly replicas: ReadonlyArray<{ readonly region: string; readonly kmsKeyId: string | undefined }>;
  readonly deleted: boolean;
  /** Labelled versions, by VersionId. */
  readonly versions: readonly VersionSnapshot[];
  /** Every VersionId, labelled or not. */
  readonly allVersionIds: readonly string[];
}

/**
 * The endpoint's state read with the raw SDK (independent of keystage), keyed by name:
 * what a restore must reproduce. Rotation is compared as far as an API can set it: on with
 * its function and rules, or off.
 */
export async function snapshot(
  local: LocalFixture,
  prefix?: string,
): Promise<Record<string, SecretSnapshot>> {
  await local.endpoint.rotationsIdle();
  const sm = local.sm();
  const listed = await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: true, MaxResults: 100 }));
  const result: Record<string, SecretSnapshot> = {};
  for (const secret of listed.SecretList ?? []) {
    if (prefix !== undefined && !secret.Name!.startsWith(prefix)) continue;
    const described = await sm.send(new DescribeSecretCommand({ SecretId: secret.ARN! }));
    const deleted = described.DeletedDate !== undefined;
    const listing = await sm.send(
      new ListSecretVersionIdsCommand({ SecretId: secret.ARN!, IncludeDeprecated: true, MaxResults: 100 }),
    );
    const versions: VersionSnapshot[] = [];
    for (const version of listing.Versions ?? []) {
      if ((version.VersionStages ?? []).length === 0 || deleted) continue;
      const read = await sm.send(
        new GetSecretValueCommand({ SecretId: secret.ARN!, VersionId: version.VersionId! }),
      );
      versions.push({
        versionId: version.VersionId!,
        stages: [...version.VersionStages!].sort(),
        value: read.SecretString ?? `binary:${Buffer.from(read.SecretBinary!).toString('base64')}`,
      });
    }
    const policy = deleted
      ? undefined
      : (await sm.send(new GetResourcePolicyCommand({ SecretId: secret.ARN! }))).ResourcePolicy;
    const enabled = described.RotationEnabled === true;
    result[secret.Name!] = {
      description: described.Description,
      kmsKeyId: described.KmsKeyId,
      tags: Object.fromEntries((described.Tags ?? []).map((tag) => [tag.Key!, tag.Value!])),
      policy: policy === undefined ? undefined : JSON.parse(policy),
      rotation: enabled
        ? { enabled, lambda: described.RotationLambdaARN, rules: described.RotationRules }
        : { enabled },
      replicas: (described.ReplicationStatus ?? []).map((replica) => ({
        region: replica.Region!,
        kmsKeyId: replica.KmsKeyId,
      })),
      deleted,
      versions: versions.sort((a, b) => a.versionId.localeCompare(b.versionId)),
      allVersionIds: (listing.Versions ?? []).map((version) => version.VersionId!).sort(),
    };
  }
  return result;
}

/** A snapshot with only the labelled versions (what a backup holds and a restore reproduces). */
export function labelled(
  state: Record<string, SecretSnapshot>,
): Record<string, Omit<SecretSnapshot, 'allVersionIds'>> {
  return Object.fromEntries(
    Object.entries(state).map(([name, secret]) => {
      const { allVersionIds, ...rest } = secret;
      void allVersionIds;
      return [name, rest];
    }),
  );
}
