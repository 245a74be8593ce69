import { createPrivateKey, webcrypto, type KeyObject } from 'node:crypto';
import { ValidationError } from '../errors';
import type { CertificateKeyAlgorithm } from './certificate-options';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** A WebCrypto algorithm for generating or importing a key, and the one it signs with. */
interface KeyAlgorithm {
  readonly generate: webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams;
  readonly import: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;
  readonly sign: webcrypto.EcdsaParams | webcrypto.Algorithm;
}

const ECDSA_P256: KeyAlgorithm = {
  generate: { name: 'ECDSA', namedCurve: 'P-256' },
  import: { name: 'ECDSA', namedCurve: 'P-256' },
  sign: { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams,
};
const ECDSA_P384: KeyAlgorithm = {
  generate: { name: 'ECDSA', namedCurve: 'P-384' },
  import: { name: 'ECDSA', namedCurve: 'P-384' },
  sign: { name: 'ECDSA', hash: 'SHA-384' } as webcrypto.EcdsaParams,
};
const rsa = (modulusLength: number): KeyAlgorithm => ({
  generate: {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  },
  import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  sign: { name: 'RSASSA-PKCS1-v1_5' },
});

const GENERATED: Record<CertificateKeyAlgorithm, KeyAlgorithm> = {
  'ecdsa-p256': ECDSA_P256,
  'ecdsa-p384': ECDSA_P384,
  'rsa-2048': rsa(2048),
  'rsa-3072': rsa(3072),
};

/**
 * A new key pair (extractable, so its private half can be exported once as PKCS#8).
 * @example
 * const keys = await generateKeyPair('ecdsa-p256');
 */
export async function generateKeyPair(algorithm: CertificateKeyAlgorithm): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(GENERATED[algorithm].generate, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
}

/**
 * The signature algorithm a key of `algorithm` signs certificates with.
 * @example
 * signingAlgorithmOf('ecdsa-p256'); // { name: 'ECDSA', hash: 'SHA-256' }
 */
export function signingAlgorithmOf(algorithm: CertificateKeyAlgorithm): webcrypto.Algorithm {
  return GENERATED[algorithm].sign;
}

/**
 * The private key as PKCS#8 PEM.
 * @example
 * const pem = await privateKeyPem(keys.privateKey); // -----BEGIN PRIVATE KEY-----...
 */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

/** A signing key read from PEM, as node:crypto and WebCrypto see it. */
export interface SigningKey {
  readonly keyObject: KeyObject;
  readonly cryptoKey: CryptoKey;
  readonly signingAlgorithm: webcrypto.Algorithm;
}

/**
 * A CA's private key from PEM (PKCS#8, or SEC1 / PKCS#1): ECDSA on P-256 or P-384, or RSA of
 * at least 2048 bits. Failures name `field` and never quote the key.
 * @example
 * const { cryptoKey, signingAlgorithm } = await importSigningKey(ca.privateKey, 'ca.privateKey');
 */
export async function importSigningKey(pem: unknown, field: string): Promise<SigningKey> {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN')) {
    throw new ValidationError(field, `${field} must be a PEM private key (-----BEGIN PRIVATE KEY-----).`);
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(pem);
  } catch {
    // No cause: an OpenSSL decoder error says nothing useful and is kept away from the key.
    throw new ValidationError(
      field,
      `${field} is not a readable PEM private key (unencrypted PKCS#8, SEC1 or PKCS#1).`,
    );
  }
  const details = keyObject.asymmetricKeyDetails ?? {};
  let algorithm: KeyAlgorithm | undefined;
  if (keyObject.asymmetricKeyType === 'ec') {
    algorithm =
      details.namedCurve === 'prime256v1'
        ? ECDSA_P256
        : details.namedCurve === 'secp384r1'
          ? ECDSA_P384
          : undefined;
  } else if (keyObject.asymmetricKeyType === 'rsa' && (details.modulusLength ?? 0) >= 2048) {
    algorithm = rsa(details.modulusLength!);
  }
  if (algorithm === undefined) {
    throw new ValidationError(
      field,
      `${field} must be an ECDSA P-256 or P-384 key or an RSA key of at least 2048 bits; got ${keyObject.asymmetricKeyType ?? 'an unknown'} key${details.namedCurve === undefined ? '' : ` on ${details.namedCurve}`}.`,
    );
  }
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  const cryptoKey = await webcrypto.subtle.importKey('pkcs8', der, algorithm.import, false, ['sign']);
  return { keyObject, cryptoKey, signingAlgorithm: algorithm.sign };
}
