import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * The ciphertext blob of a symmetric encryption key:
 *
 * | bytes | what |
 * | --- | --- |
 * | 4 | format, `KSK2` |
 * | 36 | key id, ASCII (a UUID, or `mrk-` and 32 hex digits) |
 * | 4 | key material version, unsigned big-endian |
 * | 12 | AES-GCM IV |
 * | n | AES-256-GCM ciphertext |
 * | 16 | GCM tag |
 *
 * The whole header (everything before the ciphertext) and the encryption context are the
 * additional authenticated data, so changing any bit anywhere makes the blob fail to open.
 * The header is parsed strictly before that: a key id byte outside its alphabet (a flipped
 * high bit, say) is refused rather than masked into a lookalike id.
 *
 * keystage 0.1 wrote `KSK1` blobs (key id, IV, tag, ciphertext, with the key id and the
 * encryption context as AAD). They still open, under the key's first material, with the same
 * strict parsing; new blobs are never written in that format.
 */
const FORMAT = Buffer.from('KSK2', 'latin1');
const LEGACY_FORMAT = Buffer.from('KSK1', 'latin1');
const ID_LENGTH = 36;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const ID_START = FORMAT.length;
const VERSION_START = ID_START + ID_LENGTH;
const IV_START = VERSION_START + 4;
const HEADER_LENGTH = IV_START + IV_LENGTH;
const LEGACY_HEADER_LENGTH = LEGACY_FORMAT.length + ID_LENGTH + IV_LENGTH + TAG_LENGTH;
const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

/** Bytes a symmetric blob adds to its plaintext. */
export const BLOB_OVERHEAD = HEADER_LENGTH + TAG_LENGTH;

/** What the header of a blob says, before anything is authenticated. */
export interface BlobHeader {
  readonly keyId: string;
  /** Index of the key material that sealed it. */
  readonly version: number;
  readonly legacy: boolean;
}

/** An encryption context as authenticated data: sorted, so the order of its pairs does not matter. */
export function encodeContext(context: Readonly<Record<string, string>>): Buffer {
  return Buffer.from(JSON.stringify(sortedPairs(context)), 'utf8');
}

function sortedPairs(context: Readonly<Record<string, string>>): Array<[string, string | undefined]> {
  return Object.keys(context)
    .sort()
    .map((key) => [key, context[key]]);
}

/** Encrypts under one version of a key's material (32 bytes). */
export function seal(
  keyId: string,
  version: number,
  secret: Buffer,
  plaintext: Buffer,
  context: Readonly<Record<string, string>>,
): Buffer {
  const versionBytes = Buffer.alloc(4);
  versionBytes.writeUInt32BE(version);
  const header = Buffer.concat([FORMAT, Buffer.from(keyId, 'latin1'), versionBytes, randomBytes(IV_LENGTH)]);
  const cipher = createCipheriv('aes-256-gcm', secret, header.subarray(IV_START), {
    authTagLength: TAG_LENGTH,
  });
  cipher.setAAD(Buffer.concat([header, encodeContext(context)]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

function keyIdAt(blob: Buffer, start: number): string | undefined {
  const id = blob.toString('latin1', start, start + ID_LENGTH);
  return KEY_ID.test(id) ? id : undefined;
}

/** The header of a blob this endpoint wrote, or undefined for anything else. */
export function readHeader(blob: Buffer): BlobHeader | undefined {
  if (blob.length >= BLOB_OVERHEAD && blob.subarray(0, FORMAT.length).equals(FORMAT)) {
    const keyId = keyIdAt(blob, ID_START);
    return keyId === undefined
      ? undefined
      : { keyId, version: blob.readUInt32BE(VERSION_START), legacy: false };
  }
  if (blob.length >= LEGACY_HEADER_LENGTH && blob.subarray(0, LEGACY_FORMAT.length).equals(LEGACY_FORMAT)) {
    const keyId = keyIdAt(blob, LEGACY_FORMAT.length);
    return keyId === undefined ? undefined : { keyId, version: 0, legacy: true };
  }
  return undefined;
}

function decipher(secret: Buffer, iv: Buffer, aad: Buffer, tag: Buffer, body: Buffer): Buffer | undefined {
  if (secret.length !== 32 || tag.length !== TAG_LENGTH) return undefined;
  const gcm = createDecipheriv('aes-256-gcm', secret, iv, { authTagLength: TAG_LENGTH });
  gcm.setAAD(aad);
  gcm.setAuthTag(tag);
  try {
    return Buffer.concat([gcm.update(body), gcm.final()]);
  } catch {
    return undefined;
  }
}

/**
 * Decrypts a blob whose header was read, with the material of the version it names.
 * Undefined when it does not authenticate.
 */
export function open(
  blob: Buffer,
  header: BlobHeader,
  secret: Buffer,
  context: Readonly<Record<string, string>>,
): Buffer | undefined {
  if (header.legacy) {
    const ivStart = LEGACY_FORMAT.length + ID_LENGTH;
    const aad = Buffer.from(JSON.stringify([header.keyId, sortedPairs(context)]), 'utf8');
    return decipher(
      secret,
      blob.subarray(ivStart, ivStart + IV_LENGTH),
      aad,
      blob.subarray(ivStart + IV_LENGTH, LEGACY_HEADER_LENGTH),
      blob.subarray(LEGACY_HEADER_LENGTH),
    );
  }
  const tagStart = blob.length - TAG_LENGTH;
  return decipher(
    secret,
    blob.subarray(IV_START, HEADER_LENGTH),
    Buffer.concat([blob.subarray(0, HEADER_LENGTH), encodeContext(context)]),
    blob.subarray(tagStart),
    blob.subarray(HEADER_LENGTH, tagStart),
  );
}
