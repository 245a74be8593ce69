import { ValidationError } from '../../errors';
import type { BundleEntry, JsonObject } from '../bundle';
import {
  checkSecretEntry,
  checkSummaryEntry,
  checkVersionEntry,
  checkVersions,
  recordEntries,
  type BackupRecord,
  type BackupVersion,
  type SkipCounts,
  type SummaryManifest,
} from './backup-record';

/** The bundle content of a backup: a reader refuses any other (an export is not a backup). */
export const BACKUP_CONTENT = 'keystage-backup';

/** The version of the backup's own entries (inside the bundle's format). */
export const BACKUP_FORMAT_VERSION = 1;

/** An entry as the bundle reader yields it. */
interface ReadEntry {
  readonly manifest: JsonObject;
  readonly value?: string | Uint8Array | undefined;
}

/** The bundle entries of a stream of records, then the summary entry. */
export async function* backupEntries(
  records: AsyncIterable<BackupRecord>,
  skipped: () => SkipCounts,
): AsyncGenerator<BundleEntry> {
  let secrets = 0;
  let versions = 0;
  for await (const record of records) {
    secrets++;
    versions += record.versions.length;
    for (const entry of recordEntries(record)) {
      const manifest = entry.manifest as unknown as JsonObject;
      yield entry.value === undefined ? { manifest } : { manifest, value: entry.value };
    }
  }
  const summary: SummaryManifest = { type: 'summary', secrets, versions, skipped: skipped() };
  yield { manifest: summary as unknown as JsonObject };
}

/**
 * The records of a backup's entries, one at a time, every entry checked as it comes (a
 * version's value against its checksum); at the end, the summary entry must be there, last,
 * and agree with what was read. `done` receives the summary.
 */
export async function* recordsFrom(
  entries: AsyncIterable<ReadEntry>,
  done: (summary: SummaryManifest) => void = () => undefined,
): AsyncGenerator<BackupRecord> {
  let index = -1;
  let open:
    | { secret: Omit<BackupRecord, 'versions'>; expected: number; versions: BackupVersion[]; at: string }
    | undefined;
  let summary: SummaryManifest | undefined;
  let secrets = 0;
  let versions = 0;
  for await (const entry of entries) {
    index++;
    const at = `entries[${index}]`;
    if (summary !== undefined)
      throw new ValidationError(at, `${at} follows the summary entry, which is the last.`);
    const type = entry.manifest.type;
    if (open !== undefined) {
      if (type !== 'version') {
        throw new ValidationError(
          at,
          `${at} should be a version of ${open.secret.name} (${open.expected} expected).`,
        );
      }
      open.versions.push(checkVersionEntry(entry.manifest, entry.value, at, open.secret.name));
      if (open.versions.length === open.expected) {
        checkVersions(open.versions, `${open.at}.versions`);
        secrets++;
        versions += open.versions.length;
        const record: BackupRecord = { ...open.secret, versions: open.versions };
        open = undefined;
        yield record;
      }
      continue;
    }
    if (type === 'secret') {
      if (entry.value !== undefined)
        throw new ValidationError(at, `${at} is a secret's entry, which carries no value.`);
      const { secret, versions: expected } = checkSecretEntry(entry.manifest, at);
      open = { secret, expected, versions: [], at };
    } else if (type === 'summary') {
      summary = checkSummaryEntry(entry.manifest, at);
    } else {
      throw new ValidationError(`${at}.type`, `${at} is neither a secret, a version nor the summary.`);
    }
  }
  if (open !== undefined) {
    throw new ValidationError('entries', `The backup ends inside ${open.secret.name}: versions are missing.`);
  }
  if (summary === undefined)
    throw new ValidationError('entries', 'The backup has no summary entry: it is cut short.');
  if (summary.secrets !== secrets || summary.versions !== versions) {
    throw new ValidationError(
      'entries',
      `The backup's summary counts ${summary.secrets} secrets and ${summary.versions} versions, but it holds ${secrets} and ${versions}.`,
    );
  }
  done(summary);
}
