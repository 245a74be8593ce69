import { ValidationError } from '../../errors';
import { decodeBase64, type SecretKindSpec } from './kind-spec';

/** AES-128, -192 and -256 keys, and 512-bit keys (AES-256-XTS, HMAC-SHA-512). */
const KEY_BYTES: ReadonlySet<number> = new Set([16, 24, 32, 64]);

/**
 * `symmetric-key`: 16, 24, 32 or 64 key bytes, stored as SecretBinary (what `create`
 * generates) or as their standard base64 text (what the generic rotation function writes).
 * Keys for data encryption rotate yearly, the period AWS KMS rotates the keys it manages.
 */
export const symmetricKeyKind: SecretKindSpec = {
  kind: 'symmetric-key',
  shape: '16, 24, 32 or 64 bytes, raw or as base64 text',
  check: (value, field) => {
    const bytes = typeof value === 'string' ? decodeBase64(value) : value;
    if (bytes === undefined || !KEY_BYTES.has(bytes.byteLength)) {
      throw new ValidationError(
        field,
        `A 'symmetric-key' secret is 16, 24, 32 or 64 key bytes (a Uint8Array, or their base64 text); ${field} is not.`,
      );
    }
  },
  rotation: {
    days: 365,
    reason: 'Encryption keys rotate yearly, the period AWS KMS uses for the keys it rotates.',
  },
};
