import {
  KEYSTAGE_TAGS,
  MAX_SECRET_VALUE_BYTES,
  validateKmsKeyId,
  validateRegion,
  validateSecretName,
  validateTags,
  validateText,
  validateVersionStage,
  validateVersionToken,
} from '../../core';
import { ValidationError, show } from '../../errors';
import { BackupValue } from './backup-value';

/** The staging labels Secrets Manager itself gives meaning to. */
export const CURRENT = 'AWSCURRENT';
export const PREVIOUS = 'AWSPREVIOUS';
export const PENDING = 'AWSPENDING';

/** A labelled version of a secret, as the backup keeps it. */
export interface BackupVersion {
  readonly versionId: string;
  /** Its staging labels (never AWSPENDING: a rotation under way is not part of a backup). */
  readonly stages: readonly string[];
  readonly createdAt: Date;
  readonly value: BackupValue;
}

/** A secret's rotation settings. */
export interface RotationSettings {
  readonly enabled: boolean;
  /** @default - none configured */
  readonly lambdaArn?: string;
  /** @default - none */
  readonly automaticallyAfterDays?: number;
  /** @default - none */
  readonly scheduleExpression?: string;
  /** @default - none */
  readonly duration?: string;
}

/** A region the secret is replicated to, with the replica's KMS key. */
export interface ReplicaSettings {
  readonly region: string;
  /** @default - the region's aws/secretsmanager key */
  readonly kmsKeyId?: string;
}

/**
 * Everything a backup keeps of one secret: every labelled version with its labels,
 * VersionId, creation date and value, and the secret's description, KMS key, tags,
 * resource policy, rotation settings and replicas. Values are {@link BackupValue}s, which
 * never show themselves.
 */
export interface BackupRecord {
  readonly name: string;
  /** The ARN it had where it was backed up. */
  readonly arn: string;
  /** @default - none */
  readonly description?: string;
  /** @default - the aws/secretsmanager key */
  readonly kmsKeyId?: string;
  /** Every tag but the `aws:` ones, which only AWS services set. */
  readonly tags: Readonly<Record<string, string>>;
  /** The resource policy, as JSON text. @default - none */
  readonly policy?: string;
  readonly rotation: RotationSettings;
  readonly replicas: readonly ReplicaSettings[];
  /** Oldest first; exactly one holds AWSCURRENT. */
  readonly versions: readonly BackupVersion[];
}

/** The environment a record belongs to, from its keystage tag. */
export function environmentOf(record: Pick<BackupRecord, 'tags'>): string | undefined {
  return record.tags[KEYSTAGE_TAGS.environment];
}

/** How many secrets a backup left out, by reason (see `SkipReason`). */
export interface SkipCounts {
  readonly 'scheduled-for-deletion': number;
  readonly replica: number;
  readonly gone: number;
}

/** The entry of a secret (no value): its settings, and how many version entries follow it. */
export interface SecretManifest {
  readonly type: 'secret';
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly kmsKeyId?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly policy?: string;
  readonly rotation: RotationSettings;
  readonly replicas: readonly ReplicaSettings[];
  readonly versions: number;
}

/** The entry of one version; its value is the entry's value (text, or bytes for SecretBinary). */
export interface VersionManifest {
  readonly type: 'version';
  /** The secret it belongs to: the name of the secret entry before it. */
  readonly secret: string;
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly createdAt: string;
  /** Hex SHA-256 of the value's bytes. */
  readonly sha256: string;
}

/** The last entry: what the backup holds, checked against what was read. */
export interface SummaryManifest {
  readonly type: 'summary';
  readonly secrets: number;
  readonly versions: number;
  readonly skipped: SkipCounts;
}

