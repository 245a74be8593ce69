import type { SecretsClient } from '../../client/secrets-client';
import { writeBundle } from '../bundle';
import { BACKUP_CONTENT, BACKUP_FORMAT_VERSION, backupEntries } from './backup-entries';
import { checkBackupOptions, type CreateBackupOptions } from './backup-options';
import type { BackupRecord, SkipCounts } from './backup-record';
import { readRecords, type SkippedSecret } from './read-records';

/** What a backup holds; no value. */
export interface BackupResult {
  readonly bundleId: string;
  /** When it was written (ISO 8601). */
  readonly createdAt: string;
  /** The environments asked for; undefined when every secret was. */
  readonly environments: readonly string[] | undefined;
  readonly secrets: number;
  /** Labelled versions, over all secrets. */
  readonly versions: number;
  /** Secrets listed but not backed up, and why (see `SkipReason`). */
  readonly skipped: readonly SkippedSecret[];
  /** Bytes written. */
  readonly bytes: number;
}

/**
 * Backs up secrets to an encrypted bundle (see keystage/transfer's bundle format): every
 * secret of the environments with every labelled version (labels, VersionIds, creation
 * dates, values, byte for byte: an `encrypted-json` value stays its ciphertext), its tags,
 * resource policy, rotation settings (on or off, function, schedule), replicas and their KMS
 * keys, description and KMS key. It streams: the listing page by page, secrets 20 at a
 * time, so memory stays flat however many secrets there are. Every read goes through
 * `client` (its access policy, rate limits and audit trail); nothing is written but the
 * destination, and a failure leaves no file at a path destination.
 *
 * Left out, and listed in `skipped`: secrets scheduled for deletion (Secrets Manager refuses
 * to read their values until they are restored, and a backup never writes; restore them
 * first to include them), replicas whose primary is in another region (back up that region),
 * and the AWSPENDING label of a rotation under way (a version holding only it, possibly an
 * empty placeholder, is not backed up). `aws:` tags, which only AWS services can set, are
 * not recorded.
 * @example
 * const result = await createBackup(secrets, {
 *   environments: ['prod'],
 *   destination: '/backups/prod.ksb',
 *   protection: { kms: { keyId: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' } },
 * });
 */
export async function createBackup(
  client: SecretsClient,
  options: CreateBackupOptions,
): Promise<BackupResult> {
  const request = checkBackupOptions(client, options);
  const skipped: SkippedSecret[] = [];
  const counts = { 'scheduled-for-deletion': 0, replica: 0, gone: 0 };
  let secrets = 0;
  let versions = 0;
  async function* records(): AsyncGenerator<BackupRecord> {
    const items = readRecords(request.client, {
      ...request.call,
      environments: request.environments,
      concurrency: request.concurrency,
    });
    for await (const item of items) {
      if ('skipped' in item) {
        skipped.push(item.skipped);
        counts[item.skipped.reason]++;
        await request.onSecret?.({
          name: item.skipped.name,
          outcome: 'skipped',
          reason: item.skipped.reason,
        });
        continue;
      }
      secrets++;
      versions += item.record.versions.length;
      yield item.record;
      // After the yield: the record is in the bundle's stream by now.
      await request.onSecret?.({
        name: item.record.name,
        outcome: 'backed-up',
        versions: item.record.versions.length,
      });
    }
  }
  const summary = await writeBundle(
    request.destination,
    {
      content: BACKUP_CONTENT,
      details: {
        formatVersion: BACKUP_FORMAT_VERSION,
        environments: request.environments ? [...request.environments] : null,
      },
    },
    backupEntries(records(), (): SkipCounts => ({ ...counts })),
    request.protection,
  );
  return {
    bundleId: summary.bundleId,
    createdAt: summary.createdAt,
    environments: request.environments,
    secrets,
    versions,
    skipped,
    bytes: summary.bytes,
  };
}
