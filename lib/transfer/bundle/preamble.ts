import { BundleAuthenticationError } from './bundle-error';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  CHECK_BYTES,
  MAX_PREAMBLE_BYTES,
  SALT_BYTES,
  SCRYPT_LIMITS,
  preambleLine,
  type Preamble,
} from './format';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function notABundle(detail: string): BundleAuthenticationError {
  return new BundleAuthenticationError(
    'not-a-bundle',
    `This is not a keystage bundle: ${detail}. Export and backup files start with a keystage-bundle line.`,
  );
}

function altered(detail: string): BundleAuthenticationError {
  return new BundleAuthenticationError('altered', `The bundle's preamble was altered: ${detail}.`);
}

function base64urlOf(value: unknown, bytes: number, field: string): string {
  if (
    typeof value !== 'string' ||
    !BASE64URL.test(value) ||
    Buffer.from(value, 'base64url').length !== bytes
  ) {
    throw altered(`kdf.${field} is not ${bytes} bytes of base64url`);
  }
  return value;
}

function scryptCost(value: unknown, field: string, low: number, high: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < low || value > high) {
    throw new BundleAuthenticationError(
      'unsupported',
      `The bundle's scrypt ${field} is ${JSON.stringify(value)}; keystage reads ${low === high ? low : `${low} to ${high}`}.`,
    );
  }
  return value;
}

/**
 * The preamble from its line (newline included), checked: the magic and version, then the
 * fields of its protection kind. The line must be exactly what `preambleLine` writes for
 * those fields, so that no extra field or spacing passes unnoticed.
 */
export function parsePreamble(line: Buffer): Preamble {
  if (line.length > MAX_PREAMBLE_BYTES)
    throw notABundle(`its first line is over ${MAX_PREAMBLE_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.toString('utf8'));
  } catch {
    throw notABundle('its first line is not JSON');
  }
  const fields = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (fields.format !== BUNDLE_FORMAT) throw notABundle('its first line names no keystage-bundle format');
  if (fields.version !== BUNDLE_FORMAT_VERSION) {
    throw new BundleAuthenticationError(
      'unsupported',
      `The bundle is format version ${JSON.stringify(fields.version)}; this keystage reads version ` +
        `${BUNDLE_FORMAT_VERSION}. Open it with a keystage release that writes that version.`,
    );
  }
  let preamble: Preamble;
  if (fields.protection === 'kms') {
    if (typeof fields.keyId !== 'string') throw altered('keyId is missing');
    preamble = {
      format: BUNDLE_FORMAT,
      version: BUNDLE_FORMAT_VERSION,
      protection: 'kms',
      keyId: fields.keyId,
    };
  } else if (fields.protection === 'passphrase') {
    const kdf = (typeof fields.kdf === 'object' && fields.kdf !== null ? fields.kdf : {}) as Record<
      string,
      unknown
    >;
    if (kdf.name !== 'scrypt') {
      throw new BundleAuthenticationError(
        'unsupported',
        `The bundle's key derivation is ${JSON.stringify(kdf.name)}; keystage reads scrypt.`,
      );
    }
    const n = scryptCost(kdf.n, 'N', SCRYPT_LIMITS.minN, SCRYPT_LIMITS.maxN);
    if ((n & (n - 1)) !== 0) {
      throw new BundleAuthenticationError(
        'unsupported',
        `The bundle's scrypt N (${n}) is not a power of two.`,
      );
    }
    preamble = {
      format: BUNDLE_FORMAT,
      version: BUNDLE_FORMAT_VERSION,
      protection: 'passphrase',
      kdf: {
        name: 'scrypt',
        n,
        r: scryptCost(kdf.r, 'r', SCRYPT_LIMITS.r, SCRYPT_LIMITS.r),
        p: scryptCost(kdf.p, 'p', 1, SCRYPT_LIMITS.maxP),
        salt: base64urlOf(kdf.salt, SALT_BYTES, 'salt'),
        check: base64urlOf(kdf.check, CHECK_BYTES, 'check'),
      },
    };
  } else {
    throw notABundle(`its protection ${JSON.stringify(fields.protection)} is neither kms nor passphrase`);
  }
  if (!preambleLine(preamble).equals(line)) throw altered('it is not in the form keystage writes');
  return preamble;
}
