import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListKeyRotationsCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
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

const status = (keyId: string) => kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
const rotations = async (keyId: string) =>
  (await kms.send(new ListKeyRotationsCommand({ KeyId: keyId }))).Rotations ?? [];
const encrypt = async (keyId: string, text: string) =>
  (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(text) }))).CiphertextBlob!;
const decrypt = async (blob: Uint8Array) =>
  Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString();

describe('automatic key rotation', () => {
  it('is off for a new key, and on with a period (default 365 days) once enabled', async () => {
    const keyId = await newKey();
    expect(await status(keyId)).toMatchObject({ KeyRotationEnabled: false });
    await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
    expect(await status(keyId)).toMatchObject({
      KeyRotationEnabled: true,
      RotationPeriodInDays: 365,
      NextRotationDate: new Date(clock + 365 * DAY),
    });
    await kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
    expect((await status(keyId)).KeyRotationEnabled).toBe(false);
  });

  it('takes RotationPeriodInDays from 90 to 2560', async () => {
    const keyId = await newKey();
    for (const days of [89, 2561]) {
      await expect(
        kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: days })),
      ).rejects.toMatchObject({ name: 'ValidationException' });
    }
    await kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
    expect((await status(keyId)).RotationPeriodInDays).toBe(90);
  });

  it('rotates when the period has passed, and old ciphertexts still decrypt', async () => {
    const keyId = await newKey();
    await kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
    const before = await encrypt(keyId, 'old');
    clock += 90 * DAY;
    const after = await encrypt(keyId, 'new');
    expect(await rotations(keyId)).toEqual([
      { KeyId: keyId, RotationDate: new Date(clock), RotationType: 'AUTOMATIC' },
    ]);
    expect(await decrypt(before)).toBe('old');
    expect(await decrypt(after)).toBe('new');
    expect((await status(keyId)).NextRotationDate).toEqual(new Date(clock + 90 * DAY));
  });

  it('accepts a key id or key ARN only: an alias is NotFoundException', async () => {
    const keyId = await newKey();
    const alias = `alias/rotation-${keyId}`;
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
    await expect(kms.send(new EnableKeyRotationCommand({ KeyId: alias }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    await expect(
      kms.send(new EnableKeyRotationCommand({ KeyId: `arn:aws:kms:us-east-1:000000000000:${alias}` })),
    ).rejects.toMatchObject({ name: 'InvalidArnException' });
    await kms.send(
      new EnableKeyRotationCommand({ KeyId: `arn:aws:kms:us-east-1:000000000000:key/${keyId}` }),
    );
    expect((await status(keyId)).KeyRotationEnabled).toBe(true);
  });

  it('refuses asymmetric and HMAC keys with UnsupportedOperationException', async () => {
    const hmac = await newKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const ecc = await newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    for (const keyId of [hmac, ecc]) {
      await expect(kms.send(new EnableKeyRotationCommand({ KeyId: keyId }))).rejects.toMatchObject({
        name: 'UnsupportedOperationException',
      });
      await expect(kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }))).rejects.toMatchObject({
        name: 'UnsupportedOperationException',
      });
    }
  });

  it('refuses a disabled key with DisabledException and one pending deletion with KMSInvalidStateException', async () => {
    const off = await newKey();
    await kms.send(new DisableKeyCommand({ KeyId: off }));
    await expect(kms.send(new EnableKeyRotationCommand({ KeyId: off }))).rejects.toMatchObject({
      name: 'DisabledException',
    });
    const doomed = await newKey();
    await kms.send(new EnableKeyRotationCommand({ KeyId: doomed }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed }));
    await expect(kms.send(new EnableKeyRotationCommand({ KeyId: doomed }))).rejects.toMatchObject({
      name: 'KMSInvalidStateException',
    });
    expect((await status(doomed)).KeyRotationEnabled).toBe(false);
  });
});

describe('on-demand rotation', () => {
  it('adds key material at once; every ciphertext made before still decrypts', async () => {
    const keyId = await newKey();
    const blobs = [await encrypt(keyId, 'v0')];
    for (let i = 1; i <= 3; i++) {
      expect(await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }))).toMatchObject({ KeyId: keyId });
      blobs.push(await encrypt(keyId, `v${i}`));
    }
    const listed = await rotations(keyId);
    expect(listed.map((r) => r.RotationType)).toEqual(['ON_DEMAND', 'ON_DEMAND', 'ON_DEMAND']);
    expect(await Promise.all(blobs.map(decrypt))).toEqual(['v0', 'v1', 'v2', 'v3']);
  });

  it('allows 10 rotations per key, then LimitExceededException', async () => {
    const keyId = await newKey();
    for (let i = 0; i < 10; i++) await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    await expect(kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }))).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
  });

  it('pages ListKeyRotations with Limit and Marker', async () => {
    const keyId = await newKey();
    for (let i = 0; i < 3; i++) await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const first = await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, Limit: 2 }));
    expect(first).toMatchObject({ Truncated: true });
    expect(first.Rotations).toHaveLength(2);
    const rest = await kms.send(
      new ListKeyRotationsCommand({ KeyId: keyId, Limit: 2, Marker: first.NextMarker! }),
    );
    expect(rest).toMatchObject({ Truncated: false });
    expect(rest.Rotations).toHaveLength(1);
  });
});
