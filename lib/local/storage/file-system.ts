import * as fs from 'node:fs';

/**
 * The file operations the endpoint's storage uses: node:fs by default. Tests pass a wrapper
 * that fails writes part way (short writes, ENOSPC, EIO) to prove that a write the disk
 * refused is reported and leaves the previous state intact.
 */
export type FileSystem = Pick<
  typeof fs,
  | 'closeSync'
  | 'fdatasyncSync'
  | 'fstatSync'
  | 'fsyncSync'
  | 'ftruncateSync'
  | 'linkSync'
  | 'mkdirSync'
  | 'openSync'
  | 'readFileSync'
  | 'readSync'
  | 'readdirSync'
  | 'renameSync'
  | 'unlinkSync'
  | 'writeSync'
  | 'close'
  | 'fdatasync'
  | 'fsync'
  | 'ftruncate'
  | 'open'
  | 'rename'
  | 'unlink'
  | 'write'
>;

export const nodeFileSystem: FileSystem = fs;

/** Writes all of `data` at `position`, looping over short writes; a write of 0 bytes is ENOSPC. */
export function writeFully(
  files: FileSystem,
  fd: number,
  data: Buffer,
  position: number,
  done: (error: NodeJS.ErrnoException | null) => void,
): void {
  let written = 0;
  const next = (): void => {
    if (written === data.length) {
      done(null);
      return;
    }
    files.write(fd, data, written, data.length - written, position + written, (error, bytes) => {
      if (error !== null) return done(error);
      if (bytes === 0) return done(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
      written += bytes;
      next();
    });
  };
  next();
}

/** The synchronous twin of {@link writeFully}, for startup. */
export function writeFullySync(files: FileSystem, fd: number, data: Buffer, position: number): void {
  let written = 0;
  while (written < data.length) {
    const bytes = files.writeSync(fd, data, written, data.length - written, position + written);
    if (bytes === 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    written += bytes;
  }
}

/** Makes a new or renamed directory entry durable (a file's fsync does not cover its name). */
export function fsyncDirectorySync(files: FileSystem, dir: string): void {
  const fd = files.openSync(dir, 'r');
  try {
    files.fsyncSync(fd);
  } finally {
    files.closeSync(fd);
  }
}

export function promisify<T>(call: (done: (error: NodeJS.ErrnoException | null, value?: T) => void) => void) {
  return new Promise<T>((resolve, reject) =>
    call((error, value) => (error === null ? resolve(value as T) : reject(error))),
  );
}
