import { publicKeyDer } from './asymmetric';
import {
  bytes,
  CRYPTO_KEY_ID,
  finish,
  keyOf,
  requiredBytes,
  requiredText,
  text,
  type KmsContext,
  type Run,
} from './context';
import { requireUsage } from './encryption';
import { invalidKeyUsage, invalidMac, invalidSignature, unsupported, validation } from './faults';
import { generateMac, verifyMac } from './hmac';
import { algorithmsOf, specInfo, type MacAlgorithm, type SigningAlgorithm } from './key-spec';
import { requireUsable, type KeyRecord } from './keys';
import { digestLength, hashOf, sign, verify, type MessageType } from './signing';
import type { Body } from '../wire';

/** The signing key and inputs of Sign and Verify, checked as KMS checks them. */
function signingInput(ctx: KmsContext, body: Body, operation: string) {
  const key = requireUsage(
    requireUsable(keyOf(ctx, requiredText(body, 'KeyId'), CRYPTO_KEY_ID)),
    'SIGN_VERIFY',
    operation,
  );
  const algorithm = requiredText(body, 'SigningAlgorithm') as SigningAlgorithm;
  const supported = algorithmsOf(key.spec, key.usage).signing ?? [];
  if (!supported.includes(algorithm)) {
    throw invalidKeyUsage(
      `${key.arn} (KeySpec ${key.spec}) does not support SigningAlgorithm ${algorithm}: use ${supported.join(', ')}.`,
    );
  }
  const type = (text(body, 'MessageType') ?? 'RAW') as MessageType;
  const message = requiredBytes(body, 'Message');
  if (type === 'DIGEST' && message.length !== digestLength(algorithm)) {
    throw validation(
      `A DIGEST message for ${algorithm} is the ${digestLength(algorithm)}-byte ${hashOf(algorithm)} digest, and this one has ${message.length} bytes: pass the digest, or use MessageType RAW.`,
    );
  }
  return { key, algorithm, type, message };
}

/** The HMAC key and algorithm of GenerateMac and VerifyMac. */
function macInput(
  ctx: KmsContext,
  body: Body,
  operation: string,
): { key: KeyRecord; algorithm: MacAlgorithm } {
  const key = requireUsage(
    requireUsable(keyOf(ctx, requiredText(body, 'KeyId'), CRYPTO_KEY_ID)),
    'GENERATE_VERIFY_MAC',
    operation,
  );
  const algorithm = requiredText(body, 'MacAlgorithm') as MacAlgorithm;
  const supported = algorithmsOf(key.spec, key.usage).mac ?? [];
  if (!supported.includes(algorithm)) {
    throw invalidKeyUsage(
      `${key.arn} (KeySpec ${key.spec}) computes ${supported.join(', ')}, not ${algorithm}.`,
    );
  }
  return { key, algorithm };
}

const materialOf = (key: KeyRecord): string => key.materials[key.materials.length - 1]!.secret;

/** Signatures with asymmetric keys, their public keys, and HMACs. */
export const SIGNING_OPERATIONS = {
  Sign: (ctx, body) => {
    const { key, algorithm, type, message } = signingInput(ctx, body, 'Sign');
    const signature = sign(materialOf(key), specInfo(key.spec), algorithm, message, type);
    return finish(body, {
      KeyId: key.arn,
      Signature: signature.toString('base64'),
      SigningAlgorithm: algorithm,
    });
  },

  Verify: (ctx, body) => {
    const { key, algorithm, type, message } = signingInput(ctx, body, 'Verify');
    const signature = bytes(body, 'Signature') ?? Buffer.alloc(0);
    if (!verify(materialOf(key), specInfo(key.spec), algorithm, message, type, signature)) {
      throw invalidSignature();
    }
    return finish(body, { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: algorithm });
  },

  GetPublicKey: (ctx, body) => {
    const key = requireUsable(keyOf(ctx, requiredText(body, 'KeyId'), { aliases: true }));
    const kind = specInfo(key.spec).kind;
    if (kind !== 'rsa' && kind !== 'ecc') {
      throw unsupported(
        `${key.arn} has KeySpec ${key.spec}, which has no public key: GetPublicKey is for asymmetric keys.`,
      );
    }
    const algorithms = algorithmsOf(key.spec, key.usage);
    return {
      KeyId: key.arn,
      PublicKey: publicKeyDer(materialOf(key)).toString('base64'),
      CustomerMasterKeySpec: key.spec,
      KeySpec: key.spec,
      KeyUsage: key.usage,
      ...(algorithms.encryption === undefined ? {} : { EncryptionAlgorithms: algorithms.encryption }),
      ...(algorithms.signing === undefined ? {} : { SigningAlgorithms: algorithms.signing }),
    };
  },

  GenerateMac: (ctx, body) => {
    const { key, algorithm } = macInput(ctx, body, 'GenerateMac');
    const mac = generateMac(materialOf(key), algorithm, requiredBytes(body, 'Message'));
    return finish(body, { Mac: mac.toString('base64'), MacAlgorithm: algorithm, KeyId: key.arn });
  },

  VerifyMac: (ctx, body) => {
    const { key, algorithm } = macInput(ctx, body, 'VerifyMac');
    if (!verifyMac(materialOf(key), algorithm, requiredBytes(body, 'Message'), requiredBytes(body, 'Mac'))) {
      throw invalidMac();
    }
    return finish(body, { KeyId: key.arn, MacValid: true, MacAlgorithm: algorithm });
  },
} satisfies Record<string, Run>;
