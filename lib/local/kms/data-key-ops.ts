import { randomBytes } from 'node:crypto';
import { publicKeyDer } from './asymmetric';
import {
  encryptionContext,
  finish,
  integer,
  refuseRecipient,
  requiredText,
  text,
  type KmsContext,
  type Run,
} from './context';
import { encryptUnder, encryptingKey } from './encryption';
import { customKeyStoreNotFound, unsupported, validation } from './faults';
import { generateMaterial, isSupportedSpec } from './key-spec';
import type { Body } from '../wire';

/** The length of a data key: KeySpec or NumberOfBytes, exactly one of them. */
function dataKeyLength(body: Body): number {
  const spec = text(body, 'KeySpec');
  const count = integer(body, 'NumberOfBytes');
  if (spec !== undefined && count !== undefined) {
    throw validation('Specify KeySpec or NumberOfBytes, not both.');
  }
  if (spec === undefined && count === undefined) {
    throw validation(
      'Specify the length of the data key: KeySpec (AES_256 or AES_128) or NumberOfBytes (1-1024).',
    );
  }
  return spec === 'AES_128' ? 16 : spec === 'AES_256' ? 32 : count!;
}

function dataKey(ctx: KmsContext, body: Body, operation: string, withPlaintext: boolean): object {
  const key = encryptingKey(ctx, requiredText(body, 'KeyId'), 'SYMMETRIC_DEFAULT', operation);
  const plaintext = randomBytes(dataKeyLength(body));
  const blob = encryptUnder(
    key,
    'SYMMETRIC_DEFAULT',
    plaintext,
    encryptionContext(body, 'EncryptionContext'),
  );
  return finish(body, {
    CiphertextBlob: blob.toString('base64'),
    ...(withPlaintext ? { Plaintext: plaintext.toString('base64') } : {}),
    KeyId: key.arn,
  });
}

function dataKeyPair(ctx: KmsContext, body: Body, operation: string, withPlaintext: boolean): object {
  const key = encryptingKey(ctx, requiredText(body, 'KeyId'), 'SYMMETRIC_DEFAULT', operation);
  const pairSpec = requiredText(body, 'KeyPairSpec');
  if (!isSupportedSpec(pairSpec)) {
    throw unsupported(
      `KeyPairSpec ${pairSpec} is available only in China Regions: choose an RSA or ECC spec.`,
    );
  }
  const material = generateMaterial(pairSpec);
  // The private key as PKCS#8 PrivateKeyInfo DER, encrypted like any data key.
  const privateKey = Buffer.from(material, 'base64');
  const blob = encryptUnder(
    key,
    'SYMMETRIC_DEFAULT',
    privateKey,
    encryptionContext(body, 'EncryptionContext'),
  );
  return finish(body, {
    PrivateKeyCiphertextBlob: blob.toString('base64'),
    ...(withPlaintext ? { PrivateKeyPlaintext: privateKey.toString('base64') } : {}),
    PublicKey: publicKeyDer(material).toString('base64'),
    KeyId: key.arn,
    KeyPairSpec: pairSpec,
  });
}

/** Data keys, data key pairs and random bytes for use outside KMS. */
export const DATA_KEY_OPERATIONS = {
  GenerateDataKey: (ctx, body) => {
    refuseRecipient(body);
    return dataKey(ctx, body, 'GenerateDataKey', true);
  },
  GenerateDataKeyWithoutPlaintext: (ctx, body) =>
    dataKey(ctx, body, 'GenerateDataKeyWithoutPlaintext', false),
  GenerateDataKeyPair: (ctx, body) => {
    refuseRecipient(body);
    return dataKeyPair(ctx, body, 'GenerateDataKeyPair', true);
  },
  GenerateDataKeyPairWithoutPlaintext: (ctx, body) =>
    dataKeyPair(ctx, body, 'GenerateDataKeyPairWithoutPlaintext', false),
  GenerateRandom: (_ctx, body) => {
    refuseRecipient(body);
    if (text(body, 'CustomKeyStoreId') !== undefined) {
      throw customKeyStoreNotFound('The local endpoint has no custom key stores: omit CustomKeyStoreId.');
    }
    return { Plaintext: randomBytes(integer(body, 'NumberOfBytes') ?? 32).toString('base64') };
  },
} satisfies Record<string, Run>;
