import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  KMSClient,
  SignCommand,
  VerifyCommand,
  VerifyMacCommand,
  type CreateKeyCommandInput,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  publicEncrypt,
  verify,
  type KeyObject,
} from 'node:crypto';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

let local: LocalFixture;
let kms: KMSClient;
let rsaSigning: string;
let rsaEncryption: string;

beforeAll(async () => {
  local = await startLocal();
  kms = local.kms();
  rsaSigning = await newKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
  rsaEncryption = await newKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
});
afterAll(() => local.endpoint.close());

async function newKey(input: CreateKeyCommandInput = {}): Promise<string> {
  return (await kms.send(new CreateKeyCommand(input))).KeyMetadata!.KeyId!;
}

async function publicKey(keyId: string): Promise<KeyObject> {
  const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  return createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
}

const MESSAGE = Buffer.from('the message that was signed');
const hashOf = (algorithm: string) =>
  algorithm.endsWith('384') ? 'sha384' : algorithm.endsWith('512') ? 'sha512' : 'sha256';
const digest = (algorithm: string) => createHash(hashOf(algorithm)).update(MESSAGE).digest();

/** Verifies outside KMS, as a consumer of the public key would. */
function verifiesOutside(key: KeyObject, algorithm: string, signature: Uint8Array): boolean {
  const pss = algorithm.startsWith('RSASSA_PSS');
  return verify(
    hashOf(algorithm),
    MESSAGE,
    pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: digest(algorithm).length } : key,
    signature,
  );
}

