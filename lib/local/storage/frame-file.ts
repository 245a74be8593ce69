import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { SecretDecodeError } from '../../errors';
import type { FileSystem } from './file-system';

/**
 * The endpoint's files (logs and snapshots) are sequences of frames, each one AES-256-GCM
 * message under a key derived for that file from the master key:
 *
 *   header (32 bytes, plain): "KSLOCAL\0" | kind (1) | format (1) | 0 0 | generation (u32) | salt (16)
 *   frame: length of ciphertext (u32) | IV (12) | ciphertext | tag (16)
 *
 * The frame's position in the file is its additional data, so a frame moved, dropped from the
 * middle or copied from another file fails to authenticate. Frame 0 names the file, so a wrong
 * master key is found before anything is read.
 */
export type FileKind = 'log' | 'snapshot';

const MAGIC = Buffer.from('KSLOCAL\0', 'latin1');
export const HEADER_BYTES = 32;
const FORMAT = 1;
const KIND_CODE: Record<FileKind, number> = { log: 1, snapshot: 2 };
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FRAME_OVERHEAD = 4 + IV_BYTES + TAG_BYTES;
/** No frame is larger than this; a bigger length is damage, not data. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

export interface FileHeader {
  readonly kind: FileKind;
  readonly generation: number;
  readonly salt: Buffer;
}

export function newHeader(kind: FileKind, generation: number): FileHeader {
  return { kind, generation, salt: randomBytes(16) };
}

export function encodeHeader(header: FileHeader): Buffer {
  const bytes = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(bytes, 0);
  bytes[8] = KIND_CODE[header.kind];
  bytes[9] = FORMAT;
  bytes.writeUInt32BE(header.generation, 12);
  header.salt.copy(bytes, 16);
  return bytes;
}

/** The parts of a frame after its length field. */
export class FrameCipher {
  readonly #key: Buffer;

  constructor(
    master: Buffer,
    readonly header: FileHeader,
  ) {
    this.#key = Buffer.from(
      hkdfSync('sha256', master, header.salt, `keystage-local ${header.kind} ${header.generation}`, 32),
    );
  }

  seal(index: number, plaintext: Buffer): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(position(index));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length, 0);
    return Buffer.concat([length, iv, body, cipher.getAuthTag()]);
  }

  /** The plaintext, or undefined when the frame does not authenticate. */
  open(index: number, frame: Buffer): Buffer | undefined {
    const iv = frame.subarray(4, 4 + IV_BYTES);
    const body = frame.subarray(4 + IV_BYTES, frame.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(position(index));
    decipher.setAuthTag(frame.subarray(frame.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      return undefined;
    }
  }
}

function position(index: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(index), 0);
  return bytes;
}

/** What reading a file found after its last whole frame. */
export interface TornTail {
  readonly offset: number;
  readonly bytes: number;
}

export interface FileContents {
  readonly header: FileHeader;
  /** Where the last whole frame ends: the next frame is written here. */
  readonly end: number;
  readonly frameCount: number;
  readonly torn: TornTail | undefined;
}

const damaged = (path: string, what: string, todo: string): SecretDecodeError =>
  new SecretDecodeError(`${path} cannot be read as keystage local state: ${what}. ${todo}`);

const RESTORE = 'Restore the data directory from a backup, or move it away to start empty.';

/** Reads a file front to back in windows, so a large log never sits in memory twice. */
class WindowReader {
  #buffer = Buffer.alloc(0);
  #start = 0;
  #fileOffset = 0;
  #eof = false;

  constructor(
    private readonly files: FileSystem,
    private readonly fd: number,
  ) {}

