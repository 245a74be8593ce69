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
  ReEncryptCommand,
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
    for (let i = 0; i < CiphertextBlob!.length; i++) {
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

  it('does not decrypt in another Region a ciphertext made in this one', async () => {
    const keyId = await newKey();
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }),
    );
    await expect(local.kms('eu-west-1').send(new DecryptCommand({ CiphertextBlob }))).rejects.toBeInstanceOf(
      InvalidCiphertextException,
    );
  });

  it('encrypts 1 to 4096 bytes of plaintext', async () => {
    const keyId = await newKey();
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(4096, 7) }),
    );
    const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob, KeyId: keyId }));
    expect(Buffer.from(Plaintext!).equals(Buffer.alloc(4096, 7))).toBe(true);
  });

  it('takes a key by alias name and alias ARN for cryptographic operations', async () => {
    const keyId = await newKey();
    const alias = `alias/crypto-${n}`;
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
    for (const id of [alias, `arn:aws:kms:us-east-1:000000000000:${alias}`]) {
      const { KeyId } = await kms.send(new EncryptCommand({ KeyId: id, Plaintext: Buffer.from('x') }));
      expect(KeyId).toBe(`arn:aws:kms:us-east-1:000000000000:key/${keyId}`);
    }
  });

  it('re-encrypts under another key and encryption context without exposing the plaintext', async () => {
    const [a, b] = [await newKey(), await newKey()];
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: a, Plaintext: Buffer.from('moved'), EncryptionContext: { from: 'a' } }),
    );
    const moved = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob,
        SourceEncryptionContext: { from: 'a' },
        DestinationKeyId: b,
        DestinationEncryptionContext: { to: 'b' },
      }),
    );
    expect(moved).toMatchObject({
      SourceKeyId: expect.stringContaining(a),
      KeyId: expect.stringContaining(b),
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
    expect(moved).not.toHaveProperty('Plaintext');
    const { Plaintext, KeyId } = await kms.send(
      new DecryptCommand({ CiphertextBlob: moved.CiphertextBlob, EncryptionContext: { to: 'b' } }),
    );
    expect(Buffer.from(Plaintext!).toString()).toBe('moved');
    expect(KeyId).toContain(b);
    await expect(
      kms.send(
        new ReEncryptCommand({
          CiphertextBlob,
          SourceKeyId: b,
          DestinationKeyId: b,
          SourceEncryptionContext: { from: 'a' },
        }),
      ),
    ).rejects.toBeInstanceOf(IncorrectKeyException);
  });

  it('needs exactly one of KeySpec and NumberOfBytes for a data key', async () => {
    const keyId = await newKey();
    for (const input of [{}, { KeySpec: 'AES_128' as const, NumberOfBytes: 16 }]) {
      await expect(kms.send(new GenerateDataKeyCommand({ KeyId: keyId, ...input }))).rejects.toMatchObject({
        name: 'ValidationException',
      });
    }
    const { Plaintext } = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_128' }));
    expect(Plaintext).toHaveLength(16);
  });

  it('answers a DryRun that would succeed with DryRunOperationException, doing nothing', async () => {
    const keyId = await newKey();
    await expect(
      kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x'), DryRun: true })),
    ).rejects.toMatchObject({ name: 'DryRunOperationException' });
    await expect(
      kms.send(new EncryptCommand({ KeyId: 'alias/none', Plaintext: Buffer.from('x'), DryRun: true })),
    ).rejects.toBeInstanceOf(NotFoundException);
    // The AWS managed key a real call would create is not created by a dry run.
    const regional = local.kms('sa-east-1');
    await expect(
      regional.send(
        new GenerateDataKeyCommand({ KeyId: 'alias/aws/secretsmanager', KeySpec: 'AES_256', DryRun: true }),
      ),
    ).rejects.toMatchObject({ name: 'DryRunOperationException' });
    const { Aliases } = await regional.send(new ListAliasesCommand({}));
    expect(Aliases!.find((a) => a.AliasName === 'alias/aws/secretsmanager')).not.toHaveProperty(
      'TargetKeyId',
    );
  });

  it('refuses a key ARN of another Region with NotFoundException', async () => {
    const keyId = await newKey();
    await expect(
      kms.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:eu-west-1:000000000000:key/${keyId}` })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });
});
