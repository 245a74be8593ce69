import type * as EncryptionSdk from '@aws-crypto/client-node';
import type { KMSClient } from '@aws-sdk/client-kms';
import { inspect } from 'node:util';
import { DEFAULT_TIMEOUTS, timeoutHandler, validateKmsKeyId } from '../core';
import { kmsSdk } from '../core/kms-sdk';
import { KeystageError, SecretDecodeError, ValidationError, show } from '../errors';
import { checkContext, validateEncryptionContext, type EncryptionContext } from './encryption-context';
import { encryptionSdk } from './encryption-sdk';
import { checkDataKeyCacheOptions, type CacheCounts, type DataKeyCacheOptions } from './envelope-cache';
import { cachingMaterials } from './envelope-materials';
import { CountingKms, type KmsCallCounts, type KmsCallScope } from './kms-calls';

/** The largest plaintext one envelope takes: messages are built in memory. */
export const MAX_ENVELOPE_PLAINTEXT_BYTES = 16 * 1024 * 1024;
/** Messages with more wrapped data keys are refused unread (a decryption cost bound). */
const MAX_ENCRYPTED_DATA_KEYS = 10;
/** Room for the header, the wrapped keys and the signature around the largest body. */
const MAX_MESSAGE_BYTES = MAX_ENVELOPE_PLAINTEXT_BYTES + 64 * 1024;

/** A KMS key ARN: the Encryption SDK records it in the message and decrypts only with a matching one. */
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

export interface EnvelopeEncryptionOptions {
  /**
   * The KMS key that wraps each message's data key, as a key ARN
   * (`arn:aws:kms:region:account:key/id`): the Encryption SDK records the key ARN in the
   * message and decrypts only messages whose wrapped key names a key it was given, so an
   * alias or a bare key id would encrypt but never decrypt.
   */
  readonly keyId: string;
  /**
   * Further key ARNs whose messages this instance may decrypt (a key being retired).
   * Encryption uses `keyId` only.
   * @default - none
   */
  readonly decryptKeyIds?: readonly string[];
  /**
   * The KMS client. Any region and endpoint: every KMS call goes through it.
   * @default - a new KMSClient from the standard SDK environment (AWS_REGION, AWS_ENDPOINT_URL_KMS), with DEFAULT_TIMEOUTS
   */
  readonly kms?: KMSClient;
  /**
   * Cache data keys (the SDK's caching materials manager), bounded by age, messages and
   * bytes, all required. Fewer KMS calls, at the price of a data key in memory for up to
   * `maxAgeMs` and one data key protecting up to `maxMessagesEncrypted` messages.
   * @default - no cache: every encrypt makes one GenerateDataKey, every decrypt one Decrypt
   */
  readonly cache?: DataKeyCacheOptions;
  /**
   * Whether messages are signed (the SDK's default suite, ECDSA P-384 over the message):
   * then a party that can only decrypt cannot forge a message. Unsigned messages use the
   * committing suite without a signature and cost about half as much to write and read.
   * @default true
   */
  readonly signed?: boolean;
}

/** Encryption options. */
export interface EnvelopeEncryptOptions {
  /**
   * Non-secret pairs bound to the message; decryption must expect exactly these. Keys
   * starting `aws-crypto-` are the SDK's.
   * @default - an empty context (then decryption must expect `{}`)
   */
  readonly context?: EncryptionContext;
}

/** Decryption options. */
export interface EnvelopeDecryptOptions {
  /**
   * The context the message must carry, exactly (the SDK's own `aws-crypto-` pairs aside):
   * a pair missing, different or extra fails with DECODE_ERROR naming its key.
   */
  readonly expectedContext: EncryptionContext;
}

/** What an EnvelopeEncryption has done, for dashboards and tests. */
export interface EnvelopeStats {
  readonly encrypted: number;
  readonly decrypted: number;
  /** Failed encryptions and decryptions (tampered, wrong key, KMS refused). */
  readonly failures: number;
  /** KMS calls by API. */
  readonly kms: KmsCallCounts;
  /** Data-key cache lookups; zeros without a cache. */
  readonly cache: CacheCounts;
}

