import type { DataDir, StateFileName } from './data-dir';
import { stateFileName } from './data-dir';
import { fsyncDirectorySync, writeFully, writeFullySync, type FileSystem } from './file-system';
import { encodeHeader, FrameCipher, newHeader, readFrameFile, type FileKind } from './frame-file';
import type { Table, Transaction } from './table';
import { SecretDecodeError } from '../../errors';

/** A write the disk refused. Nothing of it, or of writes queued behind it, remains in memory. */
export class DurabilityFailure extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'DurabilityFailure';
  }
}

export interface JournalOptions {
  readonly dir: DataDir;
  readonly files: FileSystem;
  readonly tables: readonly Table<unknown>[];
  /** A snapshot starts when the log grows past this many bytes. @default 64 MiB */
  readonly compactAfterBytes?: number;
  /** Where recovery and compaction report what they did. @default - nowhere */
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

interface OpenLog {
  readonly fd: number;
  readonly generation: number;
  readonly cipher: FrameCipher;
  end: number;
  frames: number;
}

interface Pending {
  readonly seq: number;
  readonly payload: Buffer;
  readonly undo: ReadonlyArray<{
    readonly table: Table<unknown>;
    readonly key: string;
    readonly row: unknown;
  }>;
}

interface Waiter {
  readonly mark: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** Rows per snapshot frame are grouped up to about this many bytes. */
const SNAPSHOT_FRAME_BYTES = 1024 * 1024;

/**
 * Makes table changes durable: each committed transaction is one encrypted frame appended to
 * the current log, and its caller is answered only after the frame is on disk (fdatasync).
 * Transactions that arrive while a write is under way share the next write (group commit).
 * A write the disk refuses is cut off the log again and every transaction not yet durable is
 * undone, so memory always equals what a restart would read. When the log grows large, the
 * tables are written to a snapshot in the background and older files are removed.
 */
export class Journal {
  readonly recovery: RecoveryReport;
  readonly #files: FileSystem;
  readonly #dir: DataDir;
  readonly #master: Buffer;
  readonly #tables: readonly Table<unknown>[];
  readonly #compactAfter: number;
  readonly #report: (line: string) => void;
  #log: OpenLog;
  #queue: Pending[] = [];
  #writing = false;
  #scheduled = false;
  #broken: DurabilityFailure | undefined;
  #committed = 0;
  #durable = 0;
  #waiters: Waiter[] = [];
  #compaction: Promise<void> | undefined;
  #closed = false;

  private constructor(options: JournalOptions, master: Buffer, log: OpenLog, recovery: RecoveryReport) {
    this.#files = options.files;
    this.#dir = options.dir;
    this.#master = master;
    this.#tables = options.tables;
    this.#compactAfter = options.compactAfterBytes ?? 64 * 1024 * 1024;
    this.#report = options.log ?? (() => undefined);
    this.#log = log;
    this.recovery = recovery;
  }

  /** Reads the directory's state into the tables (without telling their listeners). */
  static open(options: JournalOptions): Journal {
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
        table.load(change[1], change[2] ?? undefined);
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
      if (!ended)
        throw new SecretDecodeError(`${path} is cut short (no end frame). Restore it from a backup.`);
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
    const journal = new Journal(options, master, open, recovery);
    if (tornTail !== undefined) {
      journal.#report(
        `recovered ${dir.path}: the last write before the previous stop was cut short and never acknowledged; its ${tornTail.bytes} bytes were moved to ${tornTail.keptAs}`,
      );
    }
    return journal;
  }

  /** The position of everything applied so far; see {@link durable}. */
  mark(): number {
    return this.#committed;
  }

