import type { SecretListEntry, SecretVersionsListEntry } from '@aws-sdk/client-secrets-manager';
import { rotationAdvice, type RotationAdvice } from '../../organise/kinds';
import { keystageMetadata, tagsToRecord, type KeystageMetadata } from '../metadata';

export interface SecretVersion {
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly createdAt: Date | undefined;
  readonly lastAccessedAt: Date | undefined;
}

export interface RotationState {
  readonly enabled: boolean;
  readonly lambdaArn: string | undefined;
  readonly automaticallyAfterDays: number | undefined;
  readonly scheduleExpression: string | undefined;
  readonly duration: string | undefined;
  readonly lastRotatedAt: Date | undefined;
  readonly nextRotationAt: Date | undefined;
  /** True while AWSPENDING sits on a version that is not AWSCURRENT. */
  readonly inProgress: boolean;
}

export interface ReplicaState {
  readonly region: string;
  readonly status: string | undefined;
  readonly statusMessage: string | undefined;
  readonly kmsKeyId: string | undefined;
}

export interface SecretSummary {
  readonly arn: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly kmsKeyId: string | undefined;
  readonly createdAt: Date | undefined;
  readonly lastChangedAt: Date | undefined;
  readonly lastAccessedAt: Date | undefined;
  /** Set when the secret is scheduled for deletion. */
  readonly deletionDate: Date | undefined;
  readonly primaryRegion: string | undefined;
  readonly rotation: RotationState;
  readonly versions: readonly SecretVersion[];
  readonly replicas: readonly ReplicaState[];
  readonly tags: Readonly<Record<string, string>>;
  readonly keystage: KeystageMetadata;
  /**
   * How often a secret of its kind should rotate (`days`, `reason`), and whether the
   * configured rotation does (`configuredDays`, `meets`). Absent when the secret has no
   * keystage kind (`keystage:type` tag).
   */
  readonly recommendedRotation?: RotationAdvice;
}

/** One secret as `list` yields it (no version detail: that costs a call per secret). */
export type SecretListItem = Omit<SecretSummary, 'versions' | 'replicas'>;

/** The fields DescribeSecret and a ListSecrets entry share. */
export type SecretFields = Pick<
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
  const keystage = keystageMetadata(tags);
  const rotation = rotationState(fields, stages);
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
    rotation,
    tags,
    keystage,
    ...(keystage.kind === undefined ? {} : { recommendedRotation: rotationAdvice(keystage.kind, rotation) }),
  };
}

export function versionFrom(entry: SecretVersionsListEntry): SecretVersion {
  return {
    versionId: entry.VersionId ?? '',
    stages: entry.VersionStages ?? [],
    createdAt: entry.CreatedDate,
    lastAccessedAt: entry.LastAccessedDate,
  };
}

/** Newest first; versions without a date go last. */
export function newestFirst(a: SecretVersion, b: SecretVersion): number {
  return (b.createdAt?.getTime() ?? -Infinity) - (a.createdAt?.getTime() ?? -Infinity);
}
