import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MacAlgorithm } from './key-spec';

const HASH: Record<MacAlgorithm, string> = {
  HMAC_SHA_224: 'sha224',
  HMAC_SHA_256: 'sha256',
  HMAC_SHA_384: 'sha384',
  HMAC_SHA_512: 'sha512',
};

/** The HMAC (RFC 2104) of a message under an HMAC key's material (base64). */
export function generateMac(material: string, algorithm: MacAlgorithm, message: Buffer): Buffer {
  return createHmac(HASH[algorithm], Buffer.from(material, 'base64')).update(message).digest();
}

/** Compares in constant time; a MAC of another length simply does not verify. */
export function verifyMac(material: string, algorithm: MacAlgorithm, message: Buffer, mac: Buffer): boolean {
  const expected = generateMac(material, algorithm, message);
  return expected.length === mac.length && timingSafeEqual(expected, mac);
}
