import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, link, lstat, open, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ServiceUnavailableError, ValidationError, show } from '../../errors';

/**
 * The files the governance, crypto and distribution commands read (policies, shares, keys,
 * envelopes) and write (shares, keys, envelopes). Reads are bounded and say which flag named
 * the file; writes make a new file, mode 0600, all or nothing, and never replace one. A value
 * recovered by combine or distribute open goes to such a file, never to stdout.
 */

/** The largest file these commands read: policies, share files, keys and envelopes are far smaller. */
export const MAX_INPUT_FILE_BYTES = 4 * 1024 * 1024;

/**
 * A file's bytes, at most `MAX_INPUT_FILE_BYTES`. A missing, unreadable or oversized file is a
 * ValidationError naming `flag` and the errno code; the content is never quoted.
 * @example
 * const bytes = await readInputFile('policy.json', '--policy');
 */
export async function readInputFile(path: string, flag: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ValidationError(flag, `${flag}: cannot read ${show(path)} (${code}).`);
  }
  try {
    const buffer = Buffer.alloc(MAX_INPUT_FILE_BYTES + 1);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, size, buffer.length - size, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > MAX_INPUT_FILE_BYTES) {
        throw new ValidationError(flag, `${flag}: ${show(path)} is over ${MAX_INPUT_FILE_BYTES} bytes.`);
      }
    }
    return buffer.subarray(0, size);
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ValidationError(flag, `${flag}: cannot read ${show(path)} (${code}).`);
  } finally {
    await handle.close();
  }
}

/**
 * A JSON file, parsed. Not JSON is a ValidationError naming `flag`; the parser's message is left
 * out, since it may quote the file (a share or a key file may be passed by mistake).
 * @example
 * const policy = await readJsonFile('policy.json', '--policy');
 */
export async function readJsonFile(path: string, flag: string): Promise<unknown> {
  const text = (await readInputFile(path, flag)).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError(flag, `${flag}: ${show(path)} is not JSON.`);
  }
}

/**
 * Refuses a path that `writeNewFile` could not create, before work whose result would then have
 * nowhere to go (an envelope use spent, an envelope issued, a key made): a path that exists, or
 * whose directory is missing, no directory, or not writable. `writeNewFile` still refuses a path
 * that appears meanwhile.
 * @throws ValidationError (field `flag`) naming the path and what is wrong with it.
 * @example
 * await assertNewFile('db.envelope', '--out');
 */
export async function assertNewFile(path: string, flag: string): Promise<void> {
  const existing = await lstat(path).then(
    () => 'exists',
    (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : (error.code ?? 'failed')),
  );
  if (existing === 'exists') {
    throw new ValidationError(
      flag,
      `${flag}: ${show(path)} exists; nothing was done. Remove it or choose another path.`,
    );
  }
  const directory = dirname(path);
  const problem =
    existing ??
    (await stat(directory).then(
      (found) => (found.isDirectory() ? undefined : 'ENOTDIR'),
      (error: NodeJS.ErrnoException) => error.code ?? 'failed',
    )) ??
    (await access(directory, constants.W_OK | constants.X_OK).then(
      () => undefined,
      (error: NodeJS.ErrnoException) => error.code ?? 'failed',
    ));
  if (problem !== undefined) {
    throw new ValidationError(
      flag,
      `${flag}: cannot create ${show(path)} (${problem}); nothing was done. Name a new file in an existing, writable directory.`,
    );
  }
}

/**
 * Writes a new file, mode 0600, so that it appears whole or not at all, and never in place of
 * another: the bytes go to a temporary file beside it (created 0600, synced), which is then
 * hard-linked to `path` and removed, and the directory is synced. A link, unlike a rename,
 * fails when `path` exists, so a file that appeared since `assertNewFile` is never replaced.
 * @throws ValidationError (field `flag`) when `path` exists; ServiceUnavailableError when the
 * write fails (nothing is left at `path` then).
 * @example
 * await writeNewFile('share-1.json', Buffer.from(text), '--out-dir');
 */
export async function writeNewFile(path: string, data: Uint8Array, flag: string): Promise<void> {
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  let created = false;
  let linked = false;
  try {
    const handle = await open(temporary, 'wx', 0o600);
    created = true;
    try {
      // The mode given to open is narrowed by the umask; the file is to be exactly 0600.
      await handle.chmod(0o600);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temporary, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      throw new ValidationError(
        flag,
        `${flag}: ${show(path)} exists; nothing was written. Remove it or choose another path.`,
      );
    }
    linked = true;
    await unlink(temporary);
    created = false;
    await syncDirectory(directory);
  } catch (error) {
    // Not durable is not written: the caller is told it failed, so nothing may stay at `path`.
    if (linked) await unlink(path).catch(() => undefined);
    if (error instanceof ValidationError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ServiceUnavailableError(
      `Could not write ${show(path)} (${code ?? 'failed'}); nothing was written there. Check the directory exists and is writable.`,
      { cause: error },
    );
  } finally {
    if (created) await unlink(temporary).catch(() => undefined);
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems cannot sync a directory; the file itself is synced.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR') throw error;
  } finally {
    await handle.close();
  }
}
