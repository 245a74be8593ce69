import {
  constants,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  publicEncrypt,
  type KeyObject,
} from 'node:crypto';
import type { EncryptionAlgorithm } from './key-spec';

/** The private key of an asymmetric key's material (PKCS#8 DER, base64). */
export function privateKeyOf(material: string): KeyObject {
  return createPrivateKey({ key: Buffer.from(material, 'base64'), format: 'der', type: 'pkcs8' });
}

/** The public key as GetPublicKey returns it: DER-encoded X.509 SubjectPublicKeyInfo. */
export function publicKeyDer(material: string): Buffer {
  return createPublicKey(privateKeyOf(material)).export({ format: 'der', type: 'spki' });
}

const OAEP: Partial<Record<EncryptionAlgorithm, { hash: string; bytes: number }>> = {
  RSAES_OAEP_SHA_1: { hash: 'sha1', bytes: 20 },
  RSAES_OAEP_SHA_256: { hash: 'sha256', bytes: 32 },
};

/**
 * The most plaintext RSAES-OAEP encrypts under a key of `bits` (k - 2 hLen - 2 bytes):
 * 214 and 190 bytes for RSA_2048, 342 and 318 for RSA_3072, 470 and 446 for RSA_4096.
 */
export function oaepCapacity(bits: number, algorithm: EncryptionAlgorithm): number {
  const hash = OAEP[algorithm];
  return hash === undefined ? 0 : bits / 8 - 2 * hash.bytes - 2;
}

/** RSAES-OAEP with the key's public key; the caller checked the plaintext fits. */
export function rsaEncrypt(material: string, algorithm: EncryptionAlgorithm, plaintext: Buffer): Buffer {
  return publicEncrypt(
    {
      key: createPublicKey(privateKeyOf(material)),
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: OAEP[algorithm]?.hash ?? 'sha256',
    },
    plaintext,
  );
}

/** Undefined when the ciphertext does not decrypt under this key and algorithm. */
export function rsaDecrypt(
  material: string,
  algorithm: EncryptionAlgorithm,
  ciphertext: Buffer,
): Buffer | undefined {
  try {
    return privateDecrypt(
      {
        key: privateKeyOf(material),
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: OAEP[algorithm]?.hash ?? 'sha256',
      },
      ciphertext,
    );
  } catch {
    return undefined;
  }
}
