import type {
  DecryptCommandInput,
  DecryptCommandOutput,
  EncryptCommandInput,
  EncryptCommandOutput,
  GenerateDataKeyCommandInput,
  GenerateDataKeyCommandOutput,
  KMSClient,
} from '@aws-sdk/client-kms';
import { AsyncLocalStorage } from 'node:async_hooks';
import { toKeystageError } from '../core';
import { kmsSdk } from '../core/kms-sdk';
import { SecretDecodeError, type KeystageError } from '../errors';

/** Decrypt answers that say the wrapped key itself is bad or foreign: a decoding failure, not a refusal. */
const UNDECODABLE = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

/** KMS calls made for envelopes, by API. */
export interface KmsCallCounts {
  readonly generateDataKey: number;
  readonly encrypt: number;
  readonly decrypt: number;
}

/** The client shape the Encryption SDK's KMS keyring calls (the v3 aggregated client's methods). */
export interface KeyringKmsClient {
  generateDataKey(input: GenerateDataKeyCommandInput): Promise<GenerateDataKeyCommandOutput>;
  encrypt(input: EncryptCommandInput): Promise<EncryptCommandOutput>;
  decrypt(input: DecryptCommandInput): Promise<DecryptCommandOutput>;
}

/** What one encrypt or decrypt learns from KMS on the way: the first KMS failure, mapped. */
export interface KmsCallScope {
  failure: KeystageError | undefined;
}

/**
 * The caller's KMSClient in the shape the Encryption SDK's KMS keyring calls (`generateDataKey`,
 * `encrypt`, `decrypt` methods), counting each call. A KMS failure is mapped by keystage's
 * one SDK error map and kept in the current call's scope: the SDK folds keyring failures into
 * its own generic error, and the caller should learn that KMS denied or throttled instead.
 * @example
 * const kms = new CountingKms(() => kmsClient);
 * const keyring = new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider: () => kms.client });
 */
export class CountingKms {
  readonly #kms: () => KMSClient;
  readonly #scope = new AsyncLocalStorage<KmsCallScope>();
  #generateDataKey = 0;
  #encrypt = 0;
  #decrypt = 0;

  constructor(kms: () => KMSClient) {
    this.#kms = kms;
  }

  /** Runs one envelope operation with its own scope for KMS failures. */
  run<T>(scope: KmsCallScope, work: () => Promise<T>): Promise<T> {
    return this.#scope.run(scope, work);
  }

  counts(): KmsCallCounts {
    return { generateDataKey: this.#generateDataKey, encrypt: this.#encrypt, decrypt: this.#decrypt };
  }

  /** The client the keyring's `clientProvider` returns (any region: the caller's client decides). */
  readonly client: KeyringKmsClient = {
    generateDataKey: (input) => {
      this.#generateDataKey++;
      return this.#send('GenerateDataKey', (kms) => kms.send(new (kmsSdk().GenerateDataKeyCommand)(input)));
    },
    encrypt: (input) => {
      this.#encrypt++;
      return this.#send('Encrypt', (kms) => kms.send(new (kmsSdk().EncryptCommand)(input)));
    },
    decrypt: (input) => {
      this.#decrypt++;
      return this.#send('Decrypt', (kms) => kms.send(new (kmsSdk().DecryptCommand)(input)));
    },
  };

  async #send<T>(api: string, request: (kms: KMSClient) => Promise<T>): Promise<T> {
    try {
      return await request(this.#kms());
    } catch (error) {
      const name = (error as { name?: unknown } | null)?.name;
      const mapped =
        api === 'Decrypt' && typeof name === 'string' && UNDECODABLE.has(name)
          ? new SecretDecodeError(
              `KMS Decrypt refused the envelope's wrapped data key (${name}): it was altered or wrapped under another key.`,
              {
                cause: toKeystageError(error, { operation: `KMS ${api}` }),
              },
            )
          : toKeystageError(error, { operation: `KMS ${api}` });
      const scope = this.#scope.getStore();
      if (scope !== undefined) scope.failure ??= mapped;
      throw mapped;
    }
  }
}
