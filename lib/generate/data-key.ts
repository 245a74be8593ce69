import { GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { inspect } from 'node:util';
import { toKeystageError } from '../client/aws-errors';
import { UnexpectedServiceError, ValidationError, show } from '../errors';

/**
 * A KMS data key: the plaintext to encrypt with now, and the same key wrapped by KMS to
 * store beside the ciphertext. The plaintext never shows in `JSON.stringify`,
 * `util.inspect` or `String()`; call `destroy()` when done to zero it.
 */
export class DataKey {
  readonly plaintext: Buffer;
  readonly wrappedKey: Uint8Array;
  readonly keyId: string;

  constructor(plaintext: Buffer, wrappedKey: Uint8Array, keyId: string) {
    this.plaintext = plaintext;
    this.wrappedKey = wrappedKey;
    this.keyId = keyId;
  }

  /** Overwrites the plaintext with zeros. */
  destroy(): void {
    this.plaintext.fill(0);
  }

  toJSON(): { keyId: string; wrappedKey: string; plaintext: '[REDACTED]' } {
    return {
      keyId: this.keyId,
      wrappedKey: Buffer.from(this.wrappedKey).toString('base64'),
      plaintext: '[REDACTED]',
    };
  }

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
export async function generateDataKey(kms: KMSClient, options: DataKeyOptions): Promise<DataKey> {
  const keyId = options?.keyId;
  if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > 2048) {
    throw new ValidationError('keyId', `keyId must be a KMS key id, ARN or alias, got ${show(keyId)}.`);
  }
  let response;
  try {
    response = await kms.send(
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
    throw new UnexpectedServiceError(
      `GenerateDataKey for ${JSON.stringify(keyId)} returned no key material: check the KMS endpoint in use.`,
      { secretId: keyId },
    );
  }
  return new DataKey(Buffer.from(response.Plaintext), response.CiphertextBlob, response.KeyId);
}
