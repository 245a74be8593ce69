import { invalidParameter, invalidRequest, notFound, ServiceFault } from '../fault';
import {
  epochSeconds,
  optionalBoolean,
  optionalString,
  optionalStringList,
  requiredString,
  type Body,
} from '../wire';
import type { SmContext } from './context';
import { assertCanDecrypt, isDefaultKey, keyIn } from './encryption-key';
import { pageOfSecrets, paginate } from './list-pages';
import { assertAllowed } from './policy';
import { replicationStatus } from './replication-ops';
import { arnIn, type SecretRecord, type StoredValue, type VersionRecord } from './records';
import { assertNotDeleted, holderOf, versionById } from './versions';

export { pageOfSecrets, paginate } from './list-pages';

/** SecretString or SecretBinary of a stored value, as the API returns them. */
export function valueFields(value: StoredValue | undefined): Record<string, string> {
  if (value === undefined) return {};
  return 'text' in value ? { SecretString: value.text } : { SecretBinary: value.binary };
}

/** Whether rotation was ever configured: the service leaves RotationEnabled out until then. */
const rotationConfigured = (record: SecretRecord): boolean =>
  record.rotation.enabled || record.rotation.lambdaArn !== undefined || record.rotation.rules !== undefined;

function stagesMap(record: SecretRecord): Record<string, string[]> | undefined {
  const labelled = record.versions.filter((v) => v.stages.length > 0);
  return labelled.length === 0 ? undefined : Object.fromEntries(labelled.map((v) => [v.id, [...v.stages]]));
}

/**
 * The metadata DescribeSecret and ListSecrets share, as seen from the caller's region. Only
 * fields with a value are present, as the service answers: KmsKeyId is left out for
 * aws/secretsmanager, RotationEnabled until rotation was configured, LastRotatedDate and
 * NextRotationDate while rotation is off, LastAccessedDate before the first read there.
 */
function metadata(ctx: SmContext, record: SecretRecord, listing: boolean): Record<string, unknown> {
  const { rotation } = record;
  const keyId = keyIn(record, ctx.region);
  const tags = Object.entries(record.tags).map(([Key, Value]) => ({ Key, Value }));
  const showLastRotated = listing ? record.lastRotatedAt !== undefined : rotation.enabled;
  return {
    ARN: arnIn(record, ctx.region),
    Name: record.name,
    ...(record.description === undefined ? {} : { Description: record.description }),
    ...(isDefaultKey(keyId) ? {} : { KmsKeyId: keyId }),
    ...(rotationConfigured(record) ? { RotationEnabled: rotation.enabled } : {}),
    ...(rotation.lambdaArn === undefined ? {} : { RotationLambdaARN: rotation.lambdaArn }),
    ...(rotation.rules === undefined ? {} : { RotationRules: rotation.rules }),
    ...(showLastRotated ? { LastRotatedDate: epochSeconds(record.lastRotatedAt) } : {}),
    LastChangedDate: epochSeconds(record.lastChangedAt),
    LastAccessedDate: epochSeconds(ctx.store.lastAccessedIn(record, ctx.region)),
    DeletedDate: epochSeconds(record.deletionDate),
    ...(rotation.enabled ? { NextRotationDate: epochSeconds(record.nextRotationAt) } : {}),
    ...(tags.length === 0 ? {} : { Tags: tags }),
    CreatedDate: epochSeconds(record.createdAt),
    PrimaryRegion: record.region,
  };
}

