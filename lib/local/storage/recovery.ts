import { SecretDecodeError } from '../../errors';
import { stateFileName, type DataDir } from './data-dir';
import type { FileSystem } from './file-system';
import { FrameCipher, readFrameFile } from './frame-file';
import { createLog, keepTornTail, type OpenLog } from './journal-files';
import type { Table } from './table';

export interface RecoverOptions {
  readonly dir: DataDir;
  readonly files: FileSystem;
  readonly tables: readonly Table<unknown>[];
  readonly log?: (line: string) => void;
}

/** What opening the data directory found and did. */
export interface RecoveryReport {
  /** Temporary files of interrupted writes, removed. */
  readonly removedTemporaryFiles: readonly string[];
  /** An incomplete last frame (a write cut short, never acknowledged), moved aside. */
  readonly tornTail?: { readonly file: string; readonly bytes: number; readonly keptAs: string };
  readonly snapshot?: string;
  readonly logs: readonly string[];
  readonly rows: number;
}

/**
 * Opens a data directory's state: the master key (made only for a directory without state),
 * leftovers of interrupted writes removed, the newest snapshot and every log after it read
 * into the tables (without telling their listeners), a torn last frame moved aside, and the
 * newest log opened for appending (created when there is none).
 */
export function recover(options: RecoverOptions): { master: Buffer; log: OpenLog; recovery: RecoveryReport } {
  const { dir, files } = options;
  const stateFiles = dir.stateFiles();
  const master = dir.masterKey(stateFiles.length > 0 || dir.hasLegacyState());
  const removedTemporaryFiles = dir.removeLeftovers();
  const byName = new Map(options.tables.map((table) => [table.name, table]));
  let rows = 0;
  const applyRows = (plain: Buffer, path: string): void => {
    const changes = JSON.parse(plain.toString('utf8')) as unknown;
    if (!Array.isArray(changes)) return;
    for (const change of changes as Array<[string, string, unknown]>) {
      const table = byName.get(change[0]);
      if (table === undefined) {
        throw new SecretDecodeError(
          `${path} holds a table "${change[0]}" this keystage version does not know: it was written by a newer version. Use that version.`,
        );
      }
      const row = change[2] ?? undefined;
      table.load(change[1], row === undefined ? undefined : table.revive(row));
      rows++;
    }
  };

  const snapshots = stateFiles.filter((file) => file.kind === 'snapshot');
  const snapshot = snapshots[snapshots.length - 1];
  const from = snapshot?.generation ?? 1;
  const logs = stateFiles.filter((file) => file.kind === 'log' && file.generation >= from);
  if (snapshot !== undefined && logs.length === 0) logs.push({ kind: 'log', generation: from, name: '' });
  logs.forEach((file, i) => {
    if (file.generation !== from + i || file.name === '') {
      throw new SecretDecodeError(
        `${dir.file(stateFileName('log', from + i))} is missing: the data directory is incomplete. Restore it from a backup.`,
      );
    }
  });
  if (snapshot !== undefined) {
    const path = dir.file(snapshot.name);
    let ended = false;
    readFrameFile(files, path, master, 'snapshot', (plain) => {
      if (ended) throw new SecretDecodeError(`${path} has frames after its end: it was changed.`);
      const parsed = JSON.parse(plain.toString('utf8')) as unknown;
      if (Array.isArray(parsed)) return applyRows(plain, path);
      ended = true;
      if ((parsed as { rows?: unknown }).rows !== rows) {
        throw new SecretDecodeError(`${path} does not hold the rows its end frame counts: it was changed.`);
      }
    });
    if (!ended) throw new SecretDecodeError(`${path} is cut short (no end frame). Restore it from a backup.`);
  }
  let open: OpenLog | undefined;
  let tornTail: RecoveryReport['tornTail'];
  logs.forEach((file, i) => {
    const path = dir.file(file.name);
    const contents = readFrameFile(files, path, master, 'log', (plain) => applyRows(plain, path));
    const last = i === logs.length - 1;
    if (contents.torn !== undefined && !last) {
      throw new SecretDecodeError(
        `${path} ends in an incomplete frame but is not the newest log: it was changed. Restore the data directory from a backup.`,
      );
    }
    if (!last) return;
    if (contents.torn !== undefined)
      tornTail = keepTornTail(dir, files, file, contents.end, contents.torn.bytes);
    const fd = files.openSync(path, 'r+');
    open = {
      fd,
      generation: file.generation,
      cipher: new FrameCipher(master, contents.header),
      end: contents.end,
      frames: contents.frameCount,
    };
  });
  // Files older than the snapshot are what a compaction had not removed yet.
  for (const file of stateFiles) {
    if (file.generation < from) files.unlinkSync(dir.file(file.name));
  }
  open ??= createLog(dir, files, master, from);
  const recovery: RecoveryReport = {
    removedTemporaryFiles,
    ...(tornTail === undefined ? {} : { tornTail }),
    ...(snapshot === undefined ? {} : { snapshot: snapshot.name }),
    logs: logs.map((file) => file.name),
    rows,
  };
  if (tornTail !== undefined) {
    options.log?.(
      `recovered ${dir.path}: the last write before the previous stop was cut short and never acknowledged; its ${tornTail.bytes} bytes were moved to ${tornTail.keptAs}`,
    );
  }
  return { master, log: open, recovery };
}
