import { SecretDecodeError, ValidationError, show } from '../errors';

/**
 * An encryption context: non-secret string pairs that the Encryption SDK authenticates with
 * the message (and KMS with the data key). Decryption succeeds only with the same pairs, so
 * a message cannot be moved to where other pairs are expected.
 */
export type EncryptionContext = Readonly<Record<string, string>>;

/** The prefix the Encryption SDK reserves for its own pairs (the signing key, for one). */
export const RESERVED_CONTEXT_PREFIX = 'aws-crypto-';

/** The context keys that bind a secret payload to its secret and version. */
export const SECRET_CONTEXT_KEYS = Object.freeze({
  arn: 'keystage:secret-arn',
  versionId: 'keystage:secret-version-id',
});

/** The serialised context must fit the message format's 2-byte length field. */
const MAX_CONTEXT_BYTES = 65_535;

/**
 * The encryption context of a secret payload: the secret's full ARN and the VersionId the
 * payload is stored under. A value copied to another secret or version does not decrypt.
 * @example
 * const context = secretContext(ref.arn, ref.versionId);
 */
export function secretContext(arn: string, versionId: string): EncryptionContext {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) {
    throw new ValidationError('arn', `arn ${show(arn)} must be the secret's full ARN.`);
  }
  if (typeof versionId !== 'string' || versionId.length === 0) {
    throw new ValidationError('versionId', `versionId ${show(versionId)} must be the secret's VersionId.`);
  }
  return Object.freeze({ [SECRET_CONTEXT_KEYS.arn]: arn, [SECRET_CONTEXT_KEYS.versionId]: versionId });
}

/**
 * A caller's encryption context, checked: a plain object of string to string, no empty key,
 * no key of the SDK's reserved `aws-crypto-` prefix. Returned as a frozen copy.
 * @example
 * validateEncryptionContext({ purpose: 'backup' }, 'context');
 */
export function validateEncryptionContext(value: unknown, field: string): EncryptionContext {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(
      field,
      `${field} must be an object of string keys to string values, got ${show(value)}.`,
    );
  }
  const copy: Record<string, string> = {};
  let bytes = 2;
  for (const [key, pairValue] of Object.entries(value)) {
    if (key.length === 0) throw new ValidationError(field, `${field} has an empty key.`);
    if (key.startsWith(RESERVED_CONTEXT_PREFIX)) {
      throw new ValidationError(
        field,
        `${field} key ${show(key)} uses the '${RESERVED_CONTEXT_PREFIX}' prefix, which the Encryption SDK reserves.`,
      );
    }
    // Context values are not secret, but a caller may have put one there by mistake: name the key only.
    if (typeof pairValue !== 'string') {
      throw new ValidationError(
        field,
        `${field} key ${show(key)} must have a string value, got ${typeof pairValue}.`,
      );
    }
    bytes += 4 + Buffer.byteLength(key) + Buffer.byteLength(pairValue);
    copy[key] = pairValue;
  }
  if (bytes > MAX_CONTEXT_BYTES) {
    throw new ValidationError(
      field,
      `${field} serialises to ${bytes} bytes; the message format allows ${MAX_CONTEXT_BYTES}.`,
    );
  }
  return Object.freeze(copy);
}

/**
 * Checks a decrypted message's context against the expected one: every expected pair present
 * with its value, and no pair beyond them but the SDK's own `aws-crypto-` pairs. Errors name
 * the key, never a value.
 * @throws SecretDecodeError naming the first key that is missing, different or unexpected.
 * @example
 * checkContext(messageHeader.encryptionContext, secretContext(arn, versionId));
 */
export function checkContext(actual: Readonly<Record<string, string>>, expected: EncryptionContext): void {
  for (const [key, value] of Object.entries(expected)) {
    if (!Object.hasOwn(actual, key)) {
      throw new SecretDecodeError(
        `The message's encryption context has no ${show(key)} pair, which was expected.`,
      );
    }
    if (actual[key] !== value) {
      throw new SecretDecodeError(`The message's encryption context has a different value for ${show(key)}.`);
    }
  }
  for (const key of Object.keys(actual)) {
    if (!key.startsWith(RESERVED_CONTEXT_PREFIX) && !Object.hasOwn(expected, key)) {
      throw new SecretDecodeError(
        `The message's encryption context has a ${show(key)} pair, which was not expected.`,
      );
    }
  }
}
