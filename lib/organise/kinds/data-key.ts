import { ValidationError } from '../../errors';
import { decodeBase64, jsonObjectOf, requiredText, type SecretKindSpec } from './kind-spec';

const EXPECTED = 'a JSON object { keyId, wrappedKey, keySpec? }';

/**
 * `data-key`: a data key wrapped by KMS, as `create` stores it: `{ keyId, wrappedKey (base64
 * ciphertext), keySpec? (AES_256 or AES_128) }`. Like the KMS key that wraps it, it rotates
 * yearly.
 */
export const dataKeyKind: SecretKindSpec = {
  kind: 'data-key',
  shape: EXPECTED,
  check: (value, field) => {
    const fields = jsonObjectOf(value, 'data-key', field, EXPECTED);
    requiredText(fields, 'keyId', field, 'the KMS key that wraps the data key');
    const wrapped = requiredText(fields, 'wrappedKey', field, 'the wrapped data key, base64');
    if (decodeBase64(wrapped) === undefined) {
      throw new ValidationError(
        `${field}.wrappedKey`,
        `${field}.wrappedKey must be standard base64 (the KMS ciphertext).`,
      );
    }
    if (fields.keySpec !== undefined && fields.keySpec !== 'AES_256' && fields.keySpec !== 'AES_128') {
      throw new ValidationError(
        `${field}.keySpec`,
        `${field}.keySpec must be AES_256 or AES_128 when present.`,
      );
    }
  },
  rotation: { days: 365, reason: 'A data key is replaced yearly, as KMS rotates the key that wraps it.' },
};