type Sdk = typeof EncryptionSdk;
type Materials = InstanceType<Sdk['KmsKeyringNode']> | InstanceType<Sdk['NodeCachingMaterialsManager']>;

interface Engine {
  readonly client: ReturnType<Sdk['buildClient']>;
  readonly materials: Materials;
  readonly suiteId: EncryptionSdk.AlgorithmSuiteIdentifier;
  readonly cacheCounts: () => CacheCounts;
}

function checkKeyArn(value: unknown, field: string): string {
  const keyId = validateKmsKeyId(value, field);
  if (!KEY_ARN.test(keyId)) {
    throw new ValidationError(
      field,
      `${field} ${show(keyId)} must be a KMS key ARN (arn:aws:kms:region:account:key/id): the Encryption SDK ` +
        'decrypts only with the key ARN recorded in the message, so an alias or key id would never decrypt. ' +
        'DescribeKey gives the ARN.',
    );
  }
  return keyId;
}

function checkPlaintext(value: unknown): Uint8Array {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (!(bytes instanceof Uint8Array)) {
    throw new ValidationError('plaintext', `plaintext must be a string or a Uint8Array, got ${show(value)}.`);
  }
  if (bytes.byteLength > MAX_ENVELOPE_PLAINTEXT_BYTES) {
    throw new ValidationError(
      'plaintext',
      `plaintext is ${bytes.byteLength} bytes; one envelope takes at most ${MAX_ENVELOPE_PLAINTEXT_BYTES}.`,
    );
  }
  return bytes;
}

/** EnvelopeEncryptionOptions without the client, checked. */
export interface CheckedEnvelopeOptions {
  readonly keyId: string;
  readonly decryptKeyIds: readonly string[];
  readonly cache: Required<DataKeyCacheOptions> | undefined;
  readonly signed: boolean;
}

/**
 * Checks envelope options before anything is built: the key ARNs, the cache limits (all
 * required), `signed`. `prefix` names the fields as the caller knows them (`envelope.`).
 * @example
 * checkEnvelopeOptions({ keyId: keyArn, cache: { maxAgeMs: 60_000, maxMessagesEncrypted: 100, maxBytesEncrypted: 1 << 20 } });
 */
export function checkEnvelopeOptions(
  options: Omit<EnvelopeEncryptionOptions, 'kms'>,
  prefix = '',
  defaultSigned = true,
): CheckedEnvelopeOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError(
      prefix === '' ? 'options' : prefix.slice(0, -1),
      'Envelope encryption needs { keyId } (a KMS key ARN).',
    );
  }
  const extra = options.decryptKeyIds ?? [];
  if (!Array.isArray(extra)) {
    throw new ValidationError(
      `${prefix}decryptKeyIds`,
      `${prefix}decryptKeyIds must be an array of key ARNs.`,
    );
  }
  if (options.signed !== undefined && typeof options.signed !== 'boolean') {
    throw new ValidationError(
      `${prefix}signed`,
      `${prefix}signed must be true or false, got ${show(options.signed)}.`,
    );
  }
  return {
    keyId: checkKeyArn(options.keyId, `${prefix}keyId`),
    decryptKeyIds: Object.freeze(extra.map((id, i) => checkKeyArn(id, `${prefix}decryptKeyIds[${i}]`))),
    cache:
      options.cache === undefined ? undefined : checkDataKeyCacheOptions(options.cache, `${prefix}cache`),
    signed: options.signed ?? defaultSigned,
  };
}

/**
 * The SDK's error with nothing of the data: its name and message only (SDK messages name
 * conditions, such as a tag mismatch, never bytes), as a plain object so that no stack,
 * property or nested cause that might hold material rides along.
 */
