import type { KMSClient } from '@aws-sdk/client-kms';
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { toKeystageError, validateKmsKeyId } from '../core';
import { kmsSdk } from '../core/kms-sdk';
import { ConfigurationError, SecretDecodeError, ValidationError, show } from '../errors';
import { envelopeParts, type SealedEnvelope } from './envelope';

/** KMS signs envelopes with ECDSA over P-256 and SHA-256; nothing else is accepted. */
const KEY_SPEC = 'ECC_NIST_P256';
const KEY_USAGE = 'SIGN_VERIFY';
const SIGNING_ALGORITHM = 'ECDSA_SHA_256';

/** A KMS asymmetric signing key: ECC_NIST_P256, SIGN_VERIFY. */
export interface SigningKeyOptions {
  /** The key's id, ARN, alias name or alias ARN. */
  readonly keyId: string;
  /** The KMS client that reaches it. */
  readonly kms: KMSClient;
}

/** The key's ARN and public key, read once with GetPublicKey and checked. */
interface PublicKeyInfo {
  readonly arn: string;
  readonly key: KeyObject;
}

async function fetchPublicKey(options: SigningKeyOptions): Promise<PublicKeyInfo> {
  const { GetPublicKeyCommand } = kmsSdk();
  let answer;
  try {
    answer = await options.kms.send(new GetPublicKeyCommand({ KeyId: options.keyId }));
  } catch (error) {
    throw toKeystageError(error, { operation: 'GetPublicKey', secretId: options.keyId });
  }
  if (answer.KeySpec !== KEY_SPEC || answer.KeyUsage !== KEY_USAGE || answer.PublicKey === undefined) {
    throw new ConfigurationError(
      'keyId',
      `KMS key ${JSON.stringify(options.keyId)} is ${answer.KeySpec ?? 'unknown'} for ${answer.KeyUsage ?? 'unknown'}: ` +
        `envelopes are signed with a ${KEY_SPEC} key for ${KEY_USAGE} (CreateKey KeySpec ${KEY_SPEC}, KeyUsage ${KEY_USAGE}).`,
    );
  }
  return {
    arn: answer.KeyId ?? options.keyId,
    key: createPublicKey({ key: Buffer.from(answer.PublicKey), format: 'der', type: 'spki' }),
  };
}

/** GetPublicKey once per key, shared by concurrent callers; a failure is not kept. */
class PublicKeyCache {
  #pending: Promise<PublicKeyInfo> | undefined;
  constructor(private readonly options: SigningKeyOptions) {}

  get(): Promise<PublicKeyInfo> {
    this.#pending ??= fetchPublicKey(this.options).catch((error: unknown) => {
      this.#pending = undefined;
      throw error;
    });
    return this.#pending;
  }
}

function checkSigningKey(options: SigningKeyOptions, field: string): SigningKeyOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError(field, `${field} must be { keyId, kms }, got ${show(options)}.`);
  }
  validateKmsKeyId(options.keyId, `${field}.keyId`);
  if (typeof (options.kms as { send?: unknown } | undefined)?.send !== 'function') {
    throw new ValidationError(`${field}.kms`, `${field}.kms must be a KMSClient.`);
  }
  return options;
}

/**
 * Signs envelopes with a KMS key: one `Sign` per envelope (ECDSA_SHA_256 over the SHA-256
 * digest of the envelope's canonical bytes, MessageType DIGEST, so envelopes may exceed
 * KMS's 4 KB RAW limit), and one `GetPublicKey` per signer to check the key and learn its ARN.
 * @example
 * const signer = new EnvelopeSigner({ keyId: 'alias/keystage-distribution', kms });
 */
export class EnvelopeSigner {
  readonly #options: SigningKeyOptions;
  readonly #publicKey: PublicKeyCache;

  constructor(options: SigningKeyOptions) {
    this.#options = checkSigningKey(options, 'signingKey');
    this.#publicKey = new PublicKeyCache(this.#options);
  }

  /** The key's ARN, which envelopes name. */
  async keyArn(): Promise<string> {
    return (await this.#publicKey.get()).arn;
  }

  /** A DER ECDSA signature of `body`. */
  async sign(body: Uint8Array): Promise<Buffer> {
    const { arn } = await this.#publicKey.get();
    const { SignCommand } = kmsSdk();
    const digest = createHash('sha256').update(body).digest();
    try {
      const answer = await this.#options.kms.send(
        new SignCommand({
          KeyId: arn,
          Message: digest,
          MessageType: 'DIGEST',
          SigningAlgorithm: SIGNING_ALGORITHM,
        }),
      );
      return Buffer.from(answer.Signature!);
    } catch (error) {
      throw toKeystageError(error, { operation: 'Sign', secretId: arn });
    }
  }
}

/**
 * Checks envelope signatures locally with node:crypto, against the public key of the KMS key
 * the recipient trusts: one `GetPublicKey` for the verifier's life, no KMS call per envelope.
 * An envelope signed by another key, or changed in any byte, fails with DECODE_ERROR.
 * @example
 * const verifier = new EnvelopeVerifier({ keyId: 'arn:aws:kms:eu-west-1:111122223333:key/…', kms });
 */
export class EnvelopeVerifier {
  readonly #publicKey: PublicKeyCache;

  constructor(options: SigningKeyOptions) {
    this.#publicKey = new PublicKeyCache(checkSigningKey(options, 'verifier'));
  }

  /**
   * Resolves when `envelope` was signed, exactly as it is, by this verifier's key.
   * @throws SecretDecodeError otherwise.
   */
  async verify(envelope: SealedEnvelope): Promise<void> {
    const { arn, key } = await this.#publicKey.get();
    const { body, signature } = envelopeParts(envelope);
    let valid: boolean;
    try {
      valid = envelope.signingKeyId === arn && verify('sha256', body, key, signature);
    } catch {
      valid = false;
    }
    if (!valid) {
      throw new SecretDecodeError(
        `Envelope ${JSON.stringify(envelope.id)} does not carry a valid signature of the trusted key: it was changed, or another key signed it.`,
      );
    }
  }
}