/** The entries of one record: the secret's, then one per version, oldest first. */
export function recordEntries(
  record: BackupRecord,
): Array<{ manifest: SecretManifest | VersionManifest; value?: string | Uint8Array }> {
  const secret: SecretManifest = {
    type: 'secret',
    name: record.name,
    arn: record.arn,
    ...(record.description === undefined ? {} : { description: record.description }),
    ...(record.kmsKeyId === undefined ? {} : { kmsKeyId: record.kmsKeyId }),
    tags: { ...record.tags },
    ...(record.policy === undefined ? {} : { policy: record.policy }),
    rotation: { ...record.rotation },
    replicas: record.replicas.map((replica) => ({ ...replica })),
    versions: record.versions.length,
  };
  return [
    { manifest: secret },
    ...record.versions.map((version) => {
      const stored = version.value.stored();
      const manifest: VersionManifest = {
        type: 'version',
        secret: record.name,
        versionId: version.versionId,
        stages: [...version.stages],
        createdAt: version.createdAt.toISOString(),
        sha256: version.value.sha256(),
      };
      return { manifest, value: 'SecretString' in stored ? stored.SecretString : stored.SecretBinary };
    }),
  ];
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;
const SECRET_KEYS = new Set([
  'type',
  'name',
  'arn',
  'description',
  'kmsKeyId',
  'tags',
  'policy',
  'rotation',
  'replicas',
  'versions',
]);
const VERSION_KEYS = new Set(['type', 'secret', 'versionId', 'stages', 'createdAt', 'sha256']);
const ROTATION_KEYS = new Set([
  'enabled',
  'lambdaArn',
  'automaticallyAfterDays',
  'scheduleExpression',
  'duration',
]);
const SUMMARY_KEYS = new Set(['type', 'secrets', 'versions', 'skipped']);
const SKIP_KEYS = new Set(['scheduled-for-deletion', 'replica', 'gone']);

function objectAt(value: unknown, field: string, keys: ReadonlySet<string>): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, `${field} must be an object.`);
  }
  for (const key of Object.keys(value)) {
    if (!keys.has(key)) {
      throw new ValidationError(
        field,
        `${field} has an unknown field ${show(key)}: it is not a backup keystage wrote.`,
      );
    }
  }
  return value as Record<string, unknown>;
}

function stringAt(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new ValidationError(field, `${field} must be a string.`);
  return value;
}

function countAt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(field, `${field} must be a whole number, 0 or more.`);
  }
  return value;
}

function dateAt(value: unknown, field: string): Date {
  const text = stringAt(value, field);
  const date = new Date(text);
  if (Number.isNaN(date.getTime()) || date.toISOString() !== text) {
    throw new ValidationError(
      field,
      `${field} must be an ISO 8601 date such as 2026-01-31T12:00:00.000Z, got ${show(text)}.`,
    );
  }
  return date;
}

/** A value from its entry, checked against the manifest's checksum; the message never shows it. */
function valueAt(value: unknown, sha256: unknown, field: string): BackupValue {
  if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
    throw new ValidationError(`${field}.sha256`, `${field}.sha256 must be 64 lowercase hex digits.`);
  }
  let checked: BackupValue;
  if (typeof value === 'string') checked = BackupValue.text(value);
  else if (value instanceof Uint8Array) checked = BackupValue.binary(value);
  else
    throw new ValidationError(`${field}.value`, `${field} has no value: a version entry carries its value.`);
  if (checked.byteLength === 0 || checked.byteLength > MAX_SECRET_VALUE_BYTES) {
    throw new ValidationError(
      `${field}.value`,
      `${field} holds ${checked.byteLength} bytes; a secret value is 1 to ${MAX_SECRET_VALUE_BYTES} bytes.`,
    );
  }
  if (checked.sha256() !== sha256) {
    throw new ValidationError(
      `${field}.sha256`,
      `${field}'s value does not match its checksum: it is damaged.`,
    );
  }
  return checked;
}

function rotationAt(raw: unknown, field: string): RotationSettings {
  const json = objectAt(raw, field, ROTATION_KEYS);
  if (typeof json.enabled !== 'boolean') {
    throw new ValidationError(`${field}.enabled`, `${field}.enabled must be true or false.`);
  }
  const { lambdaArn, automaticallyAfterDays: days, scheduleExpression, duration } = json;
  if (lambdaArn !== undefined && !LAMBDA_ARN.test(stringAt(lambdaArn, `${field}.lambdaArn`))) {
    throw new ValidationError(
      `${field}.lambdaArn`,
      `${field}.lambdaArn ${show(lambdaArn)} is not a Lambda function ARN.`,
    );
  }
  if (
    days !== undefined &&
    (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 1000)
  ) {
    throw new ValidationError(
      `${field}.automaticallyAfterDays`,
      `${field}.automaticallyAfterDays must be a whole number from 1 to 1000.`,
    );
  }
  if (json.enabled && lambdaArn === undefined) {
    throw new ValidationError(`${field}.lambdaArn`, `${field} is enabled but names no rotation function.`);
  }
  return {
    enabled: json.enabled,
    ...(lambdaArn === undefined ? {} : { lambdaArn: lambdaArn as string }),
    ...(days === undefined ? {} : { automaticallyAfterDays: days }),
    ...(scheduleExpression === undefined
      ? {}
      : {
          scheduleExpression: validateText(scheduleExpression, `${field}.scheduleExpression`, 256, {
            required: true,
          }),
        }),
    ...(duration === undefined
      ? {}
      : { duration: validateText(duration, `${field}.duration`, 3, { required: true }) }),
  };
}

