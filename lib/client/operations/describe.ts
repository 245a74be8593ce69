import {
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  type DescribeSecretCommandOutput,
  type SecretListEntry,
  type SecretVersionsListEntry,
} from '@aws-sdk/client-secrets-manager';
import { call, type ClientContext } from '../context';
import { keystageMetadata, tagsToRecord } from '../metadata';
import type { RotationState, SecretListItem, SecretSummary, SecretVersion, VersionsOptions } from '../types';
import { validateBoolean, validateSecretId } from '../validation';

/** The fields DescribeSecret and a ListSecrets entry share. */
type SecretFields = Pick<
  SecretListEntry,
  | 'ARN'
  | 'Name'
  | 'Description'
  | 'KmsKeyId'
  | 'RotationEnabled'
  | 'RotationLambdaARN'
  | 'RotationRules'
  | 'LastRotatedDate'
  | 'LastChangedDate'
  | 'LastAccessedDate'
  | 'DeletedDate'
  | 'NextRotationDate'
  | 'Tags'
  | 'CreatedDate'
  | 'PrimaryRegion'
>;

type Stages = Readonly<Record<string, readonly string[]>> | undefined;

/** A rotation is unfinished while AWSPENDING sits on a version that is not AWSCURRENT. */
export function rotationInProgress(stages: Stages): boolean {
  return Object.values(stages ?? {}).some(
    (labels) => labels.includes('AWSPENDING') && !labels.includes('AWSCURRENT'),
  );
}

export function rotationState(fields: SecretFields, stages: Stages): RotationState {
  return {
    enabled: fields.RotationEnabled === true,
    lambdaArn: fields.RotationLambdaARN,
    automaticallyAfterDays: fields.RotationRules?.AutomaticallyAfterDays,
    scheduleExpression: fields.RotationRules?.ScheduleExpression,
    duration: fields.RotationRules?.Duration,
    lastRotatedAt: fields.LastRotatedDate,
    nextRotationAt: fields.NextRotationDate,
    inProgress: rotationInProgress(stages),
  };
}

/** The part of a summary that DescribeSecret and ListSecrets both provide. */
export function listItemFrom(fields: SecretFields, stages: Stages): SecretListItem {
  const tags = tagsToRecord(fields.Tags);
  return {
    arn: fields.ARN ?? '',
    name: fields.Name ?? '',
    description: fields.Description,
    kmsKeyId: fields.KmsKeyId,
    createdAt: fields.CreatedDate,
    lastChangedAt: fields.LastChangedDate,
    lastAccessedAt: fields.LastAccessedDate,
    deletionDate: fields.DeletedDate,
    primaryRegion: fields.PrimaryRegion,
    rotation: rotationState(fields, stages),
    tags,
    keystage: keystageMetadata(tags),
  };
}

function versionFrom(entry: SecretVersionsListEntry): SecretVersion {
  return {
    versionId: entry.VersionId ?? '',
    stages: entry.VersionStages ?? [],
    createdAt: entry.CreatedDate,
    lastAccessedAt: entry.LastAccessedDate,
  };
}

/** Newest first; versions without a date go last. */
function newestFirst(a: SecretVersion, b: SecretVersion): number {
  return (b.createdAt?.getTime() ?? -Infinity) - (a.createdAt?.getTime() ?? -Infinity);
}

export interface VersionListing {
  readonly arn: string | undefined;
  readonly name: string | undefined;
  /** Newest first. */
  readonly versions: SecretVersion[];
}

/** Every page of ListSecretVersionIds. */
export async function fetchVersions(
  ctx: ClientContext,
  secretId: string,
  includeDeprecated: boolean,
): Promise<VersionListing> {
  const versions: SecretVersion[] = [];
  let arn: string | undefined;
  let name: string | undefined;
  let nextToken: string | undefined;
  do {
    const page = await call('ListSecretVersionIds', secretId, () =>
      ctx.sm.send(
        new ListSecretVersionIdsCommand({
          SecretId: secretId,
          IncludeDeprecated: includeDeprecated,
          MaxResults: 100,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      ),
    );
    versions.push(...(page.Versions ?? []).map(versionFrom));
    arn ??= page.ARN;
    name ??= page.Name;
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return { arn, name, versions: versions.sort(newestFirst) };
}

/** One DescribeSecret, errors mapped. */
export function describeRaw(ctx: ClientContext, secretId: string): Promise<DescribeSecretCommandOutput> {
  return call('DescribeSecret', secretId, () =>
    ctx.sm.send(new DescribeSecretCommand({ SecretId: secretId })),
  );
}

/**
 * Everything about a secret but its value. DescribeSecret has the stages but no dates;
 * ListSecretVersionIds has the dates, so both are read and joined by VersionId.
 */
export async function describeSecret(ctx: ClientContext, id: string): Promise<SecretSummary> {
  const secretId = validateSecretId(id);
  const described = await describeRaw(ctx, secretId);
  const dated = new Map((await fetchVersions(ctx, secretId, true)).versions.map((v) => [v.versionId, v]));
  const versions = Object.entries(described.VersionIdsToStages ?? {}).map(
    ([versionId, stages]): SecretVersion => ({
      versionId,
      stages,
      createdAt: dated.get(versionId)?.createdAt,
      lastAccessedAt: dated.get(versionId)?.lastAccessedAt,
    }),
  );
  return {
    ...listItemFrom(described, described.VersionIdsToStages),
    versions: versions.sort(newestFirst),
    replicas: (described.ReplicationStatus ?? []).map((replica) => ({
      region: replica.Region ?? '',
      status: replica.Status,
      statusMessage: replica.StatusMessage,
      kmsKeyId: replica.KmsKeyId,
    })),
  };
}

/** The secret's versions, newest first. */
export async function listSecretVersions(
  ctx: ClientContext,
  id: string,
  options: VersionsOptions,
): Promise<SecretVersion[]> {
  const secretId = validateSecretId(id);
  const includeDeprecated = validateBoolean(options?.includeDeprecated, 'includeDeprecated', false);
  return (await fetchVersions(ctx, secretId, includeDeprecated)).versions;
}
