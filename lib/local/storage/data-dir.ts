import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SecretDecodeError, ValidationError } from '../../errors';
import { fsyncDirectorySync, writeFullySync, type FileSystem } from './file-system';

const KEY_FILE = 'master.key';
const LOCK_FILE = 'lock';
/** Files of the previous single-document format; their presence is state too. */
const LEGACY_STATE = 'state.json.enc';
const STATE_FILE = /^(log|snapshot)-(\d{6,})\.ksl$/;

export interface StateFileName {
  readonly kind: 'log' | 'snapshot';
  readonly generation: number;
  readonly name: string;
}

export function stateFileName(kind: 'log' | 'snapshot', generation: number): string {
  return `${kind}-${String(generation).padStart(6, '0')}.ksl`;
}

interface LockContent {
  readonly pid: number;
  readonly host?: string;
  readonly bootId?: string;
  readonly startedAt?: string;
}

function bootId(files: FileSystem): string | undefined {
  try {
    return files.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The data directory of one endpoint: an exclusive lock (a file naming the holder's pid,
 * taken over only when that process is gone), the master key, and the state files.
 */
export class DataDir {
  readonly #files: FileSystem;
  #locked = false;
  readonly #releaseOnExit = (): void => this.releaseSync();

  private constructor(
    readonly path: string,
    files: FileSystem,
  ) {
    this.#files = files;
  }

  /** Creates the directory if needed and takes its lock; refuses a directory in use. */
  static open(path: string, files: FileSystem): DataDir {
    files.mkdirSync(path, { recursive: true, mode: 0o700 });
    const dir = new DataDir(path, files);
    dir.#lock();
    return dir;
  }

  file(name: string): string {
    return join(this.path, name);
  }

  /** The state files present, oldest generation first. */
  stateFiles(): StateFileName[] {
    return this.#files
      .readdirSync(this.path)
      .map((name) => {
        const match = STATE_FILE.exec(name);
        return match === null
          ? undefined
          : { kind: match[1] as 'log' | 'snapshot', generation: Number(match[2]), name };
      })
      .filter((entry): entry is StateFileName => entry !== undefined)
      .sort((a, b) => a.generation - b.generation || (a.kind === 'snapshot' ? -1 : 1));
  }

  hasLegacyState(): boolean {
    return this.#files.readdirSync(this.path).includes(LEGACY_STATE);
  }

  /** Removes temporary files a crash left behind (writes that never became state). */
  removeLeftovers(): string[] {
    const leftovers = this.#files.readdirSync(this.path).filter((name) => name.endsWith('.tmp'));
    for (const name of leftovers) this.#files.unlinkSync(this.file(name));
    return leftovers;
  }

  /**
   * The master key. A new one is made only for a directory with no state: a state without
   * its key is refused, never silently replaced by an empty one under a fresh key.
   */
  masterKey(hasState: boolean): Buffer {
    const keyPath = this.file(KEY_FILE);
    let text: string;
    try {
      text = this.#files.readFileSync(keyPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (hasState) {
        throw new SecretDecodeError(
          `${keyPath} is missing but ${this.path} holds state encrypted under it. Restore master.key from where you keep it; without it the state cannot be read. To start empty instead, move the directory away.`,
        );
      }
      const key = randomBytes(32);
      this.writeFileAtomically(KEY_FILE, Buffer.from(`${key.toString('base64')}\n`), 0o600);
      return key;
    }
    const key = Buffer.from(text.trim(), 'base64');
    if (key.length !== 32 || key.toString('base64') !== text.trim()) {
      throw new ValidationError(
        'dataDir',
        `${keyPath} is not a keystage master key (32 bytes, base64). Restore it, or use a new data directory.`,
      );
    }
    return key;
  }

  /** Temp file, fsync, rename, fsync of the directory: the old content or the new, never half. */
  writeFileAtomically(name: string, data: Buffer, mode: number): void {
    const target = this.file(name);
    const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fd = this.#files.openSync(temp, 'wx', mode);
    try {
      writeFullySync(this.#files, fd, data, 0);
      this.#files.fsyncSync(fd);
    } catch (error) {
      this.#files.closeSync(fd);
      this.#files.unlinkSync(temp);
      throw error;
    }
    this.#files.closeSync(fd);
    this.#files.renameSync(temp, target);
    fsyncDirectorySync(this.#files, this.path);
  }

  /** Releases the lock (idempotent). */
  releaseSync(): void {
    if (!this.#locked) return;
    this.#locked = false;
    process.removeListener('exit', this.#releaseOnExit);
    try {
      const holder = this.#readLock(this.file(LOCK_FILE));
      if (holder?.pid === process.pid) this.#files.unlinkSync(this.file(LOCK_FILE));
    } catch {
      // Already gone: nothing to release.
    }
  }

  #lock(): void {
    const lockPath = this.file(LOCK_FILE);
    const content: LockContent = {
      pid: process.pid,
      host: hostname(),
      ...(bootId(this.#files) === undefined ? {} : { bootId: bootId(this.#files) }),
      startedAt: new Date().toISOString(),
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      // Written in full under a temporary name, then linked into place: the link fails if a
      // lock exists, and a lock file is never seen empty or half-written.
      const temp = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      const fd = this.#files.openSync(temp, 'wx', 0o600);
      try {
        writeFullySync(this.#files, fd, Buffer.from(`${JSON.stringify(content)}\n`), 0);
        this.#files.fsyncSync(fd);
      } finally {
        this.#files.closeSync(fd);
      }
      try {
        this.#files.linkSync(temp, lockPath);
        this.#locked = true;
        process.once('exit', this.#releaseOnExit);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        // A lock holder cleaning up leftovers may have removed it already.
        unlinkQuietly(this.#files, temp);
      }
      const holder = this.#readLock(lockPath);
      if (holder !== undefined && this.#held(holder)) {
        throw new ValidationError(
          'dataDir',
          `${this.path} is in use by process ${holder.pid}${holder.startedAt === undefined ? '' : ` (since ${holder.startedAt})`}: two endpoints on one data directory would lose each other's writes. Stop that process, or use another data directory.`,
        );
      }
      this.#takeOver(lockPath, holder);
    }
    throw new ValidationError(
      'dataDir',
      `${this.path}: could not take the lock file ${lockPath}; another process keeps replacing it.`,
    );
  }

  /** Whether the lock's writer still runs (on this machine, since its last boot). */
  #held(holder: LockContent): boolean {
    if (holder.host !== undefined && holder.host !== hostname()) return true;
    const boot = bootId(this.#files);
    if (holder.bootId !== undefined && boot !== undefined && holder.bootId !== boot) return false;
    return alive(holder.pid);
  }

  /**
   * Moves a stale lock aside. If what was moved turns out to be a lock another process took
   * meanwhile, it is put back, and the next attempt sees that process as the holder.
   */
  #takeOver(lockPath: string, stale: LockContent | undefined): void {
    const aside = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      this.#files.renameSync(lockPath, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const moved = this.#readLock(aside);
    if (moved !== undefined && moved.pid !== stale?.pid && this.#held(moved)) {
      try {
        this.#files.linkSync(aside, lockPath);
      } catch {
        // Someone holds the lock again; the next attempt reports them.
      }
    }
    unlinkQuietly(this.#files, aside);
  }

  #readLock(path: string): LockContent | undefined {
    try {
      const parsed = JSON.parse(this.#files.readFileSync(path, 'utf8')) as Partial<LockContent>;
      return typeof parsed.pid === 'number' ? (parsed as LockContent) : undefined;
    } catch {
      // Unreadable (locks are linked into place whole, so this is damage): it names no holder.
      return undefined;
    }
  }
}

function unlinkQuietly(files: FileSystem, path: string): void {
  try {
    files.unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
