import type * as EncryptionSdk from '@aws-crypto/client-node';
import type { KMSClient } from '@aws-sdk/client-kms';
import { hkdf, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { DEFAULT_TIMEOUTS, timeoutHandler, type KmsClient } from '../../core';
import { kmsSdk, sdkKmsClient } from '../../core/kms-sdk';
import { encryptionSdk } from '../../crypto/encryption-sdk';
import { CountingKms, type KmsCallScope } from '../../crypto/kms-calls';
import type { KeystageError } from '../../errors';
import { BundleAuthenticationError } from './bundle-error';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  CHECK_BYTES,
  SALT_BYTES,
  SCRYPT_COST,
  type PassphrasePreamble,
  type Preamble,
  type ScryptParameters,
} from './format';
import type { CheckedProtection, PassphraseBundleProtection } from './protection';

// The key material of bundles: scrypt and HKDF for passphrases, the Encryption SDK's
// keyrings. Internal: its declarations name the Encryption SDK, an optional peer, so no
// public declaration may reach this module.

const KEY_NAMESPACE = 'keystage-bundle';
const KEY_NAME = 'passphrase-scrypt';
const WRAPPING_INFO = Buffer.from('keystage-bundle v1 wrapping key', 'utf8');
const CHECK_INFO = Buffer.from('keystage-bundle v1 passphrase check', 'utf8');
/** Derived keys kept per protection object (distinct salts: a few bundles written or read). */
const KEYS_PER_PROTECTION = 8;

type Sdk = typeof EncryptionSdk;
/** What the Encryption SDK's encrypt and decrypt streams take. */
export type BundleKeyring = InstanceType<Sdk['KmsKeyringNode']> | InstanceType<Sdk['RawAesKeyringNode']>;

/**
 * The key material of one bundle: the keyring for the Encryption SDK (a fresh one per
 * stream: the SDK takes ownership of a raw key) and `run`, which runs a stream's work so
 * that a KMS failure surfaces as keystage's mapped error rather than the SDK's generic one.
 */
export interface BundleKey {
  readonly preamble: Preamble;
  keyring(): BundleKeyring;
  run<T>(work: () => Promise<T>): Promise<T>;
  /** The KMS failure seen during `run`, if one was. */
  kmsFailure(): KeystageError | undefined;
}

interface DerivedKeys {
  readonly wrapping: Buffer;
  readonly check: Buffer;
}

const derivedKeys = new WeakMap<PassphraseBundleProtection, Map<string, Promise<DerivedKeys>>>();

function scryptAsync(passphrase: string, salt: Buffer, parameters: { n: number; r: number; p: number }) {
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(
      Buffer.from(passphrase.normalize('NFC'), 'utf8'),
      salt,
      32,
      // maxmem: scrypt needs 128 * N * r bytes; Node's default cap (32 MiB) is below N = 2^17.
      { N: parameters.n, r: parameters.r, p: parameters.p, maxmem: 256 * parameters.n * parameters.r },
      (error, key) => (error === null ? resolve(key) : reject(error)),
    );
  });
}

function hkdfAsync(master: Buffer, salt: Buffer, info: Buffer, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    hkdf('sha256', master, salt, info, length, (error, key) =>
      error === null ? resolve(Buffer.from(key)) : reject(error),
    );
  });
}

async function derive(
  passphrase: string,
  salt: Buffer,
  parameters: { n: number; r: number; p: number },
): Promise<DerivedKeys> {
  const master = await scryptAsync(passphrase, salt, parameters);
  try {
    const [wrapping, check] = await Promise.all([
      hkdfAsync(master, salt, WRAPPING_INFO, 32),
      hkdfAsync(master, salt, CHECK_INFO, CHECK_BYTES),
    ]);
    return { wrapping, check };
  } finally {
    master.fill(0);
  }
}

/** scrypt once per protection object and salt: an import's two passes, a write then a read. */
function derivedFor(
  protection: Extract<CheckedProtection, { kind: 'passphrase' }>,
  kdf: Pick<ScryptParameters, 'n' | 'r' | 'p' | 'salt'>,
): Promise<DerivedKeys> {
  let keys = derivedKeys.get(protection.owner);
  if (keys === undefined) derivedKeys.set(protection.owner, (keys = new Map()));
  const id = `${kdf.n}:${kdf.r}:${kdf.p}:${kdf.salt}`;
  let found = keys.get(id);
  if (found === undefined) {
    if (keys.size >= KEYS_PER_PROTECTION) keys.delete(keys.keys().next().value as string);
    found = derive(protection.passphrase, Buffer.from(kdf.salt, 'base64url'), kdf);
    keys.set(id, found);
    // A failed derivation is not kept: the next attempt derives again.
    found.catch(() => keys.delete(id));
  }
  return found;
}

