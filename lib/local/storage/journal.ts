import type { DataDir } from './data-dir';
import { writeFully, type FileSystem } from './file-system';
import { createLog, writeSnapshot, type OpenLog } from './journal-files';
import { recover, type RecoveryReport } from './recovery';
import type { Table, Transaction } from './table';

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

interface Pending {
  readonly seq: number;
  /** Access dates and the like: nothing else depends on them, and nobody waits for them. */
  readonly bookkeeping: boolean;
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
    const { master, log, recovery } = recover(options);
    return new Journal(options, master, log, recovery);
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
   * when it is durable. A `bookkeeping` transaction is written the same way, but nobody waits
   * for it (neither the caller nor a read's {@link mark}) and a disk that refuses it drops it. Rejects with {@link DurabilityFailure} when the disk refused it, and
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
    this.#queue.push({ seq, bookkeeping: options.bookkeeping === true, payload, undo });
    this.#schedule();
    return options.bookkeeping === true ? Promise.resolve() : this.durable(seq);
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
   * first (bookkeeping stays in memory: nothing depends on it). A refused write of bookkeeping
   * alone only drops it. A failed fsync leaves the page cache in an unknown state, so the journal then
   * refuses all further writes until a restart reads the disk again.
   */
  #fail(batch: Pending[], error: NodeJS.ErrnoException, fsyncFailed: boolean): void {
    this.#files.ftruncate(this.#log.fd, this.#log.end, (truncateError) => {
      const code = error.code ?? 'EIO';
      if (fsyncFailed || truncateError !== null) {
        this.#broken = new DurabilityFailure(
          code,
          `${this.#dir.path} could not be written (${code}: ${describe(code)}) and its state on disk is uncertain. Restart the endpoint, which reads the data directory again.`,
        );
        this.#report(this.#broken.message);
      }
      this.#writing = false;
      if (this.#broken === undefined && batch.every((pending) => pending.bookkeeping)) {
        // Only bookkeeping was refused: it is dropped (memory keeps it, the disk does not), and
        // the writes queued behind it, which cannot depend on it, go on to the next write.
        this.#schedule();
        return;
      }
      const victims = [...batch, ...this.#queue];
      this.#queue = [];
      for (const pending of victims.reverse()) {
        if (pending.bookkeeping) continue;
        for (const change of [...pending.undo].reverse()) change.table.apply(change.key, change.row);
      }
      const failure = new DurabilityFailure(
        code,
        `The change could not be written to ${this.#dir.path} (${code}: ${describe(code)}). Nothing was changed; ${code === 'ENOSPC' ? 'free disk space and retry' : 'check the disk and retry'}.`,
      );
      const waiting = this.#waiters;
      this.#waiters = [];
      this.#durable = this.#committed;
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