/** The version a read asks for: by id, by stage, or AWSCURRENT; when both are given they must agree. */
function selectVersion(
  record: SecretRecord,
  versionId: string | undefined,
  stage: string | undefined,
): VersionRecord {
  if (versionId !== undefined) {
    const version = versionById(record, versionId);
    if (version === undefined || !version.hasValue) {
      throw notFound(`Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
    }
    if (stage !== undefined && !version.stages.includes(stage)) {
      throw invalidRequest(
        'You provided a VersionStage that is not associated to the provided VersionId. Give one of them, or a matching pair.',
      );
    }
    return version;
  }
  const label = stage ?? 'AWSCURRENT';
  const version = holderOf(record, label);
  if (version === undefined || !version.hasValue) {
    throw notFound(`Secrets Manager can't find the specified secret value for staging label: ${label}`);
  }
  return version;
}

function readVersion(
  ctx: SmContext,
  id: string,
  versionId?: string,
  stage?: string,
): Record<string, unknown> {
  const record = ctx.store.resolve(ctx.tx, id, ctx.region);
  assertNotDeleted(record);
  assertAllowed(record, 'secretsmanager:GetSecretValue');
  const version = selectVersion(record, versionId, stage);
  assertCanDecrypt(ctx, record, ctx.region);
  const day = Math.floor(ctx.now() / 86_400_000) * 86_400_000;
  ctx.store.touch(ctx.access, record, version.id, day, ctx.region);
  return {
    ARN: arnIn(record, ctx.region),
    Name: record.name,
    VersionId: version.id,
    ...valueFields(ctx.store.value(ctx.tx, record, version.id)),
    VersionStages: [...version.stages],
    CreatedDate: epochSeconds(version.createdAt),
  };
}

/** GetSecretValue: one version, by VersionId, VersionStage or AWSCURRENT. */
export function getSecretValue(ctx: SmContext, body: Body): object {
  return readVersion(
    ctx,
    requiredString(body, 'SecretId'),
    optionalString(body, 'VersionId'),
    optionalString(body, 'VersionStage'),
  );
}

/**
 * Up to 20 values, named in SecretIdList or chosen by Filters (paged, as ListSecrets pages);
 * a secret that can't be read is an entry in Errors, not a failed call.
 */
export function batchGetSecretValue(ctx: SmContext, body: Body): object {
  const ids = optionalStringList(body, 'SecretIdList');
  const filtered = body.Filters !== undefined;
  if (ids !== undefined && filtered) {
    throw invalidParameter("Either 'SecretIdList' or 'Filters' must be provided, but not both.");
  }
  if (ids === undefined && !filtered) {
    throw invalidParameter("Either 'SecretIdList' or 'Filters' must be provided: the secrets to read.");
  }
  if (!filtered && (body.MaxResults !== undefined || body.NextToken !== undefined)) {
    throw invalidParameter(
      "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' or 'NextToken' is provided.",
    );
  }
  const listed = filtered ? pageOfSecrets(ctx, body, 20) : undefined;
  const targets = ids ?? listed!.page.map((record) => arnIn(record, ctx.region));
  const SecretValues: object[] = [];
  const Errors: object[] = [];
  for (const id of targets) {
    try {
      SecretValues.push(readVersion(ctx, id));
    } catch (error) {
      if (!(error instanceof ServiceFault)) throw error;
      Errors.push({ SecretId: id, ErrorCode: error.type, Message: error.message });
    }
  }
  return {
    SecretValues,
    Errors,
    ...(listed?.NextToken === undefined ? {} : { NextToken: listed.NextToken }),
  };
}

/** DescribeSecret: the metadata, also of a secret scheduled for deletion. */
export function describeSecret(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolve(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  const stages = stagesMap(record);
  return {
    ...metadata(ctx, record, false),
    ...(stages === undefined ? {} : { VersionIdsToStages: stages }),
    ...(record.replicas.length === 0 ? {} : { ReplicationStatus: replicationStatus(ctx, record) }),
  };
}

/** ListSecrets: a page of the secrets visible in the caller's region. */
export function listSecrets(ctx: SmContext, body: Body): object {
  const { page, NextToken } = pageOfSecrets(ctx, body, 100);
  const SecretList = page.map((record) => {
    const stages = stagesMap(record);
    return {
      ...metadata(ctx, record, true),
      ...(stages === undefined ? {} : { SecretVersionsToStages: stages }),
    };
  });
  return { SecretList, ...(NextToken === undefined ? {} : { NextToken }) };
}

/** ListSecretVersionIds: the versions, newest first; unlabelled ones only with IncludeDeprecated. */
export function listSecretVersionIds(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolve(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  const includeDeprecated = optionalBoolean(body, 'IncludeDeprecated') ?? false;
  const versions = [...record.versions]
    .reverse()
    .filter((version) => includeDeprecated || version.stages.length > 0);
  const { page, NextToken } = paginate(versions, body, 100);
  const keyId = keyIn(record, ctx.region);
  return {
    ARN: arnIn(record, ctx.region),
    Name: record.name,
    Versions: page.map((version) => ({
      VersionId: version.id,
      VersionStages: [...version.stages],
      CreatedDate: epochSeconds(version.createdAt),
      LastAccessedDate: epochSeconds(ctx.store.lastAccessed(record, version.id)),
      KmsKeyIds: [isDefaultKey(keyId) ? 'DefaultEncryptionKey' : keyId!],
    })),
    ...(NextToken === undefined ? {} : { NextToken }),
  };
}
