import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  GetKeyRotationStatusCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  ListAliasesCommand,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

let local: LocalFixture;
let kms: KMSClient;
let n = 0;

beforeAll(async () => {
  local = await startLocal();
  kms = local.kms();
});
afterAll(() => local.endpoint.close());

async function newKey(): Promise<string> {
  return (await kms.send(new CreateKeyCommand({ Description: `key ${++n}` }))).KeyMetadata!.KeyId!;
}

describe('local KMS, through the real SDK', () => {
  it('creates keys, aliases and describes them by id, ARN and alias', async () => {
    const keyId = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: `alias/app-${n}`, TargetKeyId: keyId }));
    for (const id of [keyId, `alias/app-${n}`]) {
      const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: id }));
      expect(KeyMetadata).toMatchObject({ KeyId: keyId, Enabled: true, KeyState: 'Enabled' });
    }
    const { Aliases } = await kms.send(new ListAliasesCommand({ KeyId: keyId }));
    expect(Aliases?.map((a) => a.AliasName)).toEqual([`alias/app-${n}`]);
  });

  it('round-trips Encrypt and Decrypt with the encryption context bound', async () => {
    const keyId = await newKey();
    const context = { app: 'billing', purpose: 'test' };
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('hello'), EncryptionContext: context }),
    );
    const reordered = { purpose: 'test', app: 'billing' };
    const { Plaintext } = await kms.send(
      new DecryptCommand({ CiphertextBlob, EncryptionContext: reordered }),
    );
    expect(Buffer.from(Plaintext!).toString()).toBe('hello');
    await expect(
      kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { app: 'other', purpose: 'test' } })),
    ).rejects.toBeInstanceOf(InvalidCiphertextException);
    await expect(kms.send(new DecryptCommand({ CiphertextBlob }))).rejects.toBeInstanceOf(
      InvalidCiphertextException,
    );
  });

  it('detects any flipped byte of a ciphertext', async () => {
    const keyId = await newKey();
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('data') }),
    );
    for (let i = 0; i < CiphertextBlob!.length; i += 7) {
      const tampered = Buffer.from(CiphertextBlob!);
      tampered[i]! ^= 0x01;
      await expect(kms.send(new DecryptCommand({ CiphertextBlob: tampered }))).rejects.toMatchObject({
        name: expect.stringMatching(/InvalidCiphertextException/),
      });
    }
  });

  it('does not decrypt one key ciphertext as another key', async () => {
    const [a, b] = [await newKey(), await newKey()];
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: a, Plaintext: Buffer.from('x') }));
    await expect(kms.send(new DecryptCommand({ CiphertextBlob, KeyId: b }))).rejects.toBeInstanceOf(
      IncorrectKeyException,
    );
  });

  it('generates data keys whose wrapped form decrypts to the plaintext', async () => {
    const keyId = await newKey();
    const key = await kms.send(
      new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { k: 'v' } }),
    );
    expect(key.Plaintext).toHaveLength(32);
    const { Plaintext } = await kms.send(
      new DecryptCommand({ CiphertextBlob: key.CiphertextBlob, EncryptionContext: { k: 'v' } }),
    );
    expect(Buffer.from(Plaintext!).equals(Buffer.from(key.Plaintext!))).toBe(true);
    const wrappedOnly = await kms.send(
      new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, NumberOfBytes: 16 }),
    );
    expect(wrappedOnly).not.toHaveProperty('Plaintext');
    expect(wrappedOnly.CiphertextBlob!.length).toBeGreaterThan(16);
  });

  it('generates random bytes and tracks key rotation', async () => {
    const { Plaintext } = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 64 }));
    expect(Plaintext).toHaveLength(64);
    const keyId = await newKey();
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled).toBe(
      false,
    );
    await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled).toBe(true);
  });

  it('scopes keys to their region', async () => {
    const keyId = await newKey();
    await expect(
      local.kms('eu-west-1').send(new DescribeKeyCommand({ KeyId: keyId })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });
});
