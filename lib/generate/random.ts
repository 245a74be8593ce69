import { randomBytes } from 'node:crypto';
import { ValidationError, show } from '../errors';

/** The largest random string one call makes; far above any key or password keystage needs. */
const MAX_LENGTH = 65_536;

const ALPHABETS = Object.freeze({
  hex: '0123456789abcdef',
  base62: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  base64url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
});

/** Encodings `randomString` produces. */
export type RandomEncoding = keyof typeof ALPHABETS;

function checkLength(length: unknown, field: string): number {
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 1 || length > MAX_LENGTH) {
    throw new ValidationError(
      field,
      `${field} must be an integer from 1 to ${MAX_LENGTH}, got ${show(length)}.`,
    );
  }
  return length;
}

/**
 * `count` (0..65536) independent indices, each uniform in [0, alphabetSize), alphabetSize 1..256.
 *
 * A random byte is uniform over 256 values; `byte % n` would favour the first `256 % n`
 * indices. Bytes at or above the largest multiple of n are therefore rejected and drawn
 * again (rejection sampling), which leaves every index exactly equally likely.
 *
 * @example
 * const dice = randomIndices(10, 6); // ten fair rolls, 0..5
 */
export function randomIndices(count: number, alphabetSize: number): Uint8Array {
  if (!Number.isInteger(count) || count < 0 || count > MAX_LENGTH) {
    throw new ValidationError(
      'count',
      `count must be an integer from 0 to ${MAX_LENGTH}, got ${show(count)}.`,
    );
  }
  if (!Number.isInteger(alphabetSize) || alphabetSize < 1 || alphabetSize > 256) {
    throw new ValidationError(
      'alphabetSize',
      `alphabetSize must be an integer from 1 to 256, got ${show(alphabetSize)}.`,
    );
  }
  const out = new Uint8Array(count);
  const limit = 256 - (256 % alphabetSize);
  const accept = limit / 256;
  let filled = 0;
  while (filled < count) {
    // Accepted bytes out of N are Binomial(N, accept). Asking for the mean need plus four
    // standard deviations (and a little) finishes in one randomBytes call all but ~3e-5 of
    // the time, at a cost of under 1% extra bytes for large counts; the loop covers the rest.
    const remaining = count - filled;
    const spread = 4 * Math.sqrt(remaining * (1 - accept));
    const wanted = Math.ceil((remaining + spread) / accept) + 16;
    const bytes = randomBytes(wanted);
    for (let i = 0; i < bytes.length && filled < count; i++) {
      const byte = bytes[i]!;
      if (byte < limit) out[filled++] = byte % alphabetSize;
    }
  }
  return out;
}

/**
 * A string of `length` characters drawn uniformly from `alphabet` (1..256 distinct characters).
 * @example
 * const pin = randomFromAlphabet('0123456789', 6);
 */
export function randomFromAlphabet(alphabet: string, length: number): string {
  if (typeof alphabet !== 'string') {
    throw new ValidationError('alphabet', `alphabet must be a string, got ${show(typeof alphabet)}.`);
  }
  // Code points, not UTF-16 units, so an astral character counts once and is never split.
  const chars = [...alphabet];
  if (chars.length === 0 || chars.length > 256) {
    throw new ValidationError('alphabet', `alphabet must have 1 to 256 characters, got ${chars.length}.`);
  }
  if (new Set(chars).size !== chars.length) {
    throw new ValidationError(
      'alphabet',
      'alphabet has a repeated character, which would make it more likely.',
    );
  }
  checkLength(length, 'length');
  let text = '';
  for (const index of randomIndices(length, chars.length)) text += chars[index];
  return text;
}

/**
 * A random string in the given encoding: `hex`, `base62` (default) or `base64url`.
 * @example
 * const token = randomString(32); // 32 base62 characters, ~190 bits
 * const nonce = randomString(16, 'hex');
 */
export function randomString(length: number, encoding: RandomEncoding = 'base62'): string {
  // hasOwn, not a plain lookup: 'toString' or '__proto__' must not reach an inherited member.
  if (typeof encoding !== 'string' || !Object.hasOwn(ALPHABETS, encoding)) {
    throw new ValidationError(
      'encoding',
      `encoding must be 'hex', 'base62' or 'base64url', got ${show(encoding)}.`,
    );
  }
  return randomFromAlphabet(ALPHABETS[encoding], checkLength(length, 'length'));
}
