import { invalidParameter, invalidRequest } from '../fault';
import { epochSeconds, requiredString, type Body } from '../wire';
import type { SmContext } from './context';
import { DEFAULT_KEY, isDefaultKey, keyProblem } from './encryption-key';
import { arnIn, type ReplicaRecord, type SecretRecord } from './records';
import { assertNotDeleted } from './versions';

/** A requested replica, as the shape let it through. */
export interface ReplicaRequest {
  readonly Region?: string;
  readonly KmsKeyId?: string;
}

/** ReplicationStatus as DescribeSecret, CreateSecret and the replication operations answer it. */
export function replicationStatus(ctx: SmContext, record: SecretRecord): object[] {
  return record.replicas.map((replica) => ({
    Region: replica.region,
    KmsKeyId: replica.kmsKeyId ?? DEFAULT_KEY,
    Status: replica.status,
    ...(replica.statusMessage === undefined ? {} : { StatusMessage: replica.statusMessage }),
    ...(replica.status !== 'InSync'
      ? {}
      : { LastAccessedDate: epochSeconds(ctx.store.lastAccessedIn(record, replica.region)) }),
  }));
}

function failed(region: string, kmsKeyId: string | undefined, statusMessage: string): ReplicaRecord {
  return { region, ...(kmsKeyId === undefined ? {} : { kmsKeyId }), status: 'Failed', statusMessage };
}

/**
 * Clears `region` of the secret that holds `record`'s name there, for ForceOverwriteReplicaSecret:
 * a standalone secret is deleted, a replica of another primary is taken from that primary.
 * Returns why it can't be, if so.
 */
function overwrite(ctx: SmContext, other: SecretRecord, region: string): string | undefined {
  if (other.region !== region) {
    const primary = ctx.store.edit(ctx.tx, other);
    primary.replicas = primary.replicas.filter((replica) => replica.region !== region);
    ctx.store.dropReplicaAccess(ctx.tx, primary, region);
    return undefined;
  }
  if (other.replicas.length > 0) {
    return `Replication failed: the secret ${other.name} in ${region} is a primary secret with replicas, which can't be overwritten.`;
  }
  ctx.store.remove(ctx.tx, other);
  return undefined;
}

/**
 * Replicates `record` (a draft) to the requested regions, as the service does: a region where
 * the name is taken, or whose key can't be used, gets a Failed replica with a StatusMessage
 * (the call itself succeeds); ForceOverwriteReplicaSecret replaces a secret of that name.
 * A region already in sync is left as it is; a failed one is tried again.
 */
export function addReplicas(
  ctx: SmContext,
  record: SecretRecord,
  requested: readonly ReplicaRequest[],
  force: boolean,
): void {
  const regions = new Set<string>();
  for (const replica of requested) {
    if (replica.Region === undefined) {
      throw invalidParameter('Each entry of AddReplicaRegions needs a Region.');
    }
    if (replica.Region === record.region) {
      throw invalidParameter(
        `Invalid replica region: ${replica.Region} is the primary secret's own Region. Give other Regions.`,
      );
    }
    if (regions.has(replica.Region)) {
      throw invalidParameter(
        `AddReplicaRegions names ${replica.Region} more than once. Name each Region once.`,
      );
    }
    regions.add(replica.Region);
  }
  for (const { Region, KmsKeyId: keyId } of requested) {
    const region = Region!;
    const current = record.replicas.find((replica) => replica.region === region);
    if (current?.status === 'InSync') continue;
    record.replicas = record.replicas.filter((replica) => replica.region !== region);
    const kmsKeyId = isDefaultKey(keyId) ? undefined : keyId;
    const problem = keyProblem(ctx, kmsKeyId, region);
    if (problem !== undefined) {
      record.replicas.push(
        failed(
          region,
          kmsKeyId,
          `Replication failed: the KMS key ${kmsKeyId!} can't be used in ${region} (${problem}).`,
        ),
      );
      continue;
    }
    const other = ctx.store.find(ctx.tx, record.name, region);
    if (other !== undefined && other.arn !== record.arn) {
      const refused = force
        ? overwrite(ctx, other, region)
        : `Replication failed: Secret name ${record.name} already exists in region ${region}.`;
      if (refused !== undefined) {
        record.replicas.push(failed(region, kmsKeyId, refused));
        continue;
      }
    }
    record.replicas.push({ region, ...(kmsKeyId === undefined ? {} : { kmsKeyId }), status: 'InSync' });
  }
}

