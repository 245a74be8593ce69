import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  ScheduleKeyDeletionCommand,
  UpdateKeyDescriptionCommand,
  type CreateKeyCommandInput,
} from '@aws-sdk/client-kms';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

const DAY = 86_400_000;
let clock = Date.UTC(2026, 0, 1);
let local: LocalFixture;
let kms: KMSClient;

beforeAll(async () => {
  local = await startLocal({ now: () => clock });
  kms = local.kms();
});
afterAll(() => local.endpoint.close());

async function newKey(input: CreateKeyCommandInput = {}): Promise<string> {
  return (await kms.send(new CreateKeyCommand(input))).KeyMetadata!.KeyId!;
}

const describe_ = async (keyId: string) =>
  (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;

const encrypt = (keyId: string) =>
  kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));

describe('KMS key metadata', () => {
  it('describes a symmetric key with the full KeyMetadata', async () => {
    const keyId = await newKey({ Description: 'orders' });
    expect(await describe_(keyId)).toEqual({
      AWSAccountId: '000000000000',
      KeyId: keyId,
      Arn: `arn:aws:kms:us-east-1:000000000000:key/${keyId}`,
      CreationDate: new Date(clock),
      Enabled: true,
      Description: 'orders',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    });
  });

  it('gives multi-Region keys an mrk- id and a MultiRegionConfiguration naming themselves primary', async () => {
    const meta = await describe_(await newKey({ MultiRegion: true }));
    expect(meta.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    expect(meta.MultiRegion).toBe(true);
    expect(meta.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: meta.Arn, Region: 'us-east-1' },
      ReplicaKeys: [],
    });
  });

  it('changes the description', async () => {
    const keyId = await newKey({ Description: 'before' });
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId: keyId, Description: 'after' }));
    expect((await describe_(keyId)).Description).toBe('after');
  });
});