describe('asymmetric signing keys', () => {
  it('describe their spec, usage and signing algorithms, and have no encryption algorithms', async () => {
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: rsaSigning }))).KeyMetadata!;
    expect(meta).toMatchObject({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    expect(meta.SigningAlgorithms).toEqual([
      'RSASSA_PKCS1_V1_5_SHA_256',
      'RSASSA_PKCS1_V1_5_SHA_384',
      'RSASSA_PKCS1_V1_5_SHA_512',
      'RSASSA_PSS_SHA_256',
      'RSASSA_PSS_SHA_384',
      'RSASSA_PSS_SHA_512',
    ]);
    expect(meta.EncryptionAlgorithms).toBeUndefined();
  });

  it('export the public key as DER SubjectPublicKeyInfo', async () => {
    const { PublicKey, ...rest } = await kms.send(new GetPublicKeyCommand({ KeyId: rsaSigning }));
    const key = createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(rest).toMatchObject({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
  });

  it.each([
    'RSASSA_PKCS1_V1_5_SHA_256',
    'RSASSA_PKCS1_V1_5_SHA_384',
    'RSASSA_PKCS1_V1_5_SHA_512',
    'RSASSA_PSS_SHA_256',
    'RSASSA_PSS_SHA_384',
    'RSASSA_PSS_SHA_512',
  ] as SigningAlgorithmSpec[])(
    'sign with %s, RAW or DIGEST, verifiably inside and outside KMS',
    async (alg) => {
      const key = await publicKey(rsaSigning);
      const raw = await kms.send(
        new SignCommand({ KeyId: rsaSigning, Message: MESSAGE, SigningAlgorithm: alg }),
      );
      const ofDigest = await kms.send(
        new SignCommand({
          KeyId: rsaSigning,
          Message: digest(alg),
          MessageType: 'DIGEST',
          SigningAlgorithm: alg,
        }),
      );
      for (const signature of [raw.Signature!, ofDigest.Signature!]) {
        expect(verifiesOutside(key, alg, signature)).toBe(true);
        await expect(
          kms.send(
            new VerifyCommand({
              KeyId: rsaSigning,
              Message: MESSAGE,
              Signature: signature,
              SigningAlgorithm: alg,
            }),
          ),
        ).resolves.toMatchObject({ SignatureValid: true, SigningAlgorithm: alg });
        await expect(
          kms.send(
            new VerifyCommand({
              KeyId: rsaSigning,
              Message: digest(alg),
              MessageType: 'DIGEST',
              Signature: signature,
              SigningAlgorithm: alg,
            }),
          ),
        ).resolves.toMatchObject({ SignatureValid: true });
      }
    },
  );

  it.each([
    ['ECC_NIST_P256', 'ECDSA_SHA_256'],
    ['ECC_NIST_P384', 'ECDSA_SHA_384'],
    ['ECC_NIST_P521', 'ECDSA_SHA_512'],
    ['ECC_SECG_P256K1', 'ECDSA_SHA_256'],
  ] as const)('sign with %s keys (%s), RAW or DIGEST, verifiably outside KMS', async (spec, alg) => {
    const keyId = await newKey({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' });
    const key = await publicKey(keyId);
    for (const input of [{ Message: MESSAGE }, { Message: digest(alg), MessageType: 'DIGEST' as const }]) {
      const { Signature } = await kms.send(
        new SignCommand({ KeyId: keyId, SigningAlgorithm: alg, ...input }),
      );
      expect(verifiesOutside(key, alg, Signature!)).toBe(true);
      await expect(
        kms.send(new VerifyCommand({ KeyId: keyId, SigningAlgorithm: alg, Signature, ...input })),
      ).resolves.toMatchObject({ SignatureValid: true });
    }
  });

  it('fail Verify with KMSInvalidSignatureException when the message or signature differs', async () => {
    const alg = 'RSASSA_PSS_SHA_256';
    const { Signature } = await kms.send(
      new SignCommand({ KeyId: rsaSigning, Message: MESSAGE, SigningAlgorithm: alg }),
    );
    const changed = Buffer.from(Signature!);
    changed[10]! ^= 1;
    for (const input of [
      { Message: Buffer.from('another message'), Signature },
      { Message: MESSAGE, Signature: changed },
      { Message: MESSAGE, Signature: Buffer.from('short') },
    ]) {
      await expect(
        kms.send(new VerifyCommand({ KeyId: rsaSigning, SigningAlgorithm: alg, ...input })),
      ).rejects.toMatchObject({ name: 'KMSInvalidSignatureException' });
    }
  });

  it('refuse an algorithm of another key type, and a digest of the wrong length', async () => {
    await expect(
      kms.send(new SignCommand({ KeyId: rsaSigning, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' })),
    ).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
    await expect(
      kms.send(
        new SignCommand({
          KeyId: rsaSigning,
          Message: Buffer.alloc(31),
          MessageType: 'DIGEST',
          SigningAlgorithm: 'RSASSA_PSS_SHA_256',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('refuse to encrypt, and symmetric keys refuse to sign, with InvalidKeyUsageException', async () => {
    await expect(
      kms.send(
        new EncryptCommand({
          KeyId: rsaSigning,
          Plaintext: MESSAGE,
          EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
    const symmetric = await newKey();
    await expect(
      kms.send(
        new SignCommand({ KeyId: symmetric, Message: MESSAGE, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
    await expect(kms.send(new GetPublicKeyCommand({ KeyId: symmetric }))).rejects.toMatchObject({
      name: 'UnsupportedOperationException',
    });
  });

  it('answer DryRunOperationException to a DryRun that would succeed', async () => {
    await expect(
      kms.send(
        new SignCommand({
          KeyId: rsaSigning,
          Message: MESSAGE,
          SigningAlgorithm: 'RSASSA_PSS_SHA_256',
          DryRun: true,
        }),
      ),
    ).rejects.toMatchObject({ name: 'DryRunOperationException' });
  });
});

describe('asymmetric encryption keys', () => {
  it.each(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const)(
    'decrypt %s ciphertexts made by Encrypt or with the public key outside KMS',
    async (alg) => {
      const inside = await kms.send(
        new EncryptCommand({ KeyId: rsaEncryption, Plaintext: MESSAGE, EncryptionAlgorithm: alg }),
      );
      const outside = publicEncrypt(
        {
          key: await publicKey(rsaEncryption),
          padding: constants.RSA_PKCS1_OAEP_PADDING,
          oaepHash: alg === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256',
        },
        MESSAGE,
      );
      for (const blob of [inside.CiphertextBlob!, outside]) {
        const { Plaintext } = await kms.send(
          new DecryptCommand({ CiphertextBlob: blob, KeyId: rsaEncryption, EncryptionAlgorithm: alg }),
        );
        expect(Buffer.from(Plaintext!).equals(MESSAGE)).toBe(true);
      }
    },
  );

  it('encrypt at most k - 2 hLen - 2 bytes (190 for RSA_2048 with SHA-256)', async () => {
    const encrypt = (bytes: number) =>
      kms.send(
        new EncryptCommand({
          KeyId: rsaEncryption,
          Plaintext: Buffer.alloc(bytes, 1),
          EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        }),
      );
    await expect(encrypt(190)).resolves.toMatchObject({ EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    await expect(encrypt(191)).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('refuse SYMMETRIC_DEFAULT and an encryption context', async () => {
    await expect(
      kms.send(new EncryptCommand({ KeyId: rsaEncryption, Plaintext: MESSAGE })),
    ).rejects.toMatchObject({
      name: 'InvalidKeyUsageException',
    });
    await expect(
      kms.send(
        new EncryptCommand({
          KeyId: rsaEncryption,
          Plaintext: MESSAGE,
          EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
          EncryptionContext: { k: 'v' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('need the key and algorithm to decrypt: without them the ciphertext is invalid', async () => {
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({
        KeyId: rsaEncryption,
        Plaintext: MESSAGE,
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      }),
    );
    await expect(kms.send(new DecryptCommand({ CiphertextBlob }))).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
    await expect(
      kms.send(
        new DecryptCommand({ CiphertextBlob, KeyId: rsaEncryption, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
  });

  it('cannot wrap data keys', async () => {
    await expect(
      kms.send(new GenerateDataKeyCommand({ KeyId: rsaEncryption, KeySpec: 'AES_256' })),
    ).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
  });
});

describe('HMAC keys', () => {
  it.each([
    ['HMAC_224', 'HMAC_SHA_224', 28],
    ['HMAC_256', 'HMAC_SHA_256', 32],
    ['HMAC_384', 'HMAC_SHA_384', 48],
    ['HMAC_512', 'HMAC_SHA_512', 64],
  ] as const)('%s keys make %s MACs that verify', async (spec, alg, length) => {
    const keyId = await newKey({ KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' });
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.MacAlgorithms).toEqual([
      alg,
    ]);
    const { Mac } = await kms.send(
      new GenerateMacCommand({ KeyId: keyId, Message: MESSAGE, MacAlgorithm: alg }),
    );
    expect(Mac).toHaveLength(length);
    await expect(
      kms.send(new VerifyMacCommand({ KeyId: keyId, Message: MESSAGE, MacAlgorithm: alg, Mac })),
    ).resolves.toMatchObject({ MacValid: true, MacAlgorithm: alg });
  });

  it('fail VerifyMac with KMSInvalidMacException, and refuse another algorithm', async () => {
    const keyId = await newKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const { Mac } = await kms.send(
      new GenerateMacCommand({ KeyId: keyId, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' }),
    );
    const changed = Buffer.from(Mac!);
    changed[0]! ^= 1;
    for (const input of [
      { Message: MESSAGE, Mac: changed },
      { Message: Buffer.from('other'), Mac },
      { Message: MESSAGE, Mac: Mac!.subarray(0, 16) },
    ]) {
      await expect(
        kms.send(new VerifyMacCommand({ KeyId: keyId, MacAlgorithm: 'HMAC_SHA_256', ...input })),
      ).rejects.toMatchObject({ name: 'KMSInvalidMacException' });
    }
    await expect(
      kms.send(new GenerateMacCommand({ KeyId: keyId, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_512' })),
    ).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
  });
});

describe('data key pairs', () => {
  it('return the private key as PKCS#8 DER in plaintext and encrypted under the KMS key', async () => {
    const wrapping = await newKey();
    const pair = await kms.send(
      new GenerateDataKeyPairCommand({
        KeyId: wrapping,
        KeyPairSpec: 'ECC_NIST_P256',
        EncryptionContext: { k: 'v' },
      }),
    );
    const privateKey = createPrivateKey({
      key: Buffer.from(pair.PrivateKeyPlaintext!),
      format: 'der',
      type: 'pkcs8',
    });
    const publicDer = createPublicKey({
      key: Buffer.from(pair.PublicKey!),
      format: 'der',
      type: 'spki',
    }).export({
      format: 'der',
      type: 'spki',
    });
    expect(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).equals(publicDer)).toBe(true);
    const { Plaintext } = await kms.send(
      new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: { k: 'v' } }),
    );
    expect(Buffer.from(Plaintext!).equals(Buffer.from(pair.PrivateKeyPlaintext!))).toBe(true);
    expect(pair).toMatchObject({ KeyPairSpec: 'ECC_NIST_P256', KeyId: expect.stringContaining(wrapping) });
  });

  it('leave out the plaintext private key when asked without plaintext', async () => {
    const pair = await kms.send(
      new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: await newKey(), KeyPairSpec: 'RSA_2048' }),
    );
    expect(pair).not.toHaveProperty('PrivateKeyPlaintext');
    const publicKeyObject = createPublicKey({
      key: Buffer.from(pair.PublicKey!),
      format: 'der',
      type: 'spki',
    });
    expect(publicKeyObject.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('refuse SM2 outside China Regions, and an asymmetric KMS key to wrap them', async () => {
    await expect(
      kms.send(new GenerateDataKeyPairCommand({ KeyId: await newKey(), KeyPairSpec: 'SM2' })),
    ).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
    await expect(
      kms.send(new GenerateDataKeyPairCommand({ KeyId: rsaEncryption, KeyPairSpec: 'ECC_NIST_P256' })),
    ).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
  });
});