  /**
   * Resolves when everything applied up to `mark` is on disk; rejects if any of it was
   * undone because the disk refused it (an answer built on it must not be given).
   */
  durable(mark: number): Promise<void> {
    if (mark <= this.#durable) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ mark, resolve, reject }));
  }

  /**
   * Applies the transaction to the tables at once (later operations see it) and resolves
   * when it is durable. A `bookkeeping` transaction is written the same way, but a read's
   * {@link mark} does not wait for it. Rejects with {@link DurabilityFailure} when the disk refused it, and
   * then nothing of it remains.
   */
  commit(tx: Transaction, options: { readonly bookkeeping?: boolean } = {}): Promise<void> {
    if (tx.empty) return Promise.resolve();
    if (this.#broken !== undefined) return Promise.reject(this.#broken);
    if (this.#closed) {
      return Promise.reject(
        new DurabilityFailure('ECLOSED', 'The endpoint is stopping; nothing was changed.'),
      );
    }
    const changes = tx.changes();
    const payload = Buffer.from(
      JSON.stringify(changes.map((c) => [c.table.name, c.key, c.row ?? null])),
      'utf8',
    );
    const undo = changes.map((c) => ({ table: c.table, key: c.key, row: c.table.apply(c.key, c.row) }));
    // Bookkeeping (access dates) carries nothing an answer depends on, so it takes no place
    // of its own in the order that reads wait for.
    const seq = options.bookkeeping === true ? this.#committed : ++this.#committed;
    this.#queue.push({ seq, payload, undo });
    this.#schedule();
    return this.durable(seq);
  }

  /** Waits for queued writes and a running snapshot, then closes the log. */
  async close(): Promise<void> {
    await this.durable(this.#committed).catch(() => undefined);
    this.#closed = true;
    await this.#compaction;
    this.#files.closeSync(this.#log.fd);
  }

  #schedule(): void {
    if (this.#writing || this.#scheduled || this.#queue.length === 0) return;
    this.#scheduled = true;
    // Let transactions of the same turn of the event loop join this write.
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#writing || this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    this.#writing = true;
    const log = this.#log;
    const data = Buffer.concat(batch.map((pending, i) => log.cipher.seal(log.frames + i, pending.payload)));
    writeFully(this.#files, log.fd, data, log.end, (writeError) => {
      if (writeError !== null) return this.#fail(batch, writeError, false);
      this.#files.fdatasync(log.fd, (syncError) => {
        if (syncError !== null) return this.#fail(batch, syncError, true);
        log.end += data.length;
        log.frames += batch.length;
        this.#writing = false;
        this.#settle(batch[batch.length - 1]!.seq);
        this.#maybeCompact();
        this.#schedule();
      });
    });
  }