describe('CreateKey refusals', () => {
  it.each([
    [{ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'SIGN_VERIFY' }, 'ValidationException'],
    [{ KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' }, 'ValidationException'],
    [{ KeySpec: 'ECC_NIST_P256' }, 'ValidationException'],
    [{ KeySpec: 'HMAC_256' }, 'ValidationException'],
    [{ KeySpec: 'RSA_2048', KeyUsage: 'GENERATE_VERIFY_MAC' }, 'ValidationException'],
    [{ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'KEY_AGREEMENT' }, 'ValidationException'],
    [{ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' }, 'UnsupportedOperationException'],
    [{ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }, 'UnsupportedOperationException'],
    [{ Origin: 'EXTERNAL' }, 'UnsupportedOperationException'],
    [{ CustomKeyStoreId: 'cks-1234567890abcdef0' }, 'CustomKeyStoreNotFoundException'],
    [{ KeySpec: 'RSA_2048', CustomerMasterKeySpec: 'RSA_2048' }, 'ValidationException'],
    [{ Policy: 'not json' }, 'MalformedPolicyDocumentException'],
    [{ Tags: [{ TagKey: 'aws:reserved', TagValue: 'x' }] }, 'TagException'],
  ] as Array<[CreateKeyCommandInput, string]>)('refuses %o with %s', async (input, name) => {
    await expect(kms.send(new CreateKeyCommand(input))).rejects.toMatchObject({ name });
  });

  it('creates no key when it refuses one', async () => {
    const before = (await kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys!.length;
    await expect(
      kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' })),
    ).rejects.toThrow();
    expect((await kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys).toHaveLength(before);
  });
});

describe('KMS key states', () => {
  it('refuses cryptographic use of a disabled key with DisabledException, until enabled again', async () => {
    const keyId = await newKey();
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    expect(await describe_(keyId)).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    await expect(encrypt(keyId)).rejects.toMatchObject({ name: 'DisabledException' });
    await kms.send(new EnableKeyCommand({ KeyId: keyId }));
    await expect(encrypt(keyId)).resolves.toMatchObject({ KeyId: expect.stringContaining(keyId) });
  });

  it('refuses to decrypt under a disabled key', async () => {
    const keyId = await newKey();
    const { CiphertextBlob } = await encrypt(keyId);
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    await expect(kms.send(new DecryptCommand({ CiphertextBlob }))).rejects.toMatchObject({
      name: 'DisabledException',
    });
  });

  it('schedules deletion 30 days out by default, and refuses use while pending', async () => {
    const keyId = await newKey();
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId }));
    expect(scheduled).toMatchObject({
      KeyState: 'PendingDeletion',
      PendingWindowInDays: 30,
      DeletionDate: new Date(clock + 30 * DAY),
    });
    expect(await describe_(keyId)).toMatchObject({
      KeyState: 'PendingDeletion',
      Enabled: false,
      DeletionDate: new Date(clock + 30 * DAY),
    });
    await expect(encrypt(keyId)).rejects.toMatchObject({ name: 'KMSInvalidStateException' });
    await expect(kms.send(new EnableKeyCommand({ KeyId: keyId }))).rejects.toMatchObject({
      name: 'KMSInvalidStateException',
    });
  });

  it('takes PendingWindowInDays from 7 to 30 only', async () => {
    const keyId = await newKey();
    for (const days of [6, 31]) {
      await expect(
        kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: days })),
      ).rejects.toMatchObject({ name: 'ValidationException' });
    }
    await expect(
      kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 })),
    ).resolves.toMatchObject({ PendingWindowInDays: 7 });
  });

  it('cancels deletion back to Disabled, and refuses to cancel what is not pending', async () => {
    const keyId = await newKey();
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    await kms.send(new CancelKeyDeletionCommand({ KeyId: keyId }));
    const meta = await describe_(keyId);
    expect(meta.KeyState).toBe('Disabled');
    expect(meta.DeletionDate).toBeUndefined();
    await expect(kms.send(new CancelKeyDeletionCommand({ KeyId: keyId }))).rejects.toMatchObject({
      name: 'KMSInvalidStateException',
    });
  });

  it('deletes the key, its aliases and its usefulness once the window has passed', async () => {
    const keyId = await newKey();
    const alias = `alias/doomed-${keyId}`;
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
    const { CiphertextBlob } = await encrypt(keyId);
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    clock += 7 * DAY - 1;
    await expect(describe_(keyId)).resolves.toMatchObject({ KeyState: 'PendingDeletion' });
    clock += 1;
    await expect(describe_(keyId)).rejects.toMatchObject({ name: 'NotFoundException' });
    const { Aliases } = await kms.send(new ListAliasesCommand({}));
    expect(Aliases!.map((a) => a.AliasName)).not.toContain(alias);
    await expect(kms.send(new DecryptCommand({ CiphertextBlob }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });
});

describe('ListKeys', () => {
  it('pages with Limit and Marker through every key of the Region once', async () => {
    const mine = [await newKey(), await newKey(), await newKey()];
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await kms.send(new ListKeysCommand({ Limit: 2, ...(marker ? { Marker: marker } : {}) }));
      expect(page.Keys!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Keys!.map((k) => k.KeyId!));
      expect(page.Truncated).toBe(page.NextMarker !== undefined);
      marker = page.NextMarker;
    } while (marker !== undefined);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(mine));
  });

  it('refuses a marker it did not write', async () => {
    await expect(kms.send(new ListKeysCommand({ Marker: 'not-a-marker' }))).rejects.toMatchObject({
      name: 'InvalidMarkerException',
    });
  });

  it('lists only the keys of the Region it is asked in', async () => {
    const keyId = await newKey();
    const { Keys } = await local.kms('eu-west-1').send(new ListKeysCommand({}));
    expect(Keys!.map((k) => k.KeyId)).not.toContain(keyId);
  });
});

describe('the AWS managed key of Secrets Manager', () => {
  it('is created on first use of alias/aws/secretsmanager, managed by AWS, in any Region', async () => {
    const regional = local.kms('ap-southeast-2');
    const before = await regional.send(new ListAliasesCommand({}));
    expect(before.Aliases).toContainEqual({
      AliasName: 'alias/aws/secretsmanager',
      AliasArn: 'arn:aws:kms:ap-southeast-2:000000000000:alias/aws/secretsmanager',
    });
    const meta = (await regional.send(new DescribeKeyCommand({ KeyId: 'alias/aws/secretsmanager' })))
      .KeyMetadata!;
    expect(meta).toMatchObject({ KeyManager: 'AWS', KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT' });
    const again = await regional.send(new DescribeKeyCommand({ KeyId: 'alias/aws/secretsmanager' }));
    expect(again.KeyMetadata!.KeyId).toBe(meta.KeyId);
    const after = await regional.send(new ListAliasesCommand({}));
    expect(after.Aliases!.find((a) => a.AliasName === 'alias/aws/secretsmanager')?.TargetKeyId).toBe(
      meta.KeyId,
    );
  });

  it('encrypts data keys but cannot be disabled or scheduled for deletion', async () => {
    const key = await kms.send(
      new GenerateDataKeyCommand({ KeyId: 'alias/aws/secretsmanager', KeySpec: 'AES_256' }),
    );
    const keyId = key.KeyId!;
    await expect(kms.send(new DisableKeyCommand({ KeyId: keyId }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });
});
