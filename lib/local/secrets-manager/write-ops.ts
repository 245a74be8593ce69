import { exists, invalidParameter, invalidRequest, limitExceeded } from '../fault';
import {
  optionalBlob,
  optionalBoolean,
  optionalNumber,
  optionalString,
  optionalStringList,
  requiredString,
  type Body,
} from '../wire';
import type { SmContext } from './context';
import {
  arnIn,
  assertNotDeleted,
  attachStage,
  holderOf,
  newVersionId,
  pruneVersions,
  versionById,
  type SecretRecord,
  type StoredValue,
  type VersionRecord,
} from './store';

const MAX_VALUE_BYTES = 65_536;
const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/** The value in a request, if any, checked against the service's size limit. */
function valueOf(body: Body): StoredValue | undefined {
  const text = optionalString(body, 'SecretString');
  const binary = optionalBlob(body, 'SecretBinary');
  if (text !== undefined && binary !== undefined) {
    throw invalidParameter('You can provide SecretString or SecretBinary, not both.');
  }
  const size = text !== undefined ? Buffer.byteLength(text, 'utf8') : (binary?.length ?? 0);
  if (size > MAX_VALUE_BYTES) {
    throw invalidParameter(`The secret value is ${size} bytes; the limit is ${MAX_VALUE_BYTES}.`);
  }
  if (text !== undefined) return { text };
  return binary === undefined ? undefined : { binary: binary.toString('base64') };
}

