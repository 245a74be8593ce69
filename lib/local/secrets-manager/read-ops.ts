import { invalidParameter, notFound, ServiceFault } from '../fault';
import {
  epochSeconds,
  optionalBoolean,
  optionalNumber,
  optionalString,
  optionalStringList,
  requiredString,
  type Body,
} from '../wire';
import type { SmContext } from './context';
import { assertAllowed } from './policy';
import { assertNotDeleted, holderOf, versionById, type SecretRecord, type VersionRecord } from './store';

export function valueFields(version: VersionRecord): Record<string, string> {
  if (version.value === undefined) return {};
  return 'text' in version.value
    ? { SecretString: version.value.text }
    : { SecretBinary: version.value.binary };
}

function tagList(record: SecretRecord): Array<{ Key: string; Value: string }> {
  return Object.entries(record.tags).map(([Key, Value]) => ({ Key, Value }));
}

function rotationFields(record: SecretRecord): Record<string, unknown> {
  return {
    RotationEnabled: record.rotation.enabled,
    ...(record.rotation.lambdaArn === undefined ? {} : { RotationLambdaARN: record.rotation.lambdaArn }),
    ...(record.rotation.rules === undefined ? {} : { RotationRules: record.rotation.rules }),
  };
}

function stagesMap(record: SecretRecord): Record<string, string[]> {
  return Object.fromEntries(
    record.versions.filter((v) => v.stages.length > 0).map((v) => [v.id, [...v.stages]]),
  );
}

/** The metadata DescribeSecret and ListSecrets share. */
function metadata(ctx: SmContext, record: SecretRecord): Record<string, unknown> {
  return {
    ARN: ctx.store.arnIn(record, ctx.region),
    Name: record.name,
    ...(record.description === undefined ? {} : { Description: record.description }),
    ...(record.kmsKeyId === undefined ? {} : { KmsKeyId: record.kmsKeyId }),
    ...rotationFields(record),
    CreatedDate: epochSeconds(record.createdAt),
    LastChangedDate: epochSeconds(record.lastChangedAt),
    LastAccessedDate: epochSeconds(record.lastAccessedAt),
    LastRotatedDate: epochSeconds(record.lastRotatedAt),
    NextRotationDate: epochSeconds(record.nextRotationAt),
    DeletedDate: epochSeconds(record.deletionDate),
    Tags: tagList(record),
    PrimaryRegion: record.region,
  };
}

/** The version a read asks for: by id, by stage, or AWSCURRENT; both must agree. */
function selectVersion(
  record: SecretRecord,
  versionId: string | undefined,
  stage: string | undefined,
): VersionRecord {
  const byId = versionId === undefined ? undefined : versionById(record, versionId);
  const byStage = holderOf(record, stage ?? 'AWSCURRENT');
  const version = versionId === undefined ? byStage : byId;
  if (version === undefined || (stage !== undefined && !version.stages.includes(stage))) {
    throw notFound(
      "Secrets Manager can't find the specified secret value for the requested VersionId or VersionStage.",
    );
  }
  if (version.value === undefined) {
    throw notFound("Secrets Manager can't find the specified secret value for staging label: AWSPENDING");
  }
  return version;
}

function readVersion(
  ctx: SmContext,
  id: string,
  versionId?: string,
  stage?: string,
): Record<string, unknown> {
  const record = ctx.store.resolve(id, ctx.region);
  assertNotDeleted(record);
  assertAllowed(record, 'secretsmanager:GetSecretValue');
  const version = selectVersion(record, versionId, stage);
  const day = Math.floor(ctx.now() / 86_400_000) * 86_400_000;
  record.lastAccessedAt = day;
  version.lastAccessedAt = day;
  return {
    ARN: ctx.store.arnIn(record, ctx.region),
    Name: record.name,
    VersionId: version.id,
    ...valueFields(version),
    VersionStages: [...version.stages],
    CreatedDate: epochSeconds(version.createdAt),
  };
}

export function getSecretValue(ctx: SmContext, body: Body): object {
  return readVersion(
    ctx,
    requiredString(body, 'SecretId'),
    optionalString(body, 'VersionId'),
    optionalString(body, 'VersionStage'),
  );
}

export function batchGetSecretValue(ctx: SmContext, body: Body): object {
  const ids = optionalStringList(body, 'SecretIdList');
  if (ids !== undefined && body.Filters !== undefined) {
    throw invalidParameter('Either SecretIdList or Filters must be provided, not both.');
  }
  const targets = ids ?? listMatching(ctx, body).map((record) => record.name);
  if (ids !== undefined && (ids.length === 0 || ids.length > 20)) {
    throw invalidParameter('SecretIdList must contain between 1 and 20 secret ids.');
  }
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
  return { SecretValues, Errors };
}

