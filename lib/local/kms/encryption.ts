import { oaepCapacity, rsaDecrypt, rsaEncrypt } from './asymmetric';
import { open, readHeader, seal } from './ciphertext';
import { CRYPTO_KEY_ID, keyOf, type KmsContext } from './context';
import { incorrectKey, invalidCiphertext, invalidKeyUsage, notFound, validation } from './faults';
import { algorithmsOf, specInfo, type EncryptionAlgorithm, type KeyUsageName } from './key-spec';
import { requireUsable, type KeyRecord } from './keys';

type Context = Readonly<Record<string, string>>;

/** Refuses a key whose KeyUsage is not the one the operation needs. */
export function requireUsage(key: KeyRecord, usage: KeyUsageName, operation: string): KeyRecord {
  if (key.usage !== usage) {
    throw invalidKeyUsage(
      `${key.arn} has KeyUsage ${key.usage}; ${operation} needs a key with KeyUsage ${usage}.`,
    );
  }
  return key;
}

function requireAlgorithm(key: KeyRecord, algorithm: EncryptionAlgorithm): void {
  const supported = algorithmsOf(key.spec, key.usage).encryption ?? [];
  if (!supported.includes(algorithm)) {
    throw invalidKeyUsage(
      `${key.arn} (KeySpec ${key.spec}) does not support EncryptionAlgorithm ${algorithm}: use ${supported.join(' or ')}.`,
    );
  }
}

function noContextFor(key: KeyRecord, context: Context): void {
  if (Object.keys(context).length > 0) {
    throw validation(
      `An encryption context is valid only with symmetric encryption keys, and ${key.arn} is ${key.spec}: omit it.`,
    );
  }
}

/** The key an encrypting operation names: usable, for ENCRYPT_DECRYPT, and able to do `algorithm`. */
export function encryptingKey(
  ctx: KmsContext,
  keyId: string,
  algorithm: EncryptionAlgorithm,
  operation: string,
): KeyRecord {
  const key = requireUsage(requireUsable(keyOf(ctx, keyId, CRYPTO_KEY_ID)), 'ENCRYPT_DECRYPT', operation);
  requireAlgorithm(key, algorithm);
  return key;
}

/** Encrypts under the key's current material (symmetric) or its public key (RSAES-OAEP). */
export function encryptUnder(
  key: KeyRecord,
  algorithm: EncryptionAlgorithm,
  plaintext: Buffer,
  context: Context,
): Buffer {
  const current = key.materials.length - 1;
  const material = key.materials[current]!.secret;
  if (algorithm === 'SYMMETRIC_DEFAULT') {
    return seal(key.id, current, Buffer.from(material, 'base64'), plaintext, context);
  }
  noContextFor(key, context);
  const info = specInfo(key.spec);
  const capacity = info.kind === 'rsa' ? oaepCapacity(info.bits, algorithm) : 0;
  if (plaintext.length > capacity) {
    throw validation(
      `${algorithm} under ${key.spec} encrypts at most ${capacity} bytes and the plaintext has ${plaintext.length}: encrypt a data key with it instead.`,
    );
  }
  return rsaEncrypt(material, algorithm, plaintext);
}

/** What Decrypt (and ReEncrypt's source side) needs to know. */
export interface DecryptRequest {
  /** The KeyId of the request, if it named one. */
  readonly keyId: string | undefined;
  readonly algorithm: EncryptionAlgorithm;
  readonly context: Context;
}

/**
 * Decrypts a ciphertext blob. Symmetric blobs name their key; asymmetric ciphertexts need
 * the key and algorithm in the request. Anything that does not authenticate is an
 * InvalidCiphertextException; a blob of a key deleted in this Region is a NotFoundException.
 */
export function decryptBlob(
  ctx: KmsContext,
  blob: Buffer,
  request: DecryptRequest,
): { key: KeyRecord; plaintext: Buffer } {
  const named = request.keyId === undefined ? undefined : keyOf(ctx, request.keyId, CRYPTO_KEY_ID);
  if (request.algorithm !== 'SYMMETRIC_DEFAULT') {
    if (named === undefined) {
      throw validation(
        `KeyId is required with EncryptionAlgorithm ${request.algorithm}: name the key that encrypted the data.`,
      );
    }
    requireAlgorithm(requireUsage(requireUsable(named), 'ENCRYPT_DECRYPT', 'Decrypt'), request.algorithm);
    noContextFor(named, request.context);
    const plaintext = rsaDecrypt(named.materials[0]!.secret, request.algorithm, blob);
    if (plaintext === undefined) throw invalidCiphertext();
    return { key: named, plaintext };
  }
  if (named !== undefined && (named.spec !== 'SYMMETRIC_DEFAULT' || named.usage !== 'ENCRYPT_DECRYPT')) {
    requireUsage(named, 'ENCRYPT_DECRYPT', 'Decrypt');
    requireAlgorithm(named, request.algorithm);
  }
  const header = readHeader(blob);
  if (header === undefined) throw invalidCiphertext();
  const key = ctx.keys.get(ctx.tx, header.keyId, ctx.now());
  if (key === undefined || key.region !== ctx.region) {
    if (ctx.keys.wasDeleted(ctx.tx, header.keyId, ctx.region)) {
      throw notFound(
        `Key '${ctx.keys.keyArn(ctx.region, header.keyId)}' does not exist: it was deleted, and what it encrypted cannot be decrypted.`,
      );
    }
    throw invalidCiphertext();
  }
  if (named !== undefined && named.id !== key.id) {
    throw incorrectKey(
      `The ciphertext was not encrypted under ${named.arn}: pass the ID of the key that encrypted it, or omit KeyId.`,
    );
  }
  requireUsable(key);
  const material = key.spec === 'SYMMETRIC_DEFAULT' ? key.materials[header.version] : undefined;
  const plaintext =
    material === undefined
      ? undefined
      : open(blob, header, Buffer.from(material.secret, 'base64'), request.context);
  if (plaintext === undefined) throw invalidCiphertext();
  return { key, plaintext };
}