  #settle(durable: number): void {
    this.#durable = durable;
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiting) {
      if (waiter.mark <= durable) waiter.resolve();
      else this.#waiters.push(waiter);
    }
  }

  /**
   * Cuts the refused bytes off the log and undoes every transaction not yet durable, newest
   * first. A failed fsync leaves the page cache in an unknown state, so the journal then
   * refuses all further writes until a restart reads the disk again.
   */
  #fail(batch: Pending[], error: NodeJS.ErrnoException, fsyncFailed: boolean): void {
    this.#files.ftruncate(this.#log.fd, this.#log.end, (truncateError) => {
      const victims = [...batch, ...this.#queue];
      this.#queue = [];
      for (const pending of victims.reverse()) {
        for (const change of [...pending.undo].reverse()) change.table.apply(change.key, change.row);
      }
      const code = error.code ?? 'EIO';
      const failure = new DurabilityFailure(
        code,
        `The change could not be written to ${this.#dir.path} (${code}: ${describe(code)}). Nothing was changed; ${code === 'ENOSPC' ? 'free disk space and retry' : 'check the disk and retry'}.`,
      );
      if (fsyncFailed || truncateError !== null) {
        this.#broken = new DurabilityFailure(
          code,
          `${this.#dir.path} could not be written (${code}: ${describe(code)}) and its state on disk is uncertain. Restart the endpoint, which reads the data directory again.`,
        );
        this.#report(this.#broken.message);
      }
      const waiting = this.#waiters;
      this.#waiters = [];
      this.#durable = this.#committed;
      this.#writing = false;
      for (const waiter of waiting) waiter.reject(this.#broken ?? failure);
      this.#schedule();
    });
  }

  #maybeCompact(): void {
    if (this.#compaction !== undefined || this.#closed || this.#log.end < this.#compactAfter) return;
    if (this.#queue.length > 0) return;
    let next: OpenLog;
    try {
      next = createLog(this.#dir, this.#files, this.#master, this.#log.generation + 1);
    } catch (error) {
      this.#report(`snapshot not started: ${(error as Error).message}`);
      return;
    }
    const old = this.#log;
    this.#files.closeSync(old.fd);
    this.#log = next;
    // Committed rows are never changed in place, so these references are a consistent view.
    const rows = this.#tables.map((table) => [table.name, [...table.entries()]] as const);
    this.#compaction = writeSnapshot(this.#dir, this.#files, this.#master, next.generation, rows)
      .then((name) => {
        for (const file of this.#dir.stateFiles()) {
          if (file.generation < next.generation) this.#files.unlinkSync(this.#dir.file(file.name));
        }
        this.#report(`wrote ${name}; removed the files it replaces`);
      })
      .catch((error: unknown) =>
        this.#report(`snapshot failed, the logs still hold everything: ${String(error)}`),
      )
      .finally(() => {
        this.#compaction = undefined;
      });
  }
}

function describe(code: string): string {
  switch (code) {
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EIO':
      return 'input/output error';
    case 'EROFS':
      return 'read-only file system';
    default:
      return 'the write failed';
  }
}

function frameZero(kind: FileKind, generation: number): Buffer {
  return Buffer.from(
    JSON.stringify({ format: 'keystage-local', kind, generation, createdAt: new Date().toISOString() }),
  );
}

/** A new, empty log: header and frame 0 on disk, and its name in the directory, durably. */
function createLog(dir: DataDir, files: FileSystem, master: Buffer, generation: number): OpenLog {
  const header = newHeader('log', generation);
  const cipher = new FrameCipher(master, header);
  const start = Buffer.concat([encodeHeader(header), cipher.seal(0, frameZero('log', generation))]);
  const path = dir.file(stateFileName('log', generation));
  const fd = files.openSync(path, 'wx', 0o600);
  try {
    writeFullySync(files, fd, start, 0);
    files.fsyncSync(fd);
    fsyncDirectorySync(files, dir.path);
  } catch (error) {
    files.closeSync(fd);
    files.unlinkSync(path);
    throw error;
  }
  return { fd, generation, cipher, end: start.length, frames: 1 };
}

/** Keeps an incomplete last frame in a side file and cuts it off the log. */
function keepTornTail(
  dir: DataDir,
  files: FileSystem,
  file: StateFileName,
  end: number,
  bytes: number,
): NonNullable<RecoveryReport['tornTail']> {
  const path = dir.file(file.name);
  const keptAs = `${file.name}.torn-at-${end}`;
  const tail = Buffer.alloc(bytes);
  const fd = files.openSync(path, 'r+');
  try {
    files.readSync(fd, tail, 0, bytes, end);
    dir.writeFileAtomically(keptAs, tail, 0o600);
    files.ftruncateSync(fd, end);
    files.fsyncSync(fd);
  } finally {
    files.closeSync(fd);
  }
  return { file: file.name, bytes, keptAs };
}

async function writeSnapshot(
  dir: DataDir,
  files: FileSystem,
  master: Buffer,
  generation: number,
  tables: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, unknown]>]>,
): Promise<string> {
  const name = stateFileName('snapshot', generation);
  const temp = dir.file(`${name}.tmp`);
  const header = newHeader('snapshot', generation);
  const cipher = new FrameCipher(master, header);
  const fd = await new Promise<number>((resolve, reject) =>
    files.open(temp, 'wx', 0o600, (error, fd) => (error === null ? resolve(fd) : reject(error))),
  );
  let position = 0;
  let index = 0;
  const write = (plain: Buffer | null): Promise<void> => {
    const data = plain === null ? encodeHeader(header) : cipher.seal(index++, plain);
    const at = position;
    position += data.length;
    return new Promise((resolve, reject) =>
      writeFully(files, fd, data, at, (error) => (error === null ? resolve() : reject(error))),
    );
  };
  try {
    await write(null);
    await write(frameZero('snapshot', generation));
    let parts: string[] = [];
    let size = 0;
    let count = 0;
    for (const [table, rows] of tables) {
      for (const [key, row] of rows) {
        const part = JSON.stringify([table, key, row]);
        parts.push(part);
        size += part.length;
        count++;
        if (size >= SNAPSHOT_FRAME_BYTES) {
          await write(Buffer.from(`[${parts.join(',')}]`));
          parts = [];
          size = 0;
        }
      }
    }
    if (parts.length > 0) await write(Buffer.from(`[${parts.join(',')}]`));
    await write(Buffer.from(JSON.stringify({ end: true, rows: count })));
    await new Promise<void>((resolve, reject) =>
      files.fsync(fd, (error) => (error === null ? resolve() : reject(error))),
    );
  } catch (error) {
    files.closeSync(fd);
    files.unlinkSync(temp);
    throw error;
  }
  files.closeSync(fd);
  files.renameSync(temp, dir.file(name));
  fsyncDirectorySync(files, dir.path);
  return name;
}