function rawKeyring(sdk: Sdk, wrapping: Buffer): BundleKeyring {
  return new sdk.RawAesKeyringNode({
    keyNamespace: KEY_NAMESPACE,
    keyName: KEY_NAME,
    // A copy per keyring: the SDK requires an isolated buffer it may wipe.
    unencryptedMasterKey: new Uint8Array(wrapping),
    wrappingSuite: sdk.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
}

function kmsKey(sdk: Sdk, keyId: string, client: KmsClient | undefined, preamble: Preamble): BundleKey {
  let kms: KMSClient | undefined = client === undefined ? undefined : sdkKmsClient(client);
  const counting = new CountingKms(
    () => (kms ??= new (kmsSdk().KMSClient)({ requestHandler: timeoutHandler(DEFAULT_TIMEOUTS) })),
  );
  const scope: KmsCallScope = { failure: undefined };
  return {
    preamble,
    keyring: () =>
      new sdk.KmsKeyringNode({
        generatorKeyId: keyId,
        // The caller's client for every region: it knows its endpoint and credentials.
        clientProvider: () => counting.client,
      }),
    run: (work) => counting.run(scope, work),
    kmsFailure: () => scope.failure,
  };
}

function passphraseKey(sdk: Sdk, keys: DerivedKeys, preamble: Preamble): BundleKey {
  return {
    preamble,
    keyring: () => rawKeyring(sdk, keys.wrapping),
    run: (work) => work(),
    kmsFailure: () => undefined,
  };
}

const NEEDS = 'Export, import and backup bundles';

/** The key for a new bundle: a fresh salt for a passphrase, the key ARN for KMS. */
export async function sealingKey(protection: CheckedProtection): Promise<BundleKey> {
  const sdk = encryptionSdk(NEEDS);
  if (protection.kind === 'kms') {
    const preamble: Preamble = {
      format: BUNDLE_FORMAT,
      version: BUNDLE_FORMAT_VERSION,
      protection: 'kms',
      keyId: protection.keyId,
    };
    return kmsKey(sdk, protection.keyId, protection.kms, preamble);
  }
  const salt = randomBytes(SALT_BYTES).toString('base64url');
  const keys = await derivedFor(protection, { ...SCRYPT_COST, salt });
  const preamble: PassphrasePreamble = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_FORMAT_VERSION,
    protection: 'passphrase',
    kdf: { name: 'scrypt', ...SCRYPT_COST, salt, check: keys.check.toString('base64url') },
  };
  return passphraseKey(sdk, keys, preamble);
}

/**
 * The key for a bundle being read, from its preamble: a protection of the other kind, another
 * KMS key or a wrong passphrase is `wrong-key`, refused before any decryption.
 */
export async function openingKey(protection: CheckedProtection, preamble: Preamble): Promise<BundleKey> {
  if (preamble.protection !== protection.kind) {
    throw new BundleAuthenticationError(
      'wrong-key',
      `The bundle is protected with ${preamble.protection === 'kms' ? 'a KMS key' : 'a passphrase'}: ` +
        `open it with protection ${preamble.protection === 'kms' ? '{ kms: { keyId } }' : '{ passphrase }'}.`,
    );
  }
  const sdk = encryptionSdk(NEEDS);
  if (preamble.protection === 'kms' && protection.kind === 'kms') {
    if (preamble.keyId !== protection.keyId) {
      throw new BundleAuthenticationError(
        'wrong-key',
        `The bundle is encrypted under KMS key ${JSON.stringify(preamble.keyId)}, not ` +
          `${JSON.stringify(protection.keyId)}: open it with protection { kms: { keyId: ${JSON.stringify(preamble.keyId)} } }.`,
      );
    }
    return kmsKey(sdk, protection.keyId, protection.kms, preamble);
  }
  if (preamble.protection !== 'passphrase' || protection.kind !== 'passphrase') {
    throw new BundleAuthenticationError('wrong-key', 'The bundle and the protection given differ in kind.');
  }
  const keys = await derivedFor(protection, preamble.kdf);
  const check = Buffer.from(preamble.kdf.check, 'base64url');
  if (check.length !== keys.check.length || !timingSafeEqual(check, keys.check)) {
    throw new BundleAuthenticationError(
      'wrong-key',
      'The passphrase is not the one this bundle was written with (or its preamble was altered).',
    );
  }
  return passphraseKey(sdk, keys, preamble);
}