  /** At least `count` bytes from `offset` (fewer only at the end of the file). */
  bytes(offset: number, count: number): Buffer {
    const have = this.#fileOffset - offset;
    if (have < count && !this.#eof) {
      const keep = this.#buffer.subarray(offset - this.#start);
      const chunk = Buffer.allocUnsafe(Math.max(count - have, 4 * 1024 * 1024));
      const read = this.files.readSync(this.fd, chunk, 0, chunk.length, this.#fileOffset);
      if (read < chunk.length) this.#eof = true;
      this.#buffer = Buffer.concat([keep, chunk.subarray(0, read)]);
      this.#start = offset;
      this.#fileOffset += read;
      if (!this.#eof && this.#fileOffset - offset < count) return this.bytes(offset, count);
    }
    return this.#buffer.subarray(offset - this.#start, offset - this.#start + count);
  }

  /** True when nothing but zero bytes follows `offset` (space a crash left allocated). */
  zeroFrom(offset: number): boolean {
    for (let at = offset; ; at += 65_536) {
      const chunk = this.bytes(at, 65_536);
      if (chunk.length === 0) return true;
      for (const byte of chunk) if (byte !== 0) return false;
      if (chunk.length < 65_536) return true;
    }
  }
}

/**
 * Reads and authenticates every frame of a file, handing each plaintext after frame 0 to
 * `onFrame`. An incomplete last frame is a write that was cut short (never acknowledged:
 * acknowledgements wait for the fsync after the whole frame) and is returned as `torn` for
 * the caller to keep aside and report; a complete frame that fails to authenticate is damage
 * or a wrong key, and refuses the whole file.
 */
export function readFrameFile(
  files: FileSystem,
  path: string,
  master: Buffer,
  kind: FileKind,
  onFrame: (plaintext: Buffer, index: number) => void,
): FileContents {
  const fd = files.openSync(path, 'r');
  try {
    const reader = new WindowReader(files, fd);
    const head = reader.bytes(0, HEADER_BYTES);
    if (head.length < HEADER_BYTES || !head.subarray(0, 8).equals(MAGIC)) {
      throw damaged(path, 'it is not a keystage local file (a foreign or truncated file)', RESTORE);
    }
    if (head[9] !== FORMAT || head[8] !== KIND_CODE[kind]) {
      throw damaged(
        path,
        `it is not a format ${FORMAT} ${kind} file`,
        'Use the keystage version that wrote it.',
      );
    }
    const header: FileHeader = {
      kind,
      generation: head.readUInt32BE(12),
      salt: Buffer.from(head.subarray(16, 32)),
    };
    const cipher = new FrameCipher(master, header);
    let offset = HEADER_BYTES;
    let index = 0;
    let torn: TornTail | undefined;
    for (;;) {
      const prefix = reader.bytes(offset, 4);
      if (prefix.length === 0) break;
      const length = prefix.length === 4 ? prefix.readUInt32BE(0) : -1;
      if (length > MAX_FRAME_BYTES && !reader.zeroFrom(offset + 4)) {
        throw damaged(path, `frame ${index} at byte ${offset} has an impossible length`, RESTORE);
      }
      const frame =
        length < 0 || length > MAX_FRAME_BYTES ? prefix : reader.bytes(offset, length + FRAME_OVERHEAD);
      if (
        length < 0 ||
        length > MAX_FRAME_BYTES ||
        frame.length < length + FRAME_OVERHEAD ||
        (length === 0 && reader.zeroFrom(offset))
      ) {
        torn = { offset, bytes: tailLength(files, fd, offset) };
        break;
      }
      const plain = cipher.open(index, frame);
      if (plain === undefined) {
        throw damaged(
          path,
          index === 0
            ? 'it does not decrypt with master.key (a different key, or a damaged file)'
            : `frame ${index} at byte ${offset} fails authentication (the file was changed or damaged)`,
          index === 0 ? 'Restore the master.key that wrote it.' : RESTORE,
        );
      }
      if (index > 0) onFrame(plain, index);
      offset += frame.length;
      index++;
    }
    if (index === 0) throw damaged(path, 'its first frame is missing (the file was cut short)', RESTORE);
    return { header, end: offset, frameCount: index, torn };
  } finally {
    files.closeSync(fd);
  }
}

function tailLength(files: FileSystem, fd: number, offset: number): number {
  return files.fstatSync(fd).size - offset;
}
