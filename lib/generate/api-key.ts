import { createHash, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { ValidationError, show } from '../errors';
import { randomString } from './random';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PREFIX = /^[a-z][a-z0-9]{1,15}$/;
const SHAPE = /^([a-z][a-z0-9]{1,15})_([A-Za-z0-9]{16,128})_([A-Za-z0-9]{6})$/;
const CHECKSUM_LENGTH = 6;

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

/** CRC32 of `prefix_body` in base62, six characters: catches typos without a network call. */
function checksumOf(prefix: string, body: string): string {
  let n = crc32(`${prefix}_${body}`);
  let text = '';
  while (n > 0) {
    text = BASE62[n % 62] + text;
    n = Math.floor(n / 62);
  }
  return text.padStart(CHECKSUM_LENGTH, '0');
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
  const match = SHAPE.exec(key);
  if (match === null) {
    throw new ValidationError(
      'apiKey',
      `The API key (${key.length} characters) is not of the form prefix_body_checksum: a 2-16 character ` +
        'lowercase prefix, 16-128 base62 characters, 6 base62 checksum characters.',
    );
  }
  const [, prefix, body, checksum] = match as unknown as [string, string, string, string];
  if (checksumOf(prefix, body) !== checksum) {
    throw new ValidationError(
      'apiKey',
      'The API key checksum does not match: the key was mistyped or truncated.',
    );
  }
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
