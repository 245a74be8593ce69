import { invalidParameter, notFound } from '../fault';
import { optionalBoolean, optionalNumber, requiredString, type Body } from '../wire';
import type { SmContext } from './context';
import { arnIn } from './records';
import { assertNotDeleted } from './versions';

const notOnReplica = (primaryRegion: string) =>
  invalidParameter(
    `Operation not permitted on a replica secret. Call must be made in primary secret's region (${primaryRegion}).`,
  );

/** DeleteSecret: schedules the deletion (7 to 30 days, default 30) or deletes at once when forced. */
export function deleteSecret(ctx: SmContext, body: Body): object {
  const id = requiredString(body, 'SecretId');
  const window = optionalNumber(body, 'RecoveryWindowInDays');
  const force = optionalBoolean(body, 'ForceDeleteWithoutRecovery') ?? false;
  if (force && window !== undefined) {
    throw invalidParameter(
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays. Give one of them.",
    );
  }
  if (window !== undefined && (window < 7 || window > 30)) {
    throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
  }
  const found = ctx.store.find(ctx.tx, id, ctx.region);
  if (found === undefined) {
    if (!force) throw notFound("Secrets Manager can't find the specified secret.");
    // Documented: a forced delete of a missing secret does not answer ResourceNotFoundException.
    const arn = id.startsWith('arn:') ? id : ctx.store.arnFor(id, ctx.region);
    const name = id.startsWith('arn:') ? (/:secret:(.+?)(-[A-Za-z0-9]{6})?$/.exec(id)?.[1] ?? id) : id;
    return { ARN: arn, Name: name, DeletionDate: ctx.now() / 1000 };
  }
  if (found.region !== ctx.region) throw notOnReplica(found.region);
  if (found.replicas.length > 0) {
    throw invalidParameter(
      `You can't delete secret ${found.arn} that still has replica regions [${found.replicas.map((r) => r.region).join(', ')}]. Remove them with RemoveRegionsFromReplication first.`,
    );
  }
  if (found.deletionDate !== undefined && !force) assertNotDeleted(found);
  const record = ctx.store.edit(ctx.tx, found);
  const deletionDate = force ? ctx.now() : ctx.now() + (window ?? 30) * 86_400_000;
  if (force) ctx.store.remove(ctx.tx, record);
  else record.deletionDate = deletionDate;
  return { ARN: arnIn(record, ctx.region), Name: record.name, DeletionDate: deletionDate / 1000 };
}

/** RestoreSecret: cancels a scheduled deletion; a secret not scheduled for deletion is left as it is. */
export function restoreSecret(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  if (record.deletionDate !== undefined) {
    delete record.deletionDate;
    record.lastChangedAt = ctx.now();
  }
  return { ARN: arnIn(record, ctx.region), Name: record.name };
}
