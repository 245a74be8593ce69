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
import {
  arnIn,
  assertNotDeleted,
  holderOf,
  versionById,
  type SecretRecord,
  type SortBy,
  type StoredValue,
  type VersionRecord,
} from './store';

export function valueFields(value: StoredValue | undefined): Record<string, string> {
  if (value === undefined) return {};
  return 'text' in value ? { SecretString: value.text } : { SecretBinary: value.binary };
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
    ARN: arnIn(record, ctx.region),
    Name: record.name,
    ...(record.description === undefined ? {} : { Description: record.description }),
    ...(record.kmsKeyId === undefined ? {} : { KmsKeyId: record.kmsKeyId }),
    ...rotationFields(record),
    CreatedDate: epochSeconds(record.createdAt),
    LastChangedDate: epochSeconds(record.lastChangedAt),
    LastAccessedDate: epochSeconds(ctx.store.lastAccessed(record)),
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
  if (!version.hasValue) {
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
  const record = ctx.store.resolve(ctx.tx, id, ctx.region);
  assertNotDeleted(record);
  assertAllowed(record, 'secretsmanager:GetSecretValue');
  const version = selectVersion(record, versionId, stage);
  ctx.store.touch(ctx.access, record, version.id, Math.floor(ctx.now() / 86_400_000) * 86_400_000);
  return {
    ARN: arnIn(record, ctx.region),
    Name: record.name,
    VersionId: version.id,
    ...valueFields(ctx.store.value(ctx.tx, record, version.id)),
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
  if (ids !== undefined && (ids.length === 0 || ids.length > 20)) {
    throw invalidParameter('SecretIdList must contain between 1 and 20 secret ids.');
  }
  const listed = ids === undefined ? pageOfSecrets(ctx, body, 20, 20) : undefined;
  const targets = ids ?? listed!.page.map((record) => record.name);
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

export function describeSecret(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolve(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
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

function filtersOf(body: Body): Filter[] {
  const filters = (body.Filters ?? []) as Filter[];
  if (!Array.isArray(filters)) throw invalidParameter('Filters must be a list.');
  const known = ['name', 'description', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all'];
  for (const filter of filters) {
    if (!known.includes(filter.Key)) throw invalidParameter(`Invalid filter key: ${String(filter.Key)}.`);
  }
  return filters;
}

/** Entries looked at per page at most, so a page costs the same however selective the filters. */
const MAX_SCANNED_PER_PAGE = 10_000;

interface ListPosition {
  readonly v: 1;
  readonly by: SortBy;
  readonly desc: boolean;
  readonly key: ReadonlyArray<string | number>;
}

function decodePosition(token: string, by: SortBy, desc: boolean): ListPosition {
  let position: ListPosition;
  try {
    position = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ListPosition;
  } catch {
    throw new ServiceFault('InvalidNextTokenException', 'The NextToken value is invalid.');
  }
  if (
    position?.v !== 1 ||
    position.by !== by ||
    position.desc !== desc ||
    !Array.isArray(position.key) ||
    !position.key.every((part) => typeof part === 'string' || typeof part === 'number')
  ) {
    throw new ServiceFault(
      'InvalidNextTokenException',
      'The NextToken value is invalid for these parameters.',
    );
  }
  return position;
}

/**
 * One page of the secrets visible in the caller's region that pass the filters, in the
 * order asked for. The token is a position in that order, not an offset, so it stays valid
 * while secrets are created and deleted.
 */
export function pageOfSecrets(
  ctx: SmContext,
  body: Body,
  defaultSize: number,
  maxSize: number,
): { page: SecretRecord[]; NextToken?: string } {
  const filters = filtersOf(body);
  const size = optionalNumber(body, 'MaxResults') ?? defaultSize;
  if (!Number.isInteger(size) || size < 1 || size > maxSize) {
    throw invalidParameter(`MaxResults must be between 1 and ${maxSize}.`);
  }
  const by = (optionalString(body, 'SortBy') ?? 'created-date') as SortBy;
  const desc = (optionalString(body, 'SortOrder') ?? 'asc') === 'desc';
  const token = optionalString(body, 'NextToken');
  const after = token === undefined ? undefined : decodePosition(token, by, desc).key;
  const includeDeleted = optionalBoolean(body, 'IncludePlannedDeletion') ?? false;
  const page: SecretRecord[] = [];
  let scanned = 0;
  let last: SecretRecord | undefined;
  let more = false;
  for (const record of ctx.store.scan(ctx.region, by, desc, after)) {
    if (page.length === size || scanned === MAX_SCANNED_PER_PAGE) {
      more = true;
      break;
    }
    scanned++;
    last = record;
    if (!includeDeleted && record.deletionDate !== undefined) continue;
    if (filters.every((filter) => filterMatches(record, filter))) page.push(record);
  }
  if (!more || last === undefined) return { page };
  const position: ListPosition = { v: 1, by, desc, key: ctx.store.positionOf(last, by) };
  return { page, NextToken: Buffer.from(JSON.stringify(position)).toString('base64url') };
}

/** Pages of a short list that lives in one record: positions are offsets. */
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
  const { page, NextToken } = pageOfSecrets(ctx, body, 100, 100);
  const SecretList = page.map((record) => ({
    ...metadata(ctx, record),
    SecretVersionsToStages: stagesMap(record),
  }));
  return { SecretList, ...(NextToken === undefined ? {} : { NextToken }) };
}

export function listSecretVersionIds(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolve(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  const includeDeprecated = optionalBoolean(body, 'IncludeDeprecated') ?? false;
  const versions = [...record.versions]
    .reverse()
    .filter((version) => includeDeprecated || version.stages.length > 0);
  const { page, NextToken } = paginate(versions, body, 100);
  return {
    ARN: arnIn(record, ctx.region),
    Name: record.name,
    Versions: page.map((version) => ({
      VersionId: version.id,
      VersionStages: [...version.stages],
      CreatedDate: epochSeconds(version.createdAt),
      LastAccessedDate: epochSeconds(ctx.store.lastAccessed(record, version.id)),
    })),
    ...(NextToken === undefined ? {} : { NextToken }),
  };
}

export function getResourcePolicy(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolve(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  return {
    ARN: arnIn(record, ctx.region),
    Name: record.name,
    ...(record.policy === undefined ? {} : { ResourcePolicy: record.policy }),
  };
}