/** ReplicateSecretToRegions: adds replicas; called in the primary region. Answers the primary ARN. */
export function replicateSecretToRegions(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  assertNotDeleted(record);
  addReplicas(
    ctx,
    record,
    body.AddReplicaRegions as ReplicaRequest[],
    body.ForceOverwriteReplicaSecret === true,
  );
  record.lastChangedAt = ctx.now();
  return { ARN: record.arn, ReplicationStatus: replicationStatus(ctx, record) };
}

/** RemoveRegionsFromReplication: deletes replicas at once; called in the primary region. */
export function removeRegionsFromReplication(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  const regions = body.RemoveReplicaRegions as string[];
  for (const region of regions) {
    if (!record.replicas.some((replica) => replica.region === region)) {
      throw invalidParameter(
        `The secret isn't replicated to ${region}. Its replica Regions are [${record.replicas.map((r) => r.region).join(', ')}].`,
      );
    }
  }
  record.replicas = record.replicas.filter((replica) => !regions.includes(replica.region));
  for (const region of regions) ctx.store.dropReplicaAccess(ctx.tx, record, region);
  record.lastChangedAt = ctx.now();
  return { ARN: record.arn, ReplicationStatus: replicationStatus(ctx, record) };
}

/**
 * Promotes the replica in the caller's region to a standalone secret there: same name, the
 * same ARN but for the region, the replica's key, every version and value; the primary
 * stops replicating to that region.
 */
export function stopReplicationToReplica(ctx: SmContext, body: Body): object {
  const id = requiredString(body, 'SecretId');
  // The API reference asks for the primary's ARN; the replica's ARN or the name do as well.
  const asReplica = id.replace(/^(arn:aws:secretsmanager:)[a-z0-9-]+:/, `$1${ctx.region}:`);
  const record = ctx.store.find(ctx.tx, id, ctx.region) ?? ctx.store.resolve(ctx.tx, asReplica, ctx.region);
  if (record.region === ctx.region) {
    throw invalidRequest(
      `The secret ${record.name} is a primary secret in ${ctx.region}, not a replica. Call StopReplicationToReplica in the Region of the replica to promote.`,
    );
  }
  const replica = record.replicas.find((r) => r.region === ctx.region)!;
  const now = ctx.now();
  const promoted: SecretRecord = {
    seq: ctx.store.nextSeq(),
    name: record.name,
    arn: arnIn(record, ctx.region),
    region: ctx.region,
    ...(record.description === undefined ? {} : { description: record.description }),
    ...(replica.kmsKeyId === undefined ? {} : { kmsKeyId: replica.kmsKeyId }),
    createdAt: record.createdAt,
    lastChangedAt: now,
    rotation: { enabled: false },
    tags: { ...record.tags },
    ...(record.policy === undefined ? {} : { policy: record.policy }),
    replicas: [],
    versions: record.versions.map((version) => ({ ...version, stages: [...version.stages] })),
    ...(record.deletionDate === undefined ? {} : { deletionDate: record.deletionDate }),
  };
  ctx.store.insert(ctx.tx, promoted);
  for (const version of record.versions) {
    const value = ctx.store.value(ctx.tx, record, version.id);
    if (value !== undefined) ctx.store.setValue(ctx.tx, promoted, version.id, value);
  }
  const primary = ctx.store.edit(ctx.tx, record);
  primary.replicas = primary.replicas.filter((r) => r.region !== ctx.region);
  primary.lastChangedAt = now;
  ctx.store.dropReplicaAccess(ctx.tx, primary, ctx.region);
  return { ARN: promoted.arn };
}
