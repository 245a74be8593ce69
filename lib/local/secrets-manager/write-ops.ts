import { exists, invalidParameter, invalidRequest, limitExceeded } from '../fault';
import { MAX_TAGS, tagsOf } from './tags';
import { optionalBlob, optionalString, optionalStringList, requiredString, type Body } from '../wire';
import type { SmContext } from './context';
import { assertCanEncrypt, isDefaultKey } from './encryption-key';
import { addReplicas, replicationStatus, type ReplicaRequest } from './replication-ops';
import { arnIn, newVersionId, type SecretRecord, type StoredValue, type VersionRecord } from './records';
import { assertNotDeleted, attachStage, holderOf, pruneVersions, versionById } from './versions';

const MAX_VALUE_BYTES = 65_536;
const MAX_STAGES_PER_VERSION = 20;
const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/** The value in a request, if any, checked against the service's size limit. */
function valueOf(body: Body): StoredValue | undefined {
  const text = optionalString(body, 'SecretString');
  const binary = optionalBlob(body, 'SecretBinary');
  if (text !== undefined && binary !== undefined) {
    throw invalidParameter(
      "You can't specify both a binary secret value and a string secret value in the same secret. Give SecretString or SecretBinary.",
    );
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

/** The request's ClientRequestToken (the shape checked its length), or a new VersionId. */
function token(body: Body): string {
  return optionalString(body, 'ClientRequestToken') ?? newVersionId();
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
        "You can't modify an existing version, you can only create new versions. A version with this ClientRequestToken already exists: use a new token for a new value.",
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

/** A retried CreateSecret: same name, token and value as the call that created the secret. */
function isRetry(
  ctx: SmContext,
  existing: SecretRecord,
  body: Body,
  value: StoredValue | undefined,
): boolean {
  const requestToken = optionalString(body, 'ClientRequestToken');
  if (requestToken === undefined || value === undefined) return false;
  const version = versionById(existing, requestToken);
  return version?.hasValue === true && sameValue(ctx.store.value(ctx.tx, existing, requestToken), value);
}

/** CreateSecret: a new secret, with its first version if a value is given; a retry of the same call answers as the first did. */
export function createSecret(ctx: SmContext, body: Body): object {
  const name = requiredString(body, 'Name');
  if (!NAME.test(name)) {
    throw invalidParameter(
      'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
    );
  }
  const value = valueOf(body);
  const tags = tagsOf(body);
  const existing = ctx.store.find(ctx.tx, name, ctx.region);
  if (existing !== undefined) {
    if (existing.deletionDate !== undefined) {
      throw invalidRequest(
        "You can't create this secret because a secret with this name is already scheduled for deletion. Restore it, or delete it with ForceDeleteWithoutRecovery first.",
      );
    }
    // The service answers a retry (same token, same value) as it answered the first call.
    if (existing.region === ctx.region && isRetry(ctx, existing, body, value)) {
      const VersionId = optionalString(body, 'ClientRequestToken')!;
      return ref(ctx, existing, {
        VersionId,
        ...(existing.replicas.length === 0 ? {} : { ReplicationStatus: replicationStatus(ctx, existing) }),
      });
    }
    throw exists(`The operation failed because the secret ${name} already exists.`);
  }
  const kmsKeyId = optionalString(body, 'KmsKeyId');
  if (value !== undefined) assertCanEncrypt(ctx, kmsKeyId, ctx.region);
  const versionId = token(body);
  const now = ctx.now();
  const description = optionalString(body, 'Description');
  const record: SecretRecord = {
    seq: ctx.store.nextSeq(),
    name,
    arn: ctx.store.arnFor(name, ctx.region),
    region: ctx.region,
    ...(description === undefined ? {} : { description }),
    ...(isDefaultKey(kmsKeyId) ? {} : { kmsKeyId }),
    createdAt: now,
    lastChangedAt: now,
    rotation: { enabled: false },
    tags,
    replicas: [],
    versions: [],
  };
  if (Object.keys(tags).length > MAX_TAGS) throw limitExceeded(`A secret can have at most ${MAX_TAGS} tags.`);
  const requested = body.AddReplicaRegions as ReplicaRequest[] | undefined;
  if (requested !== undefined) addReplicas(ctx, record, requested, body.ForceOverwriteReplicaSecret === true);
  ctx.store.insert(ctx.tx, record);
  if (value !== undefined) storeVersion(ctx, record, versionId, value, ['AWSCURRENT']);
  return ref(ctx, record, {
    ...(value === undefined ? {} : { VersionId: versionId }),
    ...(record.replicas.length === 0 ? {} : { ReplicationStatus: replicationStatus(ctx, record) }),
  });
}

/** PutSecretValue: a new version (AWSCURRENT unless VersionStages says otherwise; always on the first). */
export function putSecretValue(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  assertNotDeleted(record);
  const value = valueOf(body);
  if (value === undefined) {
    throw invalidParameter(
      'You must provide either SecretString or SecretBinary: the value of the new version.',
    );
  }
  const stages = [...(optionalStringList(body, 'VersionStages') ?? ['AWSCURRENT'])];
  // The first version of a secret is its current one, whatever labels the call asked for.
  if (holderOf(record, 'AWSCURRENT') === undefined && !stages.includes('AWSCURRENT'))
    stages.push('AWSCURRENT');
  assertCanEncrypt(ctx, record.kmsKeyId, ctx.region);
  const version = storeVersion(ctx, record, token(body), value, stages);
  return ref(ctx, record, { VersionId: version.id, VersionStages: [...version.stages] });
}

/** UpdateSecret: description and key, and a new AWSCURRENT version when a value is given. */
export function updateSecret(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  assertNotDeleted(record);
  const description = optionalString(body, 'Description');
  const kmsKeyId = optionalString(body, 'KmsKeyId');
  const value = valueOf(body);
  const key = kmsKeyId === undefined ? record.kmsKeyId : isDefaultKey(kmsKeyId) ? undefined : kmsKeyId;
  // A new key re-encrypts the labelled versions, so it must be usable whenever there are any.
  if (value !== undefined || (kmsKeyId !== undefined && record.versions.some((v) => v.hasValue))) {
    assertCanEncrypt(ctx, key, ctx.region);
  }
  let changed = false;
  if (description !== undefined && description !== record.description) {
    record.description = description;
    changed = true;
  }
  if (kmsKeyId !== undefined && key !== record.kmsKeyId) {
    if (key === undefined) delete record.kmsKeyId;
    else record.kmsKeyId = key;
    changed = true;
  }
  if (changed) record.lastChangedAt = ctx.now();
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
  if (removeFrom !== undefined && versionById(record, removeFrom) === undefined) {
    throw invalidParameter(`The secret has no version ${removeFrom} (RemoveFromVersionId).`);
  }
  if (removeFrom !== undefined && holder?.id !== removeFrom) {
    throw invalidParameter(
      `The parameter RemoveFromVersionId doesn't match the version that currently has the staging label ${stage}.`,
    );
  }
  if (moveTo === undefined) {
    if (stage === 'AWSCURRENT') {
      throw invalidParameter(
        'You can only move the staging label AWSCURRENT to another version (MoveToVersionId); it cannot be removed.',
      );
    }
    holder!.stages = holder!.stages.filter((s) => s !== stage);
  } else {
    const target = versionById(record, moveTo);
    if (target === undefined)
      throw invalidParameter(`The secret has no version ${moveTo} (MoveToVersionId).`);
    if (holder !== undefined && holder !== target && removeFrom === undefined) {
      throw invalidParameter(
        `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`,
      );
    }
    if (!target.stages.includes(stage) && target.stages.length >= MAX_STAGES_PER_VERSION) {
      throw limitExceeded(
        `The version ${moveTo} already has ${MAX_STAGES_PER_VERSION} staging labels, the most a version can have. Remove one first.`,
      );
    }
    attachStage(record, stage, target);
  }
  record.lastChangedAt = ctx.now();
  pruneVersions(ctx.store, ctx.tx, record);
  return ref(ctx, record);
}
