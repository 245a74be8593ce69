import { inspect } from 'node:util';
import { toKeystageError, type KmsClient } from '../core';
import { kmsSdk, sdkKmsClient } from '../core/kms-sdk';
import { UnexpectedServiceError, ValidationError, show } from '../errors';

/**
 * A KMS data key: the plaintext to encrypt with now, and the same key wrapped by KMS to
 * store beside the ciphertext. The plaintext never shows in `JSON.stringify`,
 * `util.inspect`, `String()` or an object spread (it is not enumerable); call `destroy()`
 * when done to zero it.
 * @example
 * const key = await generateDataKey(kms, { keyId: 'alias/app' });
 * JSON.stringify(key); // {"keyId":"arn:aws:kms:...","wrappedKey":"AQIDAHh...","plaintext":"[REDACTED]"}
 * key.destroy();
 */
export class DataKey {
  // Declared, not initialised: a class field would be an enumerable own property, and
  // `{ ...key }` or a logger that walks own keys would then copy the key material out.
  declare readonly plaintext: Buffer;
  readonly wrappedKey: Uint8Array;
  readonly keyId: string;

  constructor(plaintext: Buffer, wrappedKey: Uint8Array, keyId: string) {
    Object.defineProperty(this, 'plaintext', { value: plaintext, enumerable: false });
    this.wrappedKey = wrappedKey;
    this.keyId = keyId;
  }

  /**
   * Overwrites the plaintext with zeros. `generateDataKey` already zeroed the SDK's decoded
   * copy; the base64 text of the HTTP response is an immutable string and is left to the
   * garbage collector.
   */
  destroy(): void {
    this.plaintext.fill(0);
  }

  /** keyId and the wrapped key in base64; the plaintext as `[REDACTED]`. */
  toJSON(): { keyId: string; wrappedKey: string; plaintext: '[REDACTED]' } {
    return {
      keyId: this.keyId,
      wrappedKey: Buffer.from(this.wrappedKey).toString('base64'),
      plaintext: '[REDACTED]',
    };
  }

  /** `DataKey(<keyId>, plaintext [REDACTED])`. */
  toString(): string {
    return `DataKey(${this.keyId}, plaintext [REDACTED])`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

export interface DataKeyOptions {
  /** KMS key id, key ARN, alias name or alias ARN that wraps the data key. */
  readonly keyId: string;
  /**
   * Encryption context bound to the wrapped key: decrypting needs the same pairs.
   * @default - none
   */
  readonly encryptionContext?: Readonly<Record<string, string>>;
}

/**
 * A new AES-256 data key from KMS `GenerateDataKey`.
 * @example
 * const key = await generateDataKey(new KMSClient({}), { keyId: 'alias/app', encryptionContext: { app: 'billing' } });
 * try { encryptWith(key.plaintext); store(key.wrappedKey); } finally { key.destroy(); }
 */
export async function generateDataKey(kms: KmsClient, options: DataKeyOptions): Promise<DataKey> {
  const keyId = options?.keyId;
  if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > 2048) {
    throw new ValidationError('keyId', `keyId must be a KMS key id, ARN or alias, got ${show(keyId)}.`);
  }
  const context: unknown = options.encryptionContext;
  if (
    context !== undefined &&
    (typeof context !== 'object' ||
      context === null ||
      Array.isArray(context) ||
      !Object.values(context).every((value) => typeof value === 'string'))
  ) {
    throw new ValidationError(
      'encryptionContext',
      'encryptionContext must be an object of string keys to string values.',
    );
  }
  // Loaded here, not at import: a service that only reads secrets never loads the KMS client.
  const { GenerateDataKeyCommand } = kmsSdk();
  let response;
  try {
    response = await sdkKmsClient(kms).send(
      new GenerateDataKeyCommand({
        KeyId: keyId,
        KeySpec: 'AES_256',
        ...(options.encryptionContext === undefined
          ? {}
          : { EncryptionContext: { ...options.encryptionContext } }),
      }),
    );
  } catch (error) {
    throw toKeystageError(error, { operation: 'GenerateDataKey', secretId: keyId });
  }
  if (
    response.Plaintext === undefined ||
    response.CiphertextBlob === undefined ||
    response.KeyId === undefined
  ) {
    response.Plaintext?.fill(0);
    throw new UnexpectedServiceError(
      `GenerateDataKey for ${JSON.stringify(keyId)} returned no key material: check the KMS endpoint in use.`,
      { secretId: keyId },
    );
  }
  // Copied into a buffer of its own (Buffer.alloc is never pooled, so no other Buffer's
  // `.buffer` spans the key), and the SDK's copy zeroed, so destroy() leaves none reachable.
  const plaintext = Buffer.alloc(response.Plaintext.byteLength);
  plaintext.set(response.Plaintext);
  response.Plaintext.fill(0);
  return new DataKey(plaintext, response.CiphertextBlob, response.KeyId);
}
