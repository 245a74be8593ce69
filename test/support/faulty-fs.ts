import * as fs from 'node:fs';
import type { FileSystem } from '../../lib/local/storage/file-system';

/**
 * node:fs with a disk that can fill up or fail: `spaceLeft` bytes of room for writes (a
 * write past it is cut short, the next one fails with ENOSPC, as a full disk does),
 * `failSync` to make fsync/fdatasync fail with EIO. Counts what the storage did.
 */
export class FaultyFileSystem {
  spaceLeft = Number.POSITIVE_INFINITY;
  /** How many of the next writes fail with ENOSPC whatever the space left. */
  failWrites = 0;
  failSync = false;
  syncs = 0;
  writes = 0;

  readonly fs: FileSystem = {
    ...fs,
    write: ((
      fd: number,
      buffer: Buffer,
      offset: number,
      length: number,
      position: number,
      callback: (error: NodeJS.ErrnoException | null, written: number, buffer: Buffer) => void,
    ) => {
      this.writes++;
      if (this.failWrites > 0 || this.spaceLeft <= 0) {
        if (this.failWrites > 0) this.failWrites--;
        setImmediate(() => callback(errno('ENOSPC', 'no space left on device'), 0, buffer));
        return;
      }
      const allowed = Math.min(length, this.spaceLeft);
      this.spaceLeft -= allowed;
      fs.write(fd, buffer, offset, allowed, position, callback);
    }) as FileSystem['write'],
    writeSync: ((fd: number, buffer: Buffer, offset?: number, length?: number, position?: number | null) => {
      const want = length ?? buffer.length - (offset ?? 0);
      if (this.spaceLeft <= 0) throw errno('ENOSPC', 'no space left on device');
      const allowed = Math.min(want, this.spaceLeft);
      this.spaceLeft -= allowed;
      return fs.writeSync(fd, buffer, offset ?? 0, allowed, position);
    }) as FileSystem['writeSync'],
    fdatasync: ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      this.syncs++;
      if (this.failSync) setImmediate(() => callback(errno('EIO', 'input/output error')));
      else fs.fdatasync(fd, callback);
    }) as FileSystem['fdatasync'],
    fsync: ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      this.syncs++;
      if (this.failSync) setImmediate(() => callback(errno('EIO', 'input/output error')));
      else fs.fsync(fd, callback);
    }) as FileSystem['fsync'],
  };
}

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}
