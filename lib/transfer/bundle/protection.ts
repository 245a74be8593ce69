import type { KmsClient } from '../../core';
import { checkEnvelopeOptions } from '../../crypto/envelope';
import { ValidationError } from '../../errors';

/**
 * A bundle encrypted under a KMS key: each bundle gets a data key from KMS, wrapped under
 * `keyId`. Reading it needs kms:Decrypt on that key; writing, kms:GenerateDataKey.
 */
export interface KmsBundleProtection {
  readonly kms: {
    /** The KMS key, as a key ARN (the Encryption SDK decrypts only with the ARN recorded in the message). */
    readonly keyId: string;
    /**
     * The KMS client.
     * @default - the SecretsClient's KMS client in exportSecrets/importSecrets; else a new KMSClient from the standard SDK environment
     */
    readonly kms?: KmsClient;
  };
}

/**
 * A bundle encrypted under a passphrase: scrypt (N = 2^17, r = 8, p = 1) derives the key.
 * At least 12 characters; a long random passphrase (a generated one) is what makes an
 * offline guess hopeless. keystage keeps the derived key with this object while it lives,
 * so writing and then reading a bundle, or the two passes of an import, derive it once.
 */
export interface PassphraseBundleProtection {
  readonly passphrase: string;
}

/** How a bundle is encrypted: under a KMS key, or a passphrase. */
export type BundleProtection = KmsBundleProtection | PassphraseBundleProtection;

/** The shortest passphrase accepted. */
export const MIN_PASSPHRASE_LENGTH = 12;

/** A protection, checked. */
export type CheckedProtection =
  | { readonly kind: 'kms'; readonly keyId: string; readonly kms: KmsClient | undefined }
  | { readonly kind: 'passphrase'; readonly passphrase: string; readonly owner: PassphraseBundleProtection };

/**
 * Checks a protection before any I/O. `field` names it as the caller knows it. The passphrase
 * never appears in a message.
 */
export function checkProtection(value: unknown, field = 'protection'): CheckedProtection {
  if (typeof value !== 'object' || value === null) {
    throw new ValidationError(
      field,
      `${field} must be { kms: { keyId } } (a KMS key ARN) or { passphrase } (at least ${MIN_PASSPHRASE_LENGTH} characters).`,
    );
  }
  const given = value as { kms?: unknown; passphrase?: unknown };
  if (given.kms !== undefined && given.passphrase !== undefined) {
    throw new ValidationError(field, `${field} takes kms or passphrase, not both.`);
  }
  if (given.passphrase !== undefined) {
    const passphrase = given.passphrase;
    if (typeof passphrase !== 'string' || passphrase.normalize('NFC').length < MIN_PASSPHRASE_LENGTH) {
      throw new ValidationError(
        `${field}.passphrase`,
        `${field}.passphrase must be a string of at least ${MIN_PASSPHRASE_LENGTH} characters` +
          (typeof passphrase === 'string' ? ` (it has ${passphrase.length}).` : '.'),
      );
    }
    return { kind: 'passphrase', passphrase, owner: value as PassphraseBundleProtection };
  }
  if (typeof given.kms !== 'object' || given.kms === null) {
    throw new ValidationError(
      field,
      `${field} must be { kms: { keyId } } (a KMS key ARN) or { passphrase } (at least ${MIN_PASSPHRASE_LENGTH} characters).`,
    );
  }
  const kms = given.kms as { keyId?: unknown; kms?: unknown };
  const { keyId } = checkEnvelopeOptions({ keyId: kms.keyId as string }, `${field}.kms.`);
  if (kms.kms !== undefined && typeof (kms.kms as { send?: unknown } | null)?.send !== 'function') {
    throw new ValidationError(`${field}.kms.kms`, `${field}.kms.kms must be a KMS client (with send).`);
  }
  return { kind: 'kms', keyId, kms: kms.kms as KmsClient | undefined };
}

/** The protection with a KMS client filled in where it names none. */
export function withKmsClient(protection: CheckedProtection, kms: () => KmsClient): CheckedProtection {
  return protection.kind === 'kms' && protection.kms === undefined
    ? { ...protection, kms: kms() }
    : protection;
}
