import {
  constants,
  createECDH,
  createHash,
  createPublicKey,
  privateEncrypt,
  publicDecrypt,
  randomBytes,
  sign as nodeSign,
  timingSafeEqual,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { privateKeyOf } from './asymmetric';
import type { SigningAlgorithm, SpecInfo } from './key-spec';

/**
 * Signatures as KMS makes them: RSASSA-PKCS1-v1_5, RSASSA-PSS (salt as long as the hash) and
 * ECDSA (DER), over a message (RAW, hashed here) or a digest the caller computed (DIGEST).
 * node:crypto always hashes what it signs, so the DIGEST forms are built on its raw RSA and
 * EC point operations; they produce and accept the same signatures as the RAW forms.
 */
export type MessageType = 'RAW' | 'DIGEST';

type Hash = 'sha256' | 'sha384' | 'sha512';

const HASH_BYTES: Record<Hash, number> = { sha256: 32, sha384: 48, sha512: 64 };

/** The hash an algorithm signs with: its name ends in SHA_256, SHA_384 or SHA_512. */
export function hashOf(algorithm: SigningAlgorithm): Hash {
  return algorithm.endsWith('384') ? 'sha384' : algorithm.endsWith('512') ? 'sha512' : 'sha256';
}

/** The length a DIGEST message must have for an algorithm. */
export function digestLength(algorithm: SigningAlgorithm): number {
  return HASH_BYTES[hashOf(algorithm)];
}

const hash = (name: Hash, ...parts: Buffer[]): Buffer => {
  const h = createHash(name);
  for (const part of parts) h.update(part);
  return h.digest();
};

/** DER DigestInfo prefixes of PKCS #1 v1.5 (RFC 8017 section 9.2, note 1). */
const DIGEST_INFO: Record<Hash, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

/** Orders of the curves' base points (SEC 2, FIPS 186-4). */
const ORDER: Record<string, bigint> = {
  prime256v1: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  secp384r1:
    0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  secp521r1:
    0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  secp256k1: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
};

function rsaPadding(algorithm: SigningAlgorithm, hashName: Hash): object {
  return algorithm.startsWith('RSASSA_PSS')
    ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[hashName] }
    : { padding: constants.RSA_PKCS1_PADDING };
}

/** Signs a message or digest with an asymmetric key's private key. */
export function sign(
  material: string,
  info: SpecInfo,
  algorithm: SigningAlgorithm,
  message: Buffer,
  type: MessageType,
): Buffer {
  const key = privateKeyOf(material);
  const hashName = hashOf(algorithm);
  if (type === 'RAW') return nodeSign(hashName, message, { key, ...rsaPadding(algorithm, hashName) });
  if (info.kind === 'ecc') return ecdsaSignDigest(key, info.curve, message);
  if (algorithm.startsWith('RSASSA_PSS')) {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, pssEncode(message, bits, hashName));
  }
  return privateEncrypt(
    { key, padding: constants.RSA_PKCS1_PADDING },
    Buffer.concat([DIGEST_INFO[hashName], message]),
  );
}

/** Whether a signature verifies; malformed signatures simply do not. */
export function verify(
  material: string,
  info: SpecInfo,
  algorithm: SigningAlgorithm,
  message: Buffer,
  type: MessageType,
  signature: Buffer,
): boolean {
  const key = privateKeyOf(material);
  const hashName = hashOf(algorithm);
  try {
    if (type === 'RAW') {
      return nodeVerify(
        hashName,
        message,
        { key: createPublicKey(key), ...rsaPadding(algorithm, hashName) },
        signature,
      );
    }
    if (info.kind === 'ecc') return ecdsaVerifyDigest(key, info.curve, message, signature);
    const recovered = publicDecrypt(
      {
        key: createPublicKey(key),
        padding: algorithm.startsWith('RSASSA_PSS') ? constants.RSA_NO_PADDING : constants.RSA_PKCS1_PADDING,
      },
      signature,
    );
    if (algorithm.startsWith('RSASSA_PSS')) {
      return pssVerify(message, recovered, key.asymmetricKeyDetails?.modulusLength ?? 0, hashName);
    }
    return same(recovered, Buffer.concat([DIGEST_INFO[hashName], message]));
  } catch {
    return false;
  }
}

const same = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** MGF1 (RFC 8017 B.2.1). */
function mgf1(seed: Buffer, length: number, hashName: Hash): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * HASH_BYTES[hashName] < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(hash(hashName, seed, c));
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** EMSA-PSS-ENCODE (RFC 8017 9.1.1), salt as long as the hash, padded to the modulus length. */
function pssEncode(mHash: Buffer, modBits: number, hashName: Hash): Buffer {
  const hLen = HASH_BYTES[hashName];
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hLen);
  const h = hash(hashName, Buffer.alloc(8), mHash, salt);
  const db = Buffer.concat([Buffer.alloc(emLen - 2 * hLen - 2), Buffer.from([1]), salt]);
  const mask = mgf1(h, emLen - hLen - 1, hashName);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  const em = Buffer.concat([db, h, Buffer.from([0xbc])]);
  return Buffer.concat([Buffer.alloc(Math.ceil(modBits / 8) - emLen), em]);
}

