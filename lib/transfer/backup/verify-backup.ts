import { ValidationError } from '../../errors';
import { openBundle, type BundleReader, type BundleSource } from '../bundle';
import { BACKUP_CONTENT, BACKUP_FORMAT_VERSION, recordsFrom } from './backup-entries';
import { checkVerifyOptions, type VerifyBackupOptions } from './backup-options';
import { environmentOf, type BackupRecord, type SkipCounts, type SummaryManifest } from './backup-record';

/** What a verified backup holds; no value. */
export interface BackupVerification {
  readonly bundleId: string;
  /** When it was written (ISO 8601). */
  readonly createdAt: string;
  readonly protection: 'kms' | 'passphrase';
  /** The environments the backup was asked for; undefined when it was every secret. */
  readonly requestedEnvironments: readonly string[] | undefined;
  /** The environments of the secrets it holds (their `keystage:environment` tags), sorted. */
  readonly environments: readonly string[];
  readonly secrets: number;
  readonly versions: number;
  /** Secrets the backup left out, by reason. */
  readonly skipped: SkipCounts;
}

/** The environments the header says were asked for, checked. */
export function requestedOf(reader: BundleReader): readonly string[] | undefined {
  const { formatVersion, environments } = reader.header.details;
  if (formatVersion !== BACKUP_FORMAT_VERSION) {
    throw new ValidationError(
      'source',
      `The backup's format version is ${String(formatVersion)}; this keystage reads version ${BACKUP_FORMAT_VERSION}.`,
    );
  }
  if (environments === null || environments === undefined) return undefined;
  if (!Array.isArray(environments) || !environments.every((name) => typeof name === 'string')) {
    throw new ValidationError('source', "The backup's header lists its environments wrongly.");
  }
  return environments as string[];
}

/**
 * One full pass over a backup: every record checked; names must be unique. Resolves with
 * what was counted once the bundle has authenticated to its end.
 */
export async function checkAll(
  reader: BundleReader,
  each: (record: BackupRecord) => void = () => undefined,
): Promise<{ secrets: number; versions: number; summary: SummaryManifest }> {
  let summary: SummaryManifest | undefined;
  const names = new Set<string>();
  let secrets = 0;
  let versions = 0;
  for await (const record of recordsFrom(reader.entries(), (found) => (summary = found))) {
    if (names.has(record.name)) {
      throw new ValidationError('entries', `The backup holds ${record.name} twice.`);
    }
    names.add(record.name);
    secrets++;
    versions += record.versions.length;
    each(record);
  }
  return { secrets, versions, summary: summary! };
}

/**
 * Checks a backup end to end without restoring anything: the bundle's authentication (a
 * removed, added, reordered or altered entry, a wrong passphrase or key: a
 * `BundleAuthenticationError`), every record's form, every value against its checksum,
 * names unique, and the summary against what it holds (a `ValidationError` naming the
 * entry). Returns what it holds, never a value.
 * @example
 * const { secrets, versions, environments, createdAt } = await verifyBackup('/backups/prod.ksb', { protection });
 */
export async function verifyBackup(
  source: BundleSource,
  options: VerifyBackupOptions,
): Promise<BackupVerification> {
  const request = checkVerifyOptions(source, options);
  const reader = await openBundle(request.source, request.protection, { content: BACKUP_CONTENT });
  const requestedEnvironments = requestedOf(reader);
  const environments = new Set<string>();
  const { secrets, versions, summary } = await checkAll(reader, (record) => {
    const environment = environmentOf(record);
    if (environment !== undefined) environments.add(environment);
  });
  return {
    bundleId: reader.header.bundleId,
    createdAt: reader.header.createdAt,
    protection: reader.header.protection,
    requestedEnvironments,
    environments: [...environments].sort(),
    secrets,
    versions,
    skipped: summary.skipped,
  };
}
