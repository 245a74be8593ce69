import { inspect } from 'node:util';
import type { FetchedSecret } from '../cache';
import { MAX_SECRET_VALUE_BYTES, type KmsClient } from '../core';
import { sdkKmsClient } from '../core/kms-sdk';
import { EnvelopeEncryption, checkEnvelopeOptions, type CheckedEnvelopeOptions } from '../crypto/envelope';
import { secretContext, type EncryptionContext } from '../crypto/encryption-context';
import { encryptionSdk } from '../crypto/encryption-sdk';
import type { DataKeyCacheOptions } from '../crypto/envelope-cache';
import { ConfigurationError, SecretDecodeError, ValidationError, show } from '../errors';

/**
 * How an `encrypted-json` secret is stored: a SecretString holding one JSON document,
 * `{"keystage:envelope":1,"message":"<base64 AWS Encryption SDK message>"}`. The message's
 * encryption context is `{"keystage:secret-arn": <ARN>, "keystage:secret-version-id": <VersionId>}`,
 * so any Encryption SDK decrypts it given that context, and a value copied to another
 * secret or version does not decrypt. Always written in this key order without spaces, so
 * readers recognise it by its opening.
 */
export const ENVELOPE_DOCUMENT_PREFIX = '{"keystage:envelope":1,"message":"';
const ENVELOPE_DOCUMENT_SUFFIX = '"}';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Client-side envelope encryption of `encrypted-json` secrets, on top of Secrets Manager's own. */
export interface SecretEnvelopeOptions {
  /**
   * The KMS key ARN that wraps each value's data key. Readers need `kms:Decrypt` on it with
   * the secret's context, on top of `secretsmanager:GetSecretValue`: the second layer.
   */
  readonly keyId: string;
  /** Further key ARNs whose values may be read (a key being retired). @default - none */
  readonly decryptKeyIds?: readonly string[];
  /**
   * The data-key cache, its three limits required. Each version has its own context, so
   * writes never share a key; repeated reads of one version then ask KMS once per `maxAgeMs`.
   * @default - no cache: one GenerateDataKey per write, one KMS Decrypt per uncached read
   */
  readonly cache?: DataKeyCacheOptions;
  /**
   * Keep the decrypted value with the cached ciphertext, per version: reads after the first
   * cost a lookup, and the plaintext stays in memory as long as the version is cached (as
   * every other kind's value does). Without it the read cache holds ciphertext only and each
   * read decrypts.
   * @default false
   */
  readonly cacheDecrypted?: boolean;
  /**
   * Sign each message (ECDSA P-384). The context already binds each value to its secret and
   * version, and writing a new version needs `kms:GenerateDataKey`, so a reader who can only
   * decrypt cannot plant a value either way; signing adds about 30 ms to every decryption
   * that misses the data-key cache.
   * @default false
   */
  readonly signed?: boolean;
}

/**
 * What the client's envelope encrypts and decrypts with (an EnvelopeEncryption). Its own
 * type, so these declarations, reached from the root entry, do not reach the crypto entry's,
 * which name the KMS SDK (an optional peer).
 */
export interface EnvelopeCipher {
  encrypt(plaintext: string, options: { readonly context: EncryptionContext }): Promise<Uint8Array>;
  decrypt(message: Uint8Array, options: { readonly expectedContext: EncryptionContext }): Promise<Uint8Array>;
}

/**
 * The client's envelope: checked options, the EnvelopeEncryption made on first use.
 * @example
 * const envelope = new SecretEnvelope({ keyId: keyArn }, () => clients.kms);
 * const document = await envelope.seal('{"a":1}', arn, versionId);
 */
export class SecretEnvelope {
  readonly #options: CheckedEnvelopeOptions;
  readonly #kms: () => KmsClient;
  readonly cacheDecrypted: boolean;
  #envelope: EnvelopeEncryption | undefined;

  constructor(options: SecretEnvelopeOptions, kms: () => KmsClient) {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new ValidationError(
        'envelope',
        `envelope must be { keyId, cache?, cacheDecrypted? }, got ${show(options)}.`,
      );
    }
    const known = new Set(['keyId', 'decryptKeyIds', 'cache', 'cacheDecrypted', 'signed']);
    const unknown = Object.keys(options).find((key) => !known.has(key));
    if (unknown !== undefined) {
      throw new ValidationError(
        `envelope.${unknown}`,
        `envelope.${unknown} is not an envelope option: use ${[...known].join(', ')}.`,
      );
    }
    this.#options = checkEnvelopeOptions(options, 'envelope.', false);
    if (options.cacheDecrypted !== undefined && typeof options.cacheDecrypted !== 'boolean') {
      throw new ValidationError(
        'envelope.cacheDecrypted',
        `envelope.cacheDecrypted must be true or false, got ${show(options.cacheDecrypted)}.`,
      );
    }
    this.cacheDecrypted = options.cacheDecrypted ?? false;
    this.#kms = kms;
  }

  /** The EnvelopeEncryption; loads the Encryption SDK, so a missing package fails before any write. */
  encryption(): EnvelopeCipher {
    if (this.#envelope !== undefined) return this.#envelope;
    encryptionSdk();
    const { keyId, decryptKeyIds, cache, signed } = this.#options;
    this.#envelope = new EnvelopeEncryption({
      keyId,
      decryptKeyIds,
      signed,
      kms: sdkKmsClient(this.#kms()),
      ...(cache === undefined ? {} : { cache }),
    });
    return this.#envelope;
  }

  /** The stored document for `plaintext` (JSON text) as version `versionId` of secret `arn`. */
  async seal(plaintext: string, arn: string, versionId: string): Promise<string> {
    const message = await this.encryption().encrypt(plaintext, { context: secretContext(arn, versionId) });
    const document = `${ENVELOPE_DOCUMENT_PREFIX}${Buffer.from(message).toString('base64')}${ENVELOPE_DOCUMENT_SUFFIX}`;
    if (Buffer.byteLength(document) > MAX_SECRET_VALUE_BYTES) {
      throw new ValidationError(
        'value',
        `The encrypted value takes ${Buffer.byteLength(document)} bytes, over Secrets Manager's ${MAX_SECRET_VALUE_BYTES}: ` +
          'an encrypted-json value can hold about 48 KiB of JSON.',
      );
    }
    return document;
  }

  [inspect.custom](): string {
    return `SecretEnvelope { keyId: ${JSON.stringify(this.#options.keyId)} }`;
  }

  toJSON(): { keyId: string } {
    return { keyId: this.#options.keyId };
  }
}

