import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { SecretDecodeError, ValidationError } from '../errors';

const FORMAT = 'keystage-local-state';
const VERSION = 1;
const AAD = Buffer.from(`${FORMAT}/${VERSION}`);

/** Writes a file so that a crash leaves either the old or the new content, never half. */
function writeAtomically(path: string, data: Buffer | string, mode: number): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'w', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/**
 * The endpoint's state on disk: one JSON document encrypted with AES-256-GCM under a
 * master key kept beside it in a file only the owner can read (mode 0600).
 */
export class StateFile {
  readonly #key: Buffer;
  readonly statePath: string;

  constructor(readonly dataDir: string) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const keyPath = join(dataDir, 'master.key');
    this.statePath = join(dataDir, 'state.json.enc');
    if (!existsSync(keyPath)) writeAtomically(keyPath, randomBytes(32).toString('base64'), 0o600);
    this.#key = Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'base64');
    if (this.#key.length !== 32) {
      throw new ValidationError(
        'dataDir',
        `${keyPath} is not a keystage master key (32 bytes, base64). Restore it, or use a new data directory.`,
      );
    }
  }

  /** The saved state, or undefined when there is none yet. */
  load(): unknown {
    if (!existsSync(this.statePath)) return undefined;
    const problem = `${this.statePath} cannot be read as keystage local state`;
    let envelope: { format?: unknown; version?: unknown; iv?: string; tag?: string; data?: string };
    try {
      envelope = JSON.parse(readFileSync(this.statePath, 'utf8')) as typeof envelope;
    } catch {
      throw new SecretDecodeError(
        `${problem}: it is not JSON (a corrupt or foreign file). Move it away to start empty.`,
      );
    }
    if (envelope.format !== FORMAT || envelope.version !== VERSION) {
      throw new SecretDecodeError(
        `${problem}: it is not format ${FORMAT} version ${VERSION}. Move it away to start empty.`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(envelope.iv ?? '', 'base64'));
      decipher.setAAD(AAD);
      decipher.setAuthTag(Buffer.from(envelope.tag ?? '', 'base64'));
      const plain = Buffer.concat([
        decipher.update(Buffer.from(envelope.data ?? '', 'base64')),
        decipher.final(),
      ]);
      return JSON.parse(plain.toString('utf8'));
    } catch {
      throw new SecretDecodeError(
        `${problem}: it does not decrypt with ${join(this.dataDir, 'master.key')} (a different key, or a damaged file).`,
      );
    }
  }

  save(state: unknown): void {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(AAD);
    const data = Buffer.concat([cipher.update(JSON.stringify(state), 'utf8'), cipher.final()]);
    const envelope = {
      format: FORMAT,
      version: VERSION,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
    writeAtomically(this.statePath, JSON.stringify(envelope), 0o600);
  }
}