export function describeSecret(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolve(requiredString(body, 'SecretId'), ctx.region);
  return {
    ...metadata(ctx, record),
    VersionIdsToStages: stagesMap(record),
    ...(record.replicas.length === 0
      ? {}
      : {
          ReplicationStatus: record.replicas.map((r) => ({
            Region: r.region,
            Status: 'InSync',
            KmsKeyId: r.kmsKeyId,
          })),
        }),
  };
}

interface Filter {
  readonly Key: string;
  readonly Values: readonly string[];
}

function filterMatches(record: SecretRecord, filter: Filter): boolean {
  return filter.Values.some((raw) => {
    const negate = raw.startsWith('!');
    const value = (negate ? raw.slice(1) : raw).toLowerCase();
    const prefixOf = (text: string | undefined) => text !== undefined && text.toLowerCase().startsWith(value);
    const keys = Object.keys(record.tags);
    const hit =
      filter.Key === 'name'
        ? prefixOf(record.name)
        : filter.Key === 'description'
          ? prefixOf(record.description)
          : filter.Key === 'tag-key'
            ? keys.some(prefixOf)
            : filter.Key === 'tag-value'
              ? Object.values(record.tags).some(prefixOf)
              : filter.Key === 'primary-region'
                ? prefixOf(record.region)
                : [record.name, record.description, ...keys, ...Object.values(record.tags)].some(prefixOf);
    return negate ? !hit : hit;
  });
}

function listMatching(ctx: SmContext, body: Body): SecretRecord[] {
  const filters = (body.Filters ?? []) as Filter[];
  if (!Array.isArray(filters)) throw invalidParameter('Filters must be a list.');
  const known = ['name', 'description', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all'];
  for (const filter of filters) {
    if (!known.includes(filter.Key)) throw invalidParameter(`Invalid filter key: ${String(filter.Key)}.`);
  }
  const includeDeleted = optionalBoolean(body, 'IncludePlannedDeletion') ?? false;
  return [...ctx.store.secrets.values()]
    .filter((record) => ctx.store.visibleIn(record, ctx.region))
    .filter((record) => includeDeleted || record.deletionDate === undefined)
    .filter((record) => filters.every((filter) => filterMatches(record, filter)))
    .sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
}

/** Pages are positions in a stable order, carried as an opaque token. */
export function paginate<T>(
  items: readonly T[],
  body: Body,
  defaultSize: number,
): { page: T[]; NextToken?: string } {
  const size = optionalNumber(body, 'MaxResults') ?? defaultSize;
  if (!Number.isInteger(size) || size < 1 || size > 100)
    throw invalidParameter('MaxResults must be between 1 and 100.');
  const token = optionalString(body, 'NextToken');
  const start = token === undefined ? 0 : Number.parseInt(Buffer.from(token, 'base64').toString('utf8'), 10);
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw new ServiceFault('InvalidNextTokenException', 'The NextToken value is invalid.');
  }
  const end = start + size;
  return {
    page: items.slice(start, end),
    ...(end < items.length ? { NextToken: Buffer.from(String(end)).toString('base64') } : {}),
  };
}

export function listSecrets(ctx: SmContext, body: Body): object {
  const { page, NextToken } = paginate(listMatching(ctx, body), body, 100);
  const SecretList = page.map((record) => ({
    ...metadata(ctx, record),
    SecretVersionsToStages: stagesMap(record),
  }));
  return { SecretList, ...(NextToken === undefined ? {} : { NextToken }) };
}

export function listSecretVersionIds(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolve(requiredString(body, 'SecretId'), ctx.region);
  const includeDeprecated = optionalBoolean(body, 'IncludeDeprecated') ?? false;
  const versions = [...record.versions]
    .reverse()
    .filter((version) => includeDeprecated || version.stages.length > 0);
  const { page, NextToken } = paginate(versions, body, 100);
  return {
    ARN: ctx.store.arnIn(record, ctx.region),
    Name: record.name,
    Versions: page.map((version) => ({
      VersionId: version.id,
      VersionStages: [...version.stages],
      CreatedDate: epochSeconds(version.createdAt),
      LastAccessedDate: epochSeconds(version.lastAccessedAt),
    })),
    ...(NextToken === undefined ? {} : { NextToken }),
  };
}

export function getResourcePolicy(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolve(requiredString(body, 'SecretId'), ctx.region);
  return {
    ARN: ctx.store.arnIn(record, ctx.region),
    Name: record.name,
    ...(record.policy === undefined ? {} : { ResourcePolicy: record.policy }),
  };
}