function stripped(error: unknown): { readonly name: string; readonly message: string } {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return {
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message.slice(0, 200) : 'no message',
  };
}

/**
 * Envelope encryption with the AWS Encryption SDK: each message gets a fresh data key from
 * KMS (or a cached one, within the cache's limits), the content is encrypted with the
 * committing AES-256-GCM suite (signed by default), and the encryption context is
 * authenticated with the message and bound to the wrapped key. The output is the SDK's
 * standard message format, so the Encryption SDK in any language decrypts it, and keystage
 * decrypts theirs.
 *
 * Errors: bad arguments are ValidationError; a tampered, foreign or undecodable message, or
 * one whose context differs from the expected one, is SecretDecodeError (DECODE_ERROR);
 * KMS failures keep their own codes (PERMISSION_DENIED, THROTTLED, ...). No error carries
 * plaintext, in its message or its cause.
 * @example
 * const envelope = new EnvelopeEncryption({ keyId: keyArn, kms });
 * const message = await envelope.encrypt('s3cr3t', { context: { purpose: 'backup' } });
 * const plaintext = await envelope.decrypt(message, { expectedContext: { purpose: 'backup' } });
 */
export class EnvelopeEncryption {
  readonly keyId: string;
  readonly #decryptKeyIds: readonly string[];
  readonly #kms: CountingKms;
  readonly #cache: Required<DataKeyCacheOptions> | undefined;
  readonly #signed: boolean;
  #engine: Engine | undefined;
  #encrypted = 0;
  #decrypted = 0;
  #failures = 0;

