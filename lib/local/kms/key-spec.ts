import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** Every KeySpec the API defines (the model's enum); the endpoint supports all but SM2. */
export const KEY_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'SYMMETRIC_DEFAULT',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'SM2',
] as const;
export type KeySpecName = (typeof KEY_SPECS)[number];

/** Every KeyUsage the API defines; KEY_AGREEMENT is refused (no DeriveSharedSecret). */
export const KEY_USAGES = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const;
export type KeyUsageName = (typeof KEY_USAGES)[number];

/** Every EncryptionAlgorithmSpec; SM2PKE belongs to SM2 keys, which the endpoint does not make. */
export const ENCRYPTION_ALGORITHMS = [
  'SYMMETRIC_DEFAULT',
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'SM2PKE',
] as const;
export type EncryptionAlgorithm = (typeof ENCRYPTION_ALGORITHMS)[number];

/** Every SigningAlgorithmSpec. */
export const SIGNING_ALGORITHMS = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'ECDSA_SHA_512',
  'SM2DSA',
] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** Every MacAlgorithmSpec. */
export const MAC_ALGORITHMS = ['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512'] as const;
export type MacAlgorithm = (typeof MAC_ALGORITHMS)[number];

/** Key pair specs of GenerateDataKeyPair (the model's DataKeyPairSpec). */
export const DATA_KEY_PAIR_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'SM2',
] as const;

const RSA_SIGNING: readonly SigningAlgorithm[] = [
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
];

/** What a key spec is made of and what it can do, as the KMS developer guide lists them. */
export type SpecInfo =
  | { readonly kind: 'symmetric'; readonly usages: readonly KeyUsageName[] }
  | { readonly kind: 'rsa'; readonly bits: number; readonly usages: readonly KeyUsageName[] }
  | {
      readonly kind: 'ecc';
      /** OpenSSL's name, for node:crypto. */
      readonly curve: string;
      readonly signing: SigningAlgorithm;
      readonly usages: readonly KeyUsageName[];
    }
  | {
      readonly kind: 'hmac';
      readonly bytes: number;
      readonly mac: MacAlgorithm;
      readonly usages: readonly KeyUsageName[];
    };

/** The specs the endpoint makes keys of: all but SM2, which exists only in China Regions. */
export type SupportedSpec = Exclude<KeySpecName, 'SM2'>;

export const SPECS: Readonly<Record<SupportedSpec, SpecInfo>> = {
  SYMMETRIC_DEFAULT: { kind: 'symmetric', usages: ['ENCRYPT_DECRYPT'] },
  RSA_2048: { kind: 'rsa', bits: 2048, usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'] },
  RSA_3072: { kind: 'rsa', bits: 3072, usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'] },
  RSA_4096: { kind: 'rsa', bits: 4096, usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'] },
  ECC_NIST_P256: {
    kind: 'ecc',
    curve: 'prime256v1',
    signing: 'ECDSA_SHA_256',
    usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  },
  ECC_NIST_P384: {
    kind: 'ecc',
    curve: 'secp384r1',
    signing: 'ECDSA_SHA_384',
    usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  },
  ECC_NIST_P521: {
    kind: 'ecc',
    curve: 'secp521r1',
    signing: 'ECDSA_SHA_512',
    usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  },
  ECC_SECG_P256K1: { kind: 'ecc', curve: 'secp256k1', signing: 'ECDSA_SHA_256', usages: ['SIGN_VERIFY'] },
  HMAC_224: { kind: 'hmac', bytes: 28, mac: 'HMAC_SHA_224', usages: ['GENERATE_VERIFY_MAC'] },
  HMAC_256: { kind: 'hmac', bytes: 32, mac: 'HMAC_SHA_256', usages: ['GENERATE_VERIFY_MAC'] },
  HMAC_384: { kind: 'hmac', bytes: 48, mac: 'HMAC_SHA_384', usages: ['GENERATE_VERIFY_MAC'] },
  HMAC_512: { kind: 'hmac', bytes: 64, mac: 'HMAC_SHA_512', usages: ['GENERATE_VERIFY_MAC'] },
};

/** Whether the endpoint makes keys (and data key pairs) of this spec. */
export function isSupportedSpec(spec: string): spec is SupportedSpec {
  return Object.hasOwn(SPECS, spec);
}

/** What keys of a supported spec are made of and can do. */
export function specInfo(spec: SupportedSpec): SpecInfo {
  return SPECS[spec];
}

/** The algorithms DescribeKey and GetPublicKey list for a key of this spec and usage. */
export function algorithmsOf(
  spec: SupportedSpec,
  usage: KeyUsageName,
): {
  encryption?: EncryptionAlgorithm[];
  signing?: SigningAlgorithm[];
  mac?: MacAlgorithm[];
} {
  const info = specInfo(spec);
  if (usage === 'ENCRYPT_DECRYPT') {
    return {
      encryption: info.kind === 'rsa' ? ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] : ['SYMMETRIC_DEFAULT'],
    };
  }
  if (usage === 'SIGN_VERIFY') {
    return { signing: info.kind === 'ecc' ? [info.signing] : [...RSA_SIGNING] };
  }
  if (usage === 'GENERATE_VERIFY_MAC' && info.kind === 'hmac') return { mac: [info.mac] };
  return {};
}

/**
 * New key material for a spec, as a JSON-safe string: 32 random bytes (base64) for symmetric
 * keys, the HMAC key's bytes (base64), or the private key as PKCS#8 DER (base64).
 */
export function generateMaterial(spec: SupportedSpec): string {
  const info = specInfo(spec);
  switch (info.kind) {
    case 'symmetric':
      return randomBytes(32).toString('base64');
    case 'hmac':
      return randomBytes(info.bytes).toString('base64');
    case 'rsa':
      return generateKeyPairSync('rsa', { modulusLength: info.bits })
        .privateKey.export({ format: 'der', type: 'pkcs8' })
        .toString('base64');
    case 'ecc':
      return generateKeyPairSync('ec', { namedCurve: info.curve })
        .privateKey.export({ format: 'der', type: 'pkcs8' })
        .toString('base64');
  }
}
