import { promises as fsPromises } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { SecretsClient } from '../../client/secrets-client';
import { ConflictError, KeystageError, ValidationError, show } from '../../errors';
import { silentLogger, type Logger } from '../../observability';
import { RotationWatcher, type RefreshTrigger, type RotationWatcherOptions } from '../watcher';
import { isTemporaryOf } from './atomic-file';
import { planFiles, type FilePlan, type PlannedFile, type WriteSecretFilesOptions } from './file-specs';
import { checkClient, renderFile, writePlannedFile, type WrittenFile } from './write-secret-files';

/** Why a file was written: the first write, a manual `rewrite()`, or what the watcher saw. */
export type FileWriteTrigger = 'start' | 'rewrite' | RefreshTrigger;

export interface FileInjectorOptions extends WriteSecretFilesOptions {
  /**
   * The watcher that says when AWSCURRENT moves; share one per process so each secret is
   * polled once. Not allowed together with `watcherOptions`.
   * @default - a RotationWatcher of its own, made with `watcherOptions` and closed by `close()`
   */
  readonly watcher?: RotationWatcher;
  /** @default - the watcher's defaults (60 s interval), with this injector's principal */
  readonly watcherOptions?: RotationWatcherOptions;
  /** Told of every file written. @default - none */
  readonly onWrite?: (file: WrittenFile, trigger: FileWriteTrigger) => void;
  /** Told of every failed read or write after `start()` (the old file stays). @default - logged only */
  readonly onError?: (error: unknown, file: string) => void;
  /** File names, counts and error codes only. @default silentLogger */
  readonly logger?: Logger;
}

/** One file's state. */
export interface FileStatus {
  readonly name: string;
  readonly path: string;
  readonly secrets: readonly string[];
  readonly writes: number;
  /** When it was last written, epoch milliseconds. */
  readonly writtenAt: number | undefined;
  /** The code of the last attempt's failure; undefined once a write succeeds. */
  readonly error: string | undefined;
}

const EXTRA_KEYS = ['watcher', 'watcherOptions', 'onWrite', 'onError', 'logger'];

function codeOf(error: unknown): string {
  return error instanceof KeystageError ? error.code : 'UNKNOWN';
}

interface FileState {
  readonly file: PlannedFile;
  /** Writes of this file, one at a time and in order. */
  queue: Promise<unknown>;
  writes: number;
  writtenAt: number | undefined;
  error: string | undefined;
}

/**
 * Keeps secrets in files: writes them (as `writeSecretFiles` does: atomically, mode 0600,
 * never a partial file visible) and writes each again when the watcher reports that
 * AWSCURRENT of a secret it reads has moved, after the client's cache forgot the old value.
 * A failed read or write is reported (`onError`, `status()`) and leaves the previous file.
 * @example
 * const files = new FileInjector(secrets, {
 *   directory: '/run/secrets',
 *   files: [{ path: 'db.json', secret: 'prod/billing/db' }],
 *   watcher,
 * });
 * await files.start();
 */
export class FileInjector {
  readonly #client: SecretsClient;
  readonly #plan: FilePlan;
  readonly #options: FileInjectorOptions;
  readonly #logger: Logger;
  readonly #states: FileState[];
  #watcher: RotationWatcher | undefined = undefined;
  #unsubscribe: Array<() => void> = [];
  #state: 'new' | 'started' | 'closed' = 'new';

