import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ServiceUnavailableError } from '../../errors';

/**
 * The file operations a replacement uses: node:fs by default. Tests pass a disk that fills
 * up or fails to sync, to show that a refused write leaves the previous file in place.
 */
export type InjectionFileSystem = Pick<typeof fs, 'open' | 'write' | 'fsync' | 'close' | 'rename' | 'unlink'>;

function call<T = void>(
  run: (done: (error: NodeJS.ErrnoException | null, value?: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) =>
    run((error, value) => (error === null ? resolve(value as T) : reject(error))),
  );
}

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

/** Writes all of `data` from the start of the file, over short writes; a write of nothing is a full disk. */
async function writeAll(files: InjectionFileSystem, fd: number, data: Uint8Array): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const bytes = await call<number>((done) =>
      files.write(fd, data, written, data.length - written, written, (error, count) => done(error, count)),
    );
    if (bytes === 0) throw errno('ENOSPC', 'no space left on device');
    written += bytes;
  }
}

/** The hidden temporary names a replacement of `name` uses: `.name.<16 hex>.tmp`. */
export function isTemporaryOf(entry: string, name: string): boolean {
  return (
    entry.startsWith(`.${name}.`) &&
    entry.endsWith('.tmp') &&
    /^[0-9a-f]{16}$/.test(entry.slice(name.length + 2, -4))
  );
}

/** What to do about a refused write, by its errno code. */
function advice(code: string | undefined): string {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'free space (or quota) on its file system';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'let this process write to the directory';
    case 'ENOENT':
    case 'ENOTDIR':
      return 'make sure the directory exists';
    default:
      return 'check the file system';
  }
}

/**
 * Replaces `directory/name` with `data` so that a reader sees the old file or the new one,
 * never part of either: the bytes go to a new temporary file in the same directory, created
 * with `mode` (never wider, even for a moment), synced, then renamed over the target, and
 * the directory is synced so the rename survives a crash. On any failure the temporary file
 * is removed and the previous file is left as it was.
 * @throws ServiceUnavailableError (retryable) naming the file and the errno code; its cause is the fs error
 */
export async function replaceFile(
  files: InjectionFileSystem,
  directory: string,
  name: string,
  data: Uint8Array,
  mode: number,
): Promise<void> {
  const target = join(directory, name);
  const temporary = join(directory, `.${name}.${randomBytes(8).toString('hex')}.tmp`);
  let renamed = false;
  try {
    // 'wx': create, and fail on anything already there (a planted symlink included).
    const fd = await call<number>((done) => files.open(temporary, 'wx', mode, done));
    try {
      await writeAll(files, fd, data);
      await call((done) => files.fsync(fd, done));
    } finally {
      await call((done) => files.close(fd, done)).catch(() => undefined);
    }
    await call((done) => files.rename(temporary, target, done));
    renamed = true;
    await syncDirectory(files, directory);
  } catch (error) {
    if (!renamed) await call((done) => files.unlink(temporary, done)).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    const state = renamed
      ? 'it was replaced, but the directory could not be synced, so the change may not survive a crash'
      : 'the previous file is unchanged';
    throw new ServiceUnavailableError(
      `Could not write ${JSON.stringify(target)} (${code ?? 'failed'}): ${state}. ` +
        `To fix, ${advice(code)}; the file is written again on the next change or rewrite().`,
      { cause: error },
    );
  }
}

/** Makes the rename durable: a file's fsync does not cover its directory entry. */
async function syncDirectory(files: InjectionFileSystem, directory: string): Promise<void> {
  const fd = await call<number>((done) => files.open(directory, 'r', done));
  try {
    await call((done) => files.fsync(fd, done));
  } catch (error) {
    // Some file systems cannot sync a directory at all; that is not a failed write.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR') throw error;
  } finally {
    await call((done) => files.close(fd, done)).catch(() => undefined);
  }
}