function sameValue(a: StoredValue | undefined, b: StoredValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function token(body: Body): string {
  const value = optionalString(body, 'ClientRequestToken') ?? newVersionId();
  if (value.length < 32 || value.length > 64) {
    throw invalidParameter('ClientRequestToken must be between 32 and 64 characters.');
  }
  return value;
}

function tagsOf(body: Body): Record<string, string> {
  const tags = (body.Tags ?? []) as Array<{ Key?: unknown; Value?: unknown }>;
  if (!Array.isArray(tags)) throw invalidParameter('Tags must be a list.');
  const record: Record<string, string> = {};
  for (const tag of tags) {
    if (typeof tag.Key !== 'string' || tag.Key.length === 0) throw invalidParameter('Every tag needs a Key.');
    record[tag.Key] = typeof tag.Value === 'string' ? tag.Value : '';
  }
  return record;
}

function ref(ctx: SmContext, record: SecretRecord, extra: object = {}): object {
  return { ARN: arnIn(record, ctx.region), Name: record.name, ...extra };
}

/**
 * Adds a version, or repeats an earlier call: a token that exists with the same value is
 * ignored, with a different value refused, and the empty version RotateSecret made is filled.
 */
function storeVersion(
  ctx: SmContext,
  record: SecretRecord,
  id: string,
  value: StoredValue,
  stages: readonly string[],
): VersionRecord {
  let version = versionById(record, id);
  if (version !== undefined && version.hasValue) {
    if (!sameValue(ctx.store.value(ctx.tx, record, id), value)) {
      throw exists(
        "You can't modify an existing version, you can only create new versions. A version with this ClientRequestToken already exists.",
      );
    }
    return version;
  }
  if (version === undefined) {
    version = { id, hasValue: true, stages: [], createdAt: ctx.now() };
    record.versions.push(version);
  } else {
    version.hasValue = true;
  }
  ctx.store.setValue(ctx.tx, record, id, value);
  for (const stage of stages) attachStage(record, stage, version);
  record.lastChangedAt = ctx.now();
  pruneVersions(ctx.store, ctx.tx, record);
  return version;
}

export function createSecret(ctx: SmContext, body: Body): object {
  const name = requiredString(body, 'Name');
  if (!NAME.test(name))
    throw invalidParameter(
      'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
    );
  const existing = ctx.store.find(ctx.tx, name, ctx.region);
  if (existing !== undefined) {
    if (existing.deletionDate !== undefined) {
      throw invalidRequest(
        `You can't create this secret because a secret with this name is already scheduled for deletion.`,
      );
    }
    throw exists(`The operation failed because the secret ${name} already exists.`);
  }
  const value = valueOf(body);
  const versionId = token(body);
  const now = ctx.now();
  const replicas = ((body.AddReplicaRegions ?? []) as Array<{ Region?: string; KmsKeyId?: string }>).map(
    (r) => {
      if (typeof r.Region !== 'string' || r.Region === ctx.region)
        throw invalidParameter('Invalid replica region.');
      return {
        region: r.Region,
        status: 'InSync' as const,
        ...(r.KmsKeyId === undefined ? {} : { kmsKeyId: r.KmsKeyId }),
      };
    },
  );
  const record: SecretRecord = {
    seq: ctx.store.nextSeq(),
    name,
    arn: ctx.store.arnFor(name, ctx.region),
    region: ctx.region,
    ...(optionalString(body, 'Description') === undefined
      ? {}
      : { description: optionalString(body, 'Description') }),
    ...(optionalString(body, 'KmsKeyId') === undefined ? {} : { kmsKeyId: optionalString(body, 'KmsKeyId') }),
    createdAt: now,
    lastChangedAt: now,
    rotation: { enabled: false },
    tags: tagsOf(body),
    replicas,
    versions: [],
  };
  ctx.store.insert(ctx.tx, record);
  if (value !== undefined) storeVersion(ctx, record, versionId, value, ['AWSCURRENT']);
  return ref(ctx, record, {
    ...(value === undefined ? {} : { VersionId: versionId }),
    ...(replicas.length === 0
      ? {}
      : { ReplicationStatus: replicas.map((r) => ({ Region: r.region, Status: 'InSync' })) }),
  });
}

export function putSecretValue(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  assertNotDeleted(record);
  const value = valueOf(body);
  if (value === undefined) throw invalidParameter('You must provide either SecretString or SecretBinary.');
  const stages = optionalStringList(body, 'VersionStages') ?? ['AWSCURRENT'];
  if (stages.length > 20) throw limitExceeded('A version can have at most 20 staging labels.');
  const version = storeVersion(ctx, record, token(body), value, stages);
  return ref(ctx, record, { VersionId: version.id, VersionStages: [...version.stages] });
}

export function updateSecret(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  assertNotDeleted(record);
  const description = optionalString(body, 'Description');
  const kmsKeyId = optionalString(body, 'KmsKeyId');
  if (description !== undefined) record.description = description;
  if (kmsKeyId !== undefined) record.kmsKeyId = kmsKeyId;
  record.lastChangedAt = ctx.now();
  const value = valueOf(body);
  if (value === undefined) return ref(ctx, record);
  const version = storeVersion(ctx, record, token(body), value, ['AWSCURRENT']);
  return ref(ctx, record, { VersionId: version.id });
}

/**
 * Moves or removes a label. When the label sits on another version, RemoveFromVersionId
 * must name that version: a compare-and-swap that refuses a caller with a stale view.
 */
export function updateSecretVersionStage(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  assertNotDeleted(record);
  const stage = requiredString(body, 'VersionStage');
  const moveTo = optionalString(body, 'MoveToVersionId');
  const removeFrom = optionalString(body, 'RemoveFromVersionId');
  const holder = holderOf(record, stage);
  if (moveTo === undefined && removeFrom === undefined) {
    throw invalidParameter('You must specify MoveToVersionId, RemoveFromVersionId, or both.');
  }
  if (removeFrom !== undefined && holder?.id !== removeFrom) {
    throw invalidParameter(
      `The parameter RemoveFromVersionId doesn't match the version that currently has the staging label ${stage}.`,
    );
  }
  if (moveTo === undefined) {
    if (stage === 'AWSCURRENT')
      throw invalidParameter('You can only move AWSCURRENT to another version; it cannot be removed.');
    holder!.stages = holder!.stages.filter((s) => s !== stage);
  } else {
    const target = versionById(record, moveTo);
    if (target === undefined) throw invalidParameter(`The version ${moveTo} does not exist.`);
    if (holder !== undefined && holder !== target && removeFrom === undefined) {
      throw invalidParameter(
        `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`,
      );
    }
    attachStage(record, stage, target);
  }
  record.lastChangedAt = ctx.now();
  pruneVersions(ctx.store, ctx.tx, record);
  return ref(ctx, record);
}

export function deleteSecret(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  const window = optionalNumber(body, 'RecoveryWindowInDays');
  const force = optionalBoolean(body, 'ForceDeleteWithoutRecovery') ?? false;
  if (force && window !== undefined) {
    throw invalidParameter(
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    );
  }
  if (window !== undefined && (!Number.isInteger(window) || window < 7 || window > 30)) {
    throw invalidParameter('RecoveryWindowInDays must be between 7 and 30 days.');
  }
  if (record.deletionDate !== undefined && !force) {
    throw invalidRequest('The secret is already scheduled for deletion.');
  }
  const deletionDate = force ? ctx.now() : ctx.now() + (window ?? 30) * 86_400_000;
  if (force) ctx.store.remove(ctx.tx, record);
  else record.deletionDate = deletionDate;
  return ref(ctx, record, { DeletionDate: deletionDate / 1000 });
}

export function restoreSecret(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  delete record.deletionDate;
  record.lastChangedAt = ctx.now();
  return ref(ctx, record);
}

export function tagResource(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  const tags = { ...record.tags, ...tagsOf(body) };
  if (Object.keys(tags).length > 50) throw limitExceeded('A secret can have at most 50 tags.');
  record.tags = tags;
  return {};
}

export function untagResource(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  for (const key of optionalStringList(body, 'TagKeys') ?? []) delete record.tags[key];
  return {};
}

export function putResourcePolicy(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  const policy = requiredString(body, 'ResourcePolicy');
  try {
    const parsed = JSON.parse(policy) as { Statement?: unknown };
    if (parsed.Statement === undefined) throw new SyntaxError('no Statement');
  } catch {
    throw invalidParameter('This resource policy contains a syntax error.');
  }
  record.policy = policy;
  return ref(ctx, record);
}

export function deleteResourcePolicy(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  delete record.policy;
  return ref(ctx, record);
}

export function replicateSecretToRegions(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  const added = (body.AddReplicaRegions ?? []) as Array<{ Region?: string; KmsKeyId?: string }>;
  for (const replica of added) {
    if (typeof replica.Region !== 'string' || replica.Region === record.region) {
      throw invalidParameter('Invalid replica region.');
    }
    if (!record.replicas.some((r) => r.region === replica.Region)) {
      record.replicas.push({
        region: replica.Region,
        status: 'InSync',
        ...(replica.KmsKeyId === undefined ? {} : { kmsKeyId: replica.KmsKeyId }),
      });
    }
  }
  return {
    ARN: arnIn(record, ctx.region),
    ReplicationStatus: record.replicas.map((r) => ({
      Region: r.region,
      Status: 'InSync',
      KmsKeyId: r.kmsKeyId,
    })),
  };
}
