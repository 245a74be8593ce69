import { stateFileName, type DataDir, type StateFileName } from './data-dir';
import { fsyncDirectorySync, writeFully, writeFullySync, type FileSystem } from './file-system';
import { encodeHeader, FrameCipher, newHeader, type FileKind } from './frame-file';
import type { RecoveryReport } from './recovery';

/** The log being appended to. */
export interface OpenLog {
  readonly fd: number;
  readonly generation: number;
  readonly cipher: FrameCipher;
  end: number;
  frames: number;
}

/** Rows per snapshot frame are grouped up to about this many bytes. */
const SNAPSHOT_FRAME_BYTES = 1024 * 1024;

function frameZero(kind: FileKind, generation: number): Buffer {
  return Buffer.from(
    JSON.stringify({ format: 'keystage-local', kind, generation, createdAt: new Date().toISOString() }),
  );
}

/** A new, empty log: header and frame 0 on disk, and its name in the directory, durably. */
export function createLog(dir: DataDir, files: FileSystem, master: Buffer, generation: number): OpenLog {
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
export function keepTornTail(
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

export async function writeSnapshot(
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