/**
 * The ciphertext of an `encrypted-json` version, as the read cache holds it: the Encryption
 * SDK message bytes, in `FetchedSecret.binary` with `text` left undefined, so that no read
 * path can hand the stored document out as the value (the string hot path skips it). It
 * opens through the envelope of the client that read it; with `cacheDecrypted` it keeps what
 * it opened.
 * @example
 * const sealed = SealedSecretValue.fromText(output.SecretString, context.envelope);
 * const text = sealed === undefined ? output.SecretString : await sealed.open(version, id);
 */
export class SealedSecretValue extends Uint8Array {
  static get [Symbol.species](): Uint8ArrayConstructor {
    return Uint8Array;
  }

  readonly #envelope: SecretEnvelope | undefined;
  #text: Promise<string> | undefined = undefined;
  #json: Promise<unknown> | undefined = undefined;

  private constructor(message: Uint8Array, envelope: SecretEnvelope | undefined) {
    super(message.byteLength);
    this.set(message);
    this.#envelope = envelope;
  }

  /** The sealed value a stored SecretString holds, or undefined when it is no envelope document. */
  static fromText(
    text: string | undefined,
    envelope: SecretEnvelope | undefined,
  ): SealedSecretValue | undefined {
    if (
      text === undefined ||
      !text.startsWith(ENVELOPE_DOCUMENT_PREFIX) ||
      !text.endsWith(ENVELOPE_DOCUMENT_SUFFIX)
    ) {
      return undefined;
    }
    const base64 = text.slice(ENVELOPE_DOCUMENT_PREFIX.length, -ENVELOPE_DOCUMENT_SUFFIX.length);
    if (!BASE64.test(base64)) return undefined;
    return new SealedSecretValue(Buffer.from(base64, 'base64'), envelope);
  }

  /** The plaintext JSON text of `version` (whose binary this is), decrypted and checked against its ARN and VersionId. */
  open(version: FetchedSecret, secretId: string): Promise<string> {
    if (this.#text !== undefined) return this.#text;
    const opened = this.#decrypt(version, secretId);
    if (this.#envelope?.cacheDecrypted === true) {
      this.#text = opened;
      // A failure (KMS throttled) is not kept: the next read tries again.
      opened.catch(() => (this.#text = undefined));
    }
    return opened;
  }

  /** The value parsed as JSON; with cacheDecrypted parsed once and frozen. */
  openJson(version: FetchedSecret, secretId: string): Promise<unknown> {
    if (this.#json !== undefined) return this.#json;
    const parsed = this.open(version, secretId).then((text) => parse(text, secretId));
    if (this.#envelope?.cacheDecrypted === true) {
      this.#json = parsed.then(deepFreeze);
      this.#json.catch(() => (this.#json = undefined));
      return this.#json;
    }
    return parsed;
  }

  async #decrypt(version: FetchedSecret, secretId: string): Promise<string> {
    const envelope = this.#envelope;
    if (envelope === undefined) {
      throw new ConfigurationError(
        'envelope',
        `Secret ${JSON.stringify(secretId)} is an encrypted-json secret, and this client has no envelope: ` +
          'pass envelope: { keyId } (the KMS key ARN) to SecretsClient to read it.',
        { secretId },
      );
    }
    try {
      const plaintext = await envelope
        .encryption()
        .decrypt(this, { expectedContext: secretContext(version.arn, version.versionId) });
      return Buffer.from(plaintext).toString('utf8');
    } catch (error) {
      if (error instanceof SecretDecodeError) {
        throw new SecretDecodeError(
          `Secret ${JSON.stringify(secretId)} (version ${version.versionId}) does not decrypt as this secret's encrypted-json value: ${error.message}`,
          { secretId, cause: error },
        );
      }
      throw error;
    }
  }

  [inspect.custom](): string {
    return `SealedSecretValue(${this.byteLength} bytes, encrypted-json)`;
  }

  toJSON(): { sealed: true; bytes: number } {
    return { sealed: true, bytes: this.byteLength };
  }
}

function parse(text: string, secretId: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SecretDecodeError(`Secret ${JSON.stringify(secretId)} decrypted to text that is not JSON.`, {
      secretId,
    });
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
