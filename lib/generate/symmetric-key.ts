import { randomBytes } from 'node:crypto';

/**
 * A new 256-bit key (32 random bytes), for AES-256 or HMAC-SHA-256.
 * @example
 * const key = generateSymmetricKey();
 * await secrets.put('prod/app/signing-key', key);
 */
export function generateSymmetricKey(): Buffer {
  return randomBytes(32);
}