/** EMSA-PSS-VERIFY (RFC 8017 9.1.2) on the recovered, modulus-length block. */
function pssVerify(mHash: Buffer, block: Buffer, modBits: number, hashName: Hash): boolean {
  const hLen = HASH_BYTES[hashName];
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const lead = block.length - emLen;
  if (lead < 0 || block.subarray(0, lead).some((byte) => byte !== 0)) return false;
  const em = block.subarray(lead);
  const topBits = 0xff >> (8 * emLen - emBits);
  if (em[emLen - 1] !== 0xbc || (em[0]! & ~topBits) !== 0) return false;
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const db = Buffer.from(em.subarray(0, emLen - hLen - 1));
  const mask = mgf1(h, db.length, hashName);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= topBits;
  const padEnd = emLen - 2 * hLen - 2;
  if (db.subarray(0, padEnd).some((byte) => byte !== 0) || db[padEnd] !== 1) return false;
  return same(h, hash(hashName, Buffer.alloc(8), mHash, db.subarray(padEnd + 1)));
}

const toBig = (bytes: Buffer): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`));

function toBytes(value: bigint, length: number): Buffer {
  return Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex');
}

const mod = (a: bigint, n: bigint): bigint => ((a % n) + n) % n;

function modPow(base: bigint, exponent: bigint, n: bigint): bigint {
  let result = 1n;
  let b = mod(base, n);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % n;
    b = (b * b) % n;
  }
  return result;
}

/** The x coordinate of scalar·G, by node's EC arithmetic (an ECDH public key is d·G). */
function baseMultipleX(curve: string, scalar: bigint, scalarBytes: number): bigint {
  const ecdh = createECDH(curve);
  ecdh.setPrivateKey(toBytes(scalar, scalarBytes));
  const point = ecdh.getPublicKey();
  return toBig(point.subarray(1, 1 + (point.length - 1) / 2));
}

function ecdsaParams(key: KeyObject, curve: string, digest: Buffer) {
  const n = ORDER[curve]!;
  const nBits = n.toString(2).length;
  const excess = digest.length * 8 - nBits;
  const z = excess > 0 ? toBig(digest) >> BigInt(excess) : toBig(digest);
  const d = toBig(Buffer.from(key.export({ format: 'jwk' }).d ?? '', 'base64url'));
  return { n, nBytes: Math.ceil(nBits / 8), z, d };
}

/** ECDSA over a digest (SEC 1 4.1.3), with the private scalar d: r = (k·G).x, s = k⁻¹(z + r·d). */
function ecdsaSignDigest(key: KeyObject, curve: string, digest: Buffer): Buffer {
  const { n, nBytes, z, d } = ecdsaParams(key, curve, digest);
  const excessBits = BigInt(nBytes * 8 - n.toString(2).length);
  for (;;) {
    // Rejection sampling: a nonce biased even slightly (by reducing mod n) can leak d.
    const k = toBig(randomBytes(nBytes)) >> excessBits;
    if (k === 0n || k >= n) continue;
    const r = baseMultipleX(curve, k, nBytes) % n;
    const s = mod(modPow(k, n - 2n, n) * (z + r * d), n);
    if (r !== 0n && s !== 0n) return derSignature(r, s);
  }
}

/**
 * Verifies with the private scalar, as only the key's holder can: u1·G + u2·Q is
 * (u1 + u2·d)·G, one base-point multiplication.
 */
function ecdsaVerifyDigest(key: KeyObject, curve: string, digest: Buffer, signature: Buffer): boolean {
  const { n, nBytes, z, d } = ecdsaParams(key, curve, digest);
  const parsed = readDerSignature(signature);
  if (parsed === undefined) return false;
  const { r, s } = parsed;
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
  const w = modPow(s, n - 2n, n);
  const scalar = mod(z * w + r * w * d, n);
  return scalar !== 0n && baseMultipleX(curve, scalar, nBytes) % n === r;
}

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

function derSignature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  const length = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), length, body]);
}

/** Strict DER: SEQUENCE of two minimal positive INTEGERs, nothing after. */
function readDerSignature(der: Buffer): { r: bigint; s: bigint } | undefined {
  if (der[0] !== 0x30 || der.length < 8) return undefined;
  let at = 2;
  let length = der[1]!;
  if (length === 0x81) {
    length = der[2]!;
    at = 3;
    if (length < 0x80) return undefined;
  } else if (length >= 0x80) return undefined;
  if (at + length !== der.length) return undefined;
  const values: bigint[] = [];
  for (let i = 0; i < 2; i++) {
    if (der[at] !== 0x02) return undefined;
    const size = der[at + 1]!;
    const bytes = der.subarray(at + 2, at + 2 + size);
    if (size === 0 || bytes.length !== size || bytes[0]! & 0x80) return undefined;
    if (size > 1 && bytes[0] === 0 && !(bytes[1]! & 0x80)) return undefined;
    values.push(toBig(bytes));
    at += 2 + size;
  }
  return at === der.length ? { r: values[0]!, s: values[1]! } : undefined;
}