function replicasAt(raw: unknown, field: string): ReplicaSettings[] {
  if (!Array.isArray(raw)) throw new ValidationError(field, `${field} must be an array.`);
  const seen = new Set<string>();
  return raw.map((item, i) => {
    const json = objectAt(item, `${field}[${i}]`, new Set(['region', 'kmsKeyId']));
    const region = validateRegion(json.region, `${field}[${i}].region`);
    if (seen.has(region))
      throw new ValidationError(`${field}[${i}].region`, `${field} names ${region} twice.`);
    seen.add(region);
    return {
      region,
      ...(json.kmsKeyId === undefined
        ? {}
        : { kmsKeyId: validateKmsKeyId(json.kmsKeyId, `${field}[${i}].kmsKeyId`) }),
    };
  });
}

/** A secret's entry, checked: its settings and the number of version entries that follow. */
export function checkSecretEntry(
  manifest: unknown,
  field: string,
): { readonly secret: Omit<BackupRecord, 'versions'>; readonly versions: number } {
  const json = objectAt(manifest, field, SECRET_KEYS);
  const versions = countAt(json.versions, `${field}.versions`);
  if (versions === 0) throw new ValidationError(`${field}.versions`, `${field} has no versions.`);
  return {
    secret: {
      name: validateSecretName(json.name, `${field}.name`),
      arn: stringAt(json.arn, `${field}.arn`),
      ...(json.description === undefined
        ? {}
        : { description: validateText(json.description, `${field}.description`, 2048) }),
      ...(json.kmsKeyId === undefined
        ? {}
        : { kmsKeyId: validateKmsKeyId(json.kmsKeyId, `${field}.kmsKeyId`) }),
      tags: validateTags(json.tags, `${field}.tags`),
      ...(json.policy === undefined
        ? {}
        : { policy: validateText(json.policy, `${field}.policy`, 20_480, { required: true }) }),
      rotation: rotationAt(json.rotation, `${field}.rotation`),
      replicas: replicasAt(json.replicas, `${field}.replicas`),
    },
    versions,
  };
}

/** A version's entry, checked (its value against its checksum); `secret` is the secret it must belong to. */
export function checkVersionEntry(
  manifest: unknown,
  value: unknown,
  field: string,
  secret: string,
): BackupVersion {
  const json = objectAt(manifest, field, VERSION_KEYS);
  if (json.secret !== secret) {
    throw new ValidationError(
      `${field}.secret`,
      `${field} belongs to another secret than the entry before it.`,
    );
  }
  const stages = json.stages;
  if (!Array.isArray(stages) || stages.length === 0 || stages.length > 20) {
    throw new ValidationError(`${field}.stages`, `${field}.stages must list 1 to 20 staging labels.`);
  }
  const checked = stages.map((stage, i) => validateVersionStage(stage, `${field}.stages[${i}]`));
  if (checked.includes(PENDING)) {
    throw new ValidationError(
      `${field}.stages`,
      `${field}.stages holds ${PENDING}, which a backup never records.`,
    );
  }
  return {
    versionId: validateVersionToken(json.versionId, `${field}.versionId`),
    stages: checked,
    createdAt: dateAt(json.createdAt, `${field}.createdAt`),
    value: valueAt(value, json.sha256, field),
  };
}

/** A record's versions: each VersionId and label once, exactly one AWSCURRENT, oldest first. */
export function checkVersions(versions: readonly BackupVersion[], field: string): void {
  const holders = new Set<string>();
  const ids = new Set<string>();
  for (const version of versions) {
    if (ids.has(version.versionId))
      throw new ValidationError(field, `${field} lists version ${version.versionId} twice.`);
    ids.add(version.versionId);
    for (const stage of version.stages) {
      if (holders.has(stage)) {
        throw new ValidationError(
          field,
          `${field}: label ${show(stage)} is on two versions; a label is on one version.`,
        );
      }
      holders.add(stage);
    }
  }
  if (!holders.has(CURRENT)) throw new ValidationError(field, `${field}: no version holds ${CURRENT}.`);
  for (let i = 1; i < versions.length; i++) {
    if (versions[i]!.createdAt < versions[i - 1]!.createdAt) {
      throw new ValidationError(field, `${field} must list versions oldest first.`);
    }
  }
}

/** The summary entry, checked. */
export function checkSummaryEntry(manifest: unknown, field: string): SummaryManifest {
  const json = objectAt(manifest, field, SUMMARY_KEYS);
  const skipped = objectAt(json.skipped, `${field}.skipped`, SKIP_KEYS);
  return {
    type: 'summary',
    secrets: countAt(json.secrets, `${field}.secrets`),
    versions: countAt(json.versions, `${field}.versions`),
    skipped: {
      'scheduled-for-deletion': countAt(
        skipped['scheduled-for-deletion'],
        `${field}.skipped.scheduled-for-deletion`,
      ),
      replica: countAt(skipped.replica, `${field}.skipped.replica`),
      gone: countAt(skipped.gone, `${field}.skipped.gone`),
    },
  };
}