  constructor(options: EnvelopeEncryptionOptions) {
    const checked = checkEnvelopeOptions(options);
    this.keyId = checked.keyId;
    this.#decryptKeyIds = checked.decryptKeyIds;
    this.#cache = checked.cache;
    this.#signed = checked.signed;
    let kms: KMSClient | undefined = options.kms;
    this.#kms = new CountingKms(
      () => (kms ??= new (kmsSdk().KMSClient)({ requestHandler: timeoutHandler(DEFAULT_TIMEOUTS) })),
    );
  }

  /** Whether a data-key cache is in use. */
  get caching(): boolean {
    return this.#cache !== undefined;
  }

  /**
   * Encrypts `plaintext` (a string is UTF-8) into one Encryption SDK message.
   * @example
   * const message = await envelope.encrypt(JSON.stringify(value), { context: secretContext(arn, versionId) });
   */
  async encrypt(plaintext: string | Uint8Array, options: EnvelopeEncryptOptions = {}): Promise<Uint8Array> {
    const bytes = checkPlaintext(plaintext);
    if (typeof options !== 'object' || options === null) {
      throw new ValidationError('options', 'encrypt options must be an object such as { context }.');
    }
    const context = validateEncryptionContext(options.context ?? {}, 'context');
    const engine = this.#load();
    const { result } = await this.#guard('encrypt', () =>
      engine.client.encrypt(engine.materials, bytes, {
        encryptionContext: { ...context },
        suiteId: engine.suiteId,
        plaintextLength: bytes.byteLength,
      }),
    );
    this.#encrypted++;
    return new Uint8Array(result.buffer, result.byteOffset, result.byteLength);
  }

  /**
   * Decrypts one Encryption SDK message and checks its context against `expectedContext`.
   * The plaintext is returned only after both the message and its context check out.
   * @example
   * const bytes = await envelope.decrypt(message, { expectedContext: secretContext(arn, versionId) });
   */
  async decrypt(message: Uint8Array, options: EnvelopeDecryptOptions): Promise<Uint8Array> {
    if (!(message instanceof Uint8Array) || message.byteLength === 0) {
      throw new ValidationError('message', `message must be a non-empty Uint8Array, got ${show(message)}.`);
    }
    if (message.byteLength > MAX_MESSAGE_BYTES) {
      throw new ValidationError(
        'message',
        `message is ${message.byteLength} bytes; at most ${MAX_MESSAGE_BYTES} are read.`,
      );
    }
    if (typeof options !== 'object' || options === null || options.expectedContext === undefined) {
      throw new ValidationError(
        'expectedContext',
        'decrypt needs { expectedContext }: the pairs the message must carry ({} for none).',
      );
    }
    const expected = validateEncryptionContext(options.expectedContext, 'expectedContext');
    const engine = this.#load();
    const { plaintext, messageHeader } = await this.#guard('decrypt', () =>
      engine.client.decrypt(engine.materials, message, { maxBodySize: MAX_ENVELOPE_PLAINTEXT_BYTES }),
    );
    try {
      checkContext(messageHeader.encryptionContext, expected);
    } catch (error) {
      plaintext.fill(0);
      this.#failures++;
      throw error;
    }
    this.#decrypted++;
    return new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  }

  /**
   * Counts of messages, failures, KMS calls and data-key cache lookups.
   * @example
   * const { kms } = envelope.stats(); // { generateDataKey, encrypt, decrypt }
   */
  stats(): EnvelopeStats {
    return {
      encrypted: this.#encrypted,
      decrypted: this.#decrypted,
      failures: this.#failures,
      kms: this.#kms.counts(),
      cache: this.#engine?.cacheCounts() ?? { hits: 0, misses: 0 },
    };
  }

  /** One SDK call, its failures mapped: KMS's own error when KMS failed, else DECODE_ERROR. */
  async #guard<T>(what: 'encrypt' | 'decrypt', work: () => Promise<T>): Promise<T> {
    const scope: KmsCallScope = { failure: undefined };
    try {
      return await this.#kms.run(scope, work);
    } catch (error) {
      this.#failures++;
      if (scope.failure !== undefined) throw scope.failure;
      if (error instanceof KeystageError) throw error;
      const sdkError = stripped(error);
      if (what === 'encrypt') {
        throw new SecretDecodeError(`Envelope encryption failed: ${sdkError.name}: ${sdkError.message}`, {
          cause: sdkError,
        });
      }
      throw new SecretDecodeError(
        'The envelope does not decrypt: it was altered, is not an Encryption SDK message with key ' +
          `commitment, or its data key is not wrapped by a key this instance may use (${sdkError.name}).`,
        { cause: sdkError },
      );
    }
  }

  /** The SDK, the keyring and the materials manager, made on first use. */
  #load(): Engine {
    if (this.#engine !== undefined) return this.#engine;
    const sdk = encryptionSdk();
    const client = sdk.buildClient({
      commitmentPolicy: sdk.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
      maxEncryptedDataKeys: MAX_ENCRYPTED_DATA_KEYS,
    });
    const kms = this.#kms.client;
    const keyring = new sdk.KmsKeyringNode({
      generatorKeyId: this.keyId,
      ...(this.#decryptKeyIds.length === 0 ? {} : { keyIds: [...this.#decryptKeyIds] }),
      // The caller's client for every region: it knows its endpoint and credentials.
      clientProvider: () => kms,
    });
    const suiteId = this.#signed
      ? sdk.AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384
      : sdk.AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
    if (this.#cache === undefined) {
      this.#engine = { client, materials: keyring, suiteId, cacheCounts: () => ({ hits: 0, misses: 0 }) };
    } else {
      const { manager, counts } = cachingMaterials(sdk, keyring, this.#cache);
      this.#engine = { client, materials: manager, suiteId, cacheCounts: counts };
    }
    return this.#engine;
  }

  /** Configuration only: an envelope never holds a plaintext or a data key in a field. */
  [inspect.custom](): string {
    return `EnvelopeEncryption { keyId: ${JSON.stringify(this.keyId)}, caching: ${this.caching} }`;
  }

  toJSON(): { keyId: string; caching: boolean } {
    return { keyId: this.keyId, caching: this.caching };
  }
}
