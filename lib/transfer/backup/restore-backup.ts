import type { SecretsClient } from '../../client/secrets-client';
import { openBundle, type BundleSource } from '../bundle';
import { BACKUP_CONTENT, recordsFrom } from './backup-entries';
import { checkRestoreOptions, type RestoreBackupOptions } from './backup-options';
import { restoreRecords, type RestoreResult } from './restore-records';
import { checkAll, requestedOf } from './verify-backup';

/**
 * Restores a backup through `client` (its access policy, rate limits and audit trail apply
 * to every read and write), one secret at a time, so that each ends as the backup has it:
 * its labelled versions with their labels (AWSCURRENT, AWSPREVIOUS, custom), tags, resource
 * policy, rotation settings, replicas, description and KMS key.
 *
 * - A secret that does not exist is created; one scheduled for deletion (within its
 *   recovery window) is brought back with RestoreSecret, never made anew; one that exists
 *   is updated. Versions are written oldest first (the AWSCURRENT one last, so AWSPREVIOUS
 *   lands as in the service) with the backup's VersionId as ClientRequestToken: a version
 *   the target already has is not written again, and a rerun after a crash finishes the
 *   job without duplicating any version. Labels are moved by compare-and-swap.
 * - Rotation settings are applied without rotating (RotateSecret with RotateImmediately
 *   false, which has Secrets Manager test the function), last.
 * - With `rollbackOnFailure` (the default), a failure part-way returns every secret the
 *   restore touched to its prior state, captured before its first write: settings and
 *   labels put back by compare-and-swap (the versions added stay, unlabelled: Secrets
 *   Manager never deletes a version on request), a cancelled deletion scheduled again
 *   (with the days that were left, 7 at least), and a secret the restore created deleted at
 *   once, without a recovery window: it did not exist, and its values are in the backup. A
 *   created secret that meanwhile received a version from someone else is left in place
 *   (`rollback-conflict`) rather than destroy that version.
 * - `dryRun` reads the targets and returns each secret's plan; nothing is written.
 *
 * Bad options fail before any I/O; with `verify` (the default) a backup that fails
 * authentication or any check fails before the first write. The result reports each
 * secret's steps and status, never a value.
 * @example
 * const result = await restoreBackup(secrets, '/backups/prod.ksb', { protection, environment: 'prod' });
 * if (result.outcome !== 'restored') console.error(result.failure);
 */
export async function restoreBackup(
  client: SecretsClient,
  source: BundleSource,
  options: RestoreBackupOptions,
): Promise<RestoreResult> {
  const request = checkRestoreOptions(client, source, options);
  const reader = await openBundle(request.source, request.protection, { content: BACKUP_CONTENT });
  requestedOf(reader);
  if (request.verify) await checkAll(reader);
  return restoreRecords(request.client, recordsFrom(reader.entries()), {
    ...request.call,
    ...(request.environment === undefined ? {} : { environment: request.environment }),
    rollbackOnFailure: request.rollbackOnFailure,
    dryRun: request.dryRun,
    now: request.now,
    onSecret: request.onSecret,
  });
}