  constructor(client: SecretsClient, options: FileInjectorOptions) {
    this.#client = checkClient(client, 'FileInjector');
    this.#plan = planFiles(options, EXTRA_KEYS);
    if (options.watcher !== undefined && !(options.watcher instanceof RotationWatcher)) {
      throw new ValidationError(
        'watcher',
        `watcher must be a RotationWatcher, got ${show(options.watcher)}.`,
      );
    }
    if (options.watcher !== undefined && options.watcherOptions !== undefined) {
      throw new ValidationError('watcherOptions', 'Pass either watcher or watcherOptions, not both.');
    }
    for (const key of ['onWrite', 'onError'] as const) {
      if (options[key] !== undefined && typeof options[key] !== 'function') {
        throw new ValidationError(key, `${key} must be a function, got ${show(options[key])}.`);
      }
    }
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#states = this.#plan.files.map((file) => ({
      file,
      queue: Promise.resolve(),
      writes: 0,
      writtenAt: undefined,
      error: undefined,
    }));
  }

  /**
   * Starts watching the secrets, then writes every file (all values read before the first
   * write). Rejects, having stopped watching, if a secret cannot be read or a file written.
   * @example
   * const written = await files.start();
   */
  async start(): Promise<WrittenFile[]> {
    if (this.#state !== 'new')
      throw new ConflictError(`The FileInjector was ${this.#state} already: make a new one.`);
    this.#state = 'started';
    const given = this.#options.watcher;
    const watcher =
      given ??
      new RotationWatcher(this.#client, { ...this.#plan.call, ...(this.#options.watcherOptions ?? {}) });
    this.#watcher = watcher;
    try {
      const ids = [...new Set(this.#plan.files.flatMap((file) => file.secrets))];
      // Watch first, read after: a rotation between the two is then seen by the next poll.
      for (const id of ids)
        this.#unsubscribe.push(watcher.watch(id, (change) => this.#changed(id, change.trigger)));
      await Promise.all(ids.map((id) => watcher.ready(id)));
      await this.#removeLeftovers();
      const contents = await Promise.all(
        this.#plan.files.map((file) => renderFile(this.#client, file, this.#plan.call)),
      );
      return await Promise.all(this.#states.map((state, i) => this.#enqueue(state, 'start', contents[i])));
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /**
   * Writes every file again now (a manual refresh), each read afresh through the client.
   * Resolves when all are written; rejects with the first failure after trying them all.
   * @example
   * await files.rewrite();
   */
  async rewrite(): Promise<WrittenFile[]> {
    if (this.#state !== 'started')
      throw new ConflictError(`The FileInjector is ${this.#state}: start() it first.`);
    const outcomes = await Promise.allSettled(this.#states.map((state) => this.#enqueue(state, 'rewrite')));
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return outcomes.map((outcome) => (outcome as PromiseFulfilledResult<WrittenFile>).value);
  }

  /**
   * Each file's writes and last failure.
   * @example
   * const broken = files.status().filter((file) => file.error !== undefined);
   */
  status(): FileStatus[] {
    return this.#states.map(({ file, writes, writtenAt, error }) => ({
      name: file.name,
      path: join(this.#plan.directory, file.name),
      secrets: file.secrets,
      writes,
      writtenAt,
      error,
    }));
  }

  /**
   * Stops watching (and closes the watcher it made itself). The files stay. Safe to repeat.
   * @example
   * files.close();
   */
  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
    if (this.#options.watcher === undefined) this.#watcher?.close();
  }

  toJSON(): { directory: string; files: FileStatus[] } {
    return { directory: this.#plan.directory, files: this.status() };
  }

  [inspect.custom](): string {
    return `FileInjector ${inspect(this.toJSON(), { depth: 3 })}`;
  }

  /** The watcher's listener: the files reading `id` are written again; failures are reported, not thrown. */
  async #changed(id: string, trigger: RefreshTrigger): Promise<void> {
    if (this.#state !== 'started') return;
    const states = this.#states.filter((state) => state.file.secrets.includes(id));
    await Promise.allSettled(states.map((state) => this.#enqueue(state, trigger)));
  }

  /** One write of one file, after the ones before it; `content` when already read. */
  #enqueue(state: FileState, trigger: FileWriteTrigger, content?: Uint8Array): Promise<WrittenFile> {
    const write = state.queue.then(async () => {
      try {
        const data = content ?? (await renderFile(this.#client, state.file, this.#plan.call));
        const written = await writePlannedFile(this.#plan, state.file, data);
        state.writes++;
        state.writtenAt = Date.now();
        state.error = undefined;
        this.#logger.info('secret file written', { file: written.path, bytes: written.bytes, trigger });
        this.#options.onWrite?.(written, trigger);
        return written;
      } catch (error) {
        state.error = codeOf(error);
        this.#report(error, join(this.#plan.directory, state.file.name), trigger);
        throw error;
      }
    });
    state.queue = write.catch(() => undefined);
    return write;
  }

  #report(error: unknown, file: string, trigger: FileWriteTrigger): void {
    this.#logger.warn('secret file not written; the previous file stays', {
      file,
      code: codeOf(error),
      trigger,
    });
    // At start the caller's await sees the failure; later it has no caller but onError.
    if (trigger === 'start' || this.#options.onError === undefined) return;
    try {
      this.#options.onError(error, file);
    } catch (thrown) {
      this.#logger.error('FileInjector onError threw', { file, code: codeOf(thrown) });
    }
  }

  /** Temporary files a crash left behind (they hold values): removed before the first write. */
  async #removeLeftovers(): Promise<void> {
    const entries = await fsPromises.readdir(this.#plan.directory);
    const leftovers = entries.filter((entry) =>
      this.#plan.files.some((file) => isTemporaryOf(entry, file.name)),
    );
    await Promise.all(
      leftovers.map(
        (entry) =>
          new Promise<void>((resolve) =>
            this.#plan.fileSystem.unlink(join(this.#plan.directory, entry), () => resolve()),
          ),
      ),
    );
  }
}
