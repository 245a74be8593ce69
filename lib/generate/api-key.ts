import { createHash, timingSafeEqual } from 'node:crypto';
import * as zlib from 'node:zlib';
import { ValidationError, show } from '../errors';
import { randomString } from './random';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** An API key prefix: a lowercase letter, then 1-15 lowercase letters or digits. */
export const API_KEY_PREFIX_PATTERN = /^[a-z][a-z0-9]{1,15}$/;
const PREFIX = API_KEY_PREFIX_PATTERN;
const BODY = /^[A-Za-z0-9]{16,128}$/;
const CHECKSUM = /^[A-Za-z0-9]{6}$/;
const CHECKSUM_LENGTH = 6;
/** The longest well-formed key: a 16-character prefix, 128-character body and the checksum. */
const MAX_KEY_LENGTH = 16 + 1 + 128 + 1 + CHECKSUM_LENGTH;

/** The parts of an API key. */
export interface ApiKeyParts {
  readonly prefix: string;
  readonly body: string;
  readonly checksum: string;
}

export interface ApiKeyOptions {
  /**
   * Identifies what the key is for, so a leaked key can be recognised by scanners:
   * 2..16 lowercase letters and digits, starting with a letter.
   * @default 'ks'
   */
  readonly prefix?: string;
  /**
   * Random base62 characters in the body, 16..128 (32 gives about 190 bits).
   * @default 32
   */
  readonly bodyLength?: number;
}

/** CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) lookup table, one entry per byte value. */
const CRC32_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * Table-driven CRC-32 of the UTF-8 bytes of `text`; the same value as `zlib.crc32`.
 * Exported for tests only (not re-exported from the package).
 * @internal
 * @example
 * tableCrc32('123456789') === 0xcbf43926; // the standard check value
 */
export function tableCrc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = CRC32_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// zlib.crc32 only exists from Node 20.15 / 22.2, and package.json allows any Node 20, so the
// native one is used when present (it is faster) and the table otherwise. Both give the same
// value, which keeps keys made on one Node version valid on every other.
const nativeCrc32 = (zlib as { crc32?: (data: string) => number }).crc32;

/**
 * CRC-32 of `text`, native when this Node has it.
 * @internal
 * @example
 * crc32('123456789') === 0xcbf43926;
 */
export function crc32(text: string): number {
  return typeof nativeCrc32 === 'function' ? nativeCrc32(text) >>> 0 : tableCrc32(text);
}

/** CRC32 of `prefix_body` in base62, six characters: catches typos without a network call. */
function checksumOf(prefix: string, body: string): string {
  let n = crc32(`${prefix}_${body}`);
  let text = '';
  while (n > 0) {
    text = BASE62[n % 62] + text;
    n = Math.floor(n / 62);
  }
  // 62^6 > 2^32, so six characters always hold it.
  return text.padStart(CHECKSUM_LENGTH, '0');
}

/**
 * What is wrong with a candidate key, or undefined when it is well formed. Describes the
 * part at fault by position and length only: the key is a secret, so no part of it is echoed.
 */
function diagnose(parts: readonly string[]): string | undefined {
  if (parts.length !== 3) {
    return (
      `The API key has ${parts.length} '_'-separated part${parts.length === 1 ? '' : 's'}; ` +
      'expected 3: prefix_body_checksum.'
    );
  }
  const [prefix, body, checksum] = parts as [string, string, string];
  if (!PREFIX.test(prefix)) {
    return `The API key prefix (${prefix.length} characters) must be 2 to 16 lowercase letters or digits, starting with a letter.`;
  }
  if (!BODY.test(body)) {
    return `The API key body (${body.length} characters) must be 16 to 128 base62 characters (A-Z a-z 0-9).`;
  }
  if (!CHECKSUM.test(checksum)) {
    return `The API key checksum (${checksum.length} characters) must be 6 base62 characters.`;
  }
  if (checksumOf(prefix, body) !== checksum) {
    return 'The API key checksum does not match its prefix and body: the key was mistyped or altered.';
  }
  return undefined;
}

/**
 * A new API key, `prefix_body_checksum`.
 * @example
 * const key = generateApiKey({ prefix: 'acme' }); // acme_<32 base62>_<6 base62>
 */
export function generateApiKey(options: ApiKeyOptions = {}): string {
  const prefix = options.prefix ?? 'ks';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new ValidationError(
      'prefix',
      `prefix ${show(prefix)} must be 2 to 16 lowercase letters or digits, starting with a letter.`,
    );
  }
  const bodyLength = options.bodyLength ?? 32;
  if (
    typeof bodyLength !== 'number' ||
    !Number.isInteger(bodyLength) ||
    bodyLength < 16 ||
    bodyLength > 128
  ) {
    throw new ValidationError(
      'bodyLength',
      `bodyLength must be an integer from 16 to 128, got ${show(bodyLength)}.`,
    );
  }
  const body = randomString(bodyLength, 'base62');
  return `${prefix}_${body}_${checksumOf(prefix, body)}`;
}

/**
 * Splits an API key into its parts, checking shape and checksum. The error never repeats
 * the key: it is a secret.
 * @example
 * const { prefix } = parseApiKey(key);
 */
export function parseApiKey(key: string): ApiKeyParts {
  if (typeof key !== 'string') {
    throw new ValidationError('apiKey', `An API key must be a string, got ${show(typeof key)}.`);
  }
  // Checked before splitting, so a huge garbage header costs nothing to refuse.
  if (key.length > MAX_KEY_LENGTH) {
    throw new ValidationError(
      'apiKey',
      `The API key is ${key.length} characters; a well-formed key has at most ${MAX_KEY_LENGTH}.`,
    );
  }
  const parts = key.split('_');
  const problem = diagnose(parts);
  if (problem !== undefined) throw new ValidationError('apiKey', problem);
  const [prefix, body, checksum] = parts as [string, string, string];
  return { prefix, body, checksum };
}

/**
 * True when `key` has the API key shape and a correct checksum (and the prefix, if given).
 * A cheap local check to reject typos before looking a key up.
 * @example
 * if (!isWellFormedApiKey(header, { prefix: 'acme' })) return reply(401);
 */
export function isWellFormedApiKey(key: string, options: { readonly prefix?: string } = {}): boolean {
  try {
    const parts = parseApiKey(key);
    return options.prefix === undefined || parts.prefix === options.prefix;
  } catch {
    return false;
  }
}

/**
 * True when the presented key equals the expected one, in constant time. Both are hashed
 * first, so neither the comparison nor the lengths reveal how much of a guess was right.
 * Malformed or non-string input is simply false.
 * @example
 * const ok = verifyApiKey(request.headers['x-api-key'], await secrets.get('prod/partner/api-key'));
 */
export function verifyApiKey(presented: unknown, expected: unknown): boolean {
  if (typeof presented !== 'string' || typeof expected !== 'string') return false;
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  const equal = timingSafeEqual(a, b);
  return equal && isWellFormedApiKey(presented);
}
