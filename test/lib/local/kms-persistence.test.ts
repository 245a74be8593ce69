import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  GetPublicKeyCommand,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListResourceTagsCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  VerifyCommand,
  VerifyMacCommand,
  type CreateKeyCommandInput,
} from '@aws-sdk/client-kms';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocal } from '../../support/local-endpoint';

const MESSAGE = Buffer.from('signed before the restart');
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'kept', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }],
});

describe('local KMS persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keystage-kms-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every kind of key, its material, aliases, tags, policy, rotation and state across a restart', async () => {
    const first = await startLocal({ inMemory: false, dataDir: dir });
    const before = first.kms();
    const create = async (input: CreateKeyCommandInput) =>
      (await before.send(new CreateKeyCommand(input))).KeyMetadata!.KeyId!;

    const symmetric = await create({ Tags: [{ TagKey: 'team', TagValue: 'core' }], Policy: POLICY });
    await before.send(new CreateAliasCommand({ AliasName: 'alias/kept', TargetKeyId: symmetric }));
    await before.send(new EnableKeyRotationCommand({ KeyId: symmetric, RotationPeriodInDays: 90 }));
    const oldBlob = (
      await before.send(new EncryptCommand({ KeyId: symmetric, Plaintext: Buffer.from('old') }))
    ).CiphertextBlob!;
    await before.send(new RotateKeyOnDemandCommand({ KeyId: symmetric }));
    const newBlob = (
      await before.send(new EncryptCommand({ KeyId: 'alias/kept', Plaintext: Buffer.from('new') }))
    ).CiphertextBlob!;

    const rsa = await create({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const rsaSignature = (
      await before.send(
        new SignCommand({ KeyId: rsa, Message: MESSAGE, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }),
      )
    ).Signature!;
    const rsaPublic = (await before.send(new GetPublicKeyCommand({ KeyId: rsa }))).PublicKey!;
    const ecc = await create({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const eccSignature = (
      await before.send(new SignCommand({ KeyId: ecc, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' }))
    ).Signature!;
    const hmac = await create({ KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const mac = (
      await before.send(
        new GenerateMacCommand({ KeyId: hmac, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_384' }),
      )
    ).Mac!;
    const multiRegion = await create({ MultiRegion: true });
    const disabled = await create({});
    await before.send(new DisableKeyCommand({ KeyId: disabled }));
    const doomed = await create({});
    await before.send(new ScheduleKeyDeletionCommand({ KeyId: doomed, PendingWindowInDays: 7 }));
    await first.endpoint.close();

    const second = await startLocal({ inMemory: false, dataDir: dir });
    const after = second.kms();
    try {
      const decrypt = async (blob: Uint8Array) =>
        Buffer.from((await after.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString();
      expect([await decrypt(oldBlob), await decrypt(newBlob)]).toEqual(['old', 'new']);
      expect((await after.send(new ListKeyRotationsCommand({ KeyId: symmetric }))).Rotations).toHaveLength(1);
      expect(await after.send(new GetKeyRotationStatusCommand({ KeyId: symmetric }))).toMatchObject({
        KeyRotationEnabled: true,
        RotationPeriodInDays: 90,
      });
      expect(
        (await after.send(new ListAliasesCommand({ KeyId: symmetric }))).Aliases!.map((a) => a.AliasName),
      ).toEqual(['alias/kept']);
      expect((await after.send(new ListResourceTagsCommand({ KeyId: symmetric }))).Tags).toEqual([
        { TagKey: 'team', TagValue: 'core' },
      ]);
      expect((await after.send(new GetKeyPolicyCommand({ KeyId: symmetric }))).Policy).toBe(POLICY);

      await expect(
        after.send(
          new VerifyCommand({
            KeyId: rsa,
            Message: MESSAGE,
            Signature: rsaSignature,
            SigningAlgorithm: 'RSASSA_PSS_SHA_256',
          }),
        ),
      ).resolves.toMatchObject({ SignatureValid: true });
      expect(Buffer.from((await after.send(new GetPublicKeyCommand({ KeyId: rsa }))).PublicKey!)).toEqual(
        Buffer.from(rsaPublic),
      );
      await expect(
        after.send(
          new VerifyCommand({
            KeyId: ecc,
            Message: MESSAGE,
            Signature: eccSignature,
            SigningAlgorithm: 'ECDSA_SHA_256',
          }),
        ),
      ).resolves.toMatchObject({ SignatureValid: true });
      await expect(
        after.send(
          new VerifyMacCommand({ KeyId: hmac, Message: MESSAGE, Mac: mac, MacAlgorithm: 'HMAC_SHA_384' }),
        ),
      ).resolves.toMatchObject({ MacValid: true });

      const state = async (keyId: string) =>
        (await after.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
      expect(await state(multiRegion)).toMatchObject({ MultiRegion: true, KeyId: multiRegion });
      expect(await state(disabled)).toMatchObject({ KeyState: 'Disabled' });
      expect(await state(doomed)).toMatchObject({
        KeyState: 'PendingDeletion',
        DeletionDate: expect.any(Date),
      });
    } finally {
      await second.endpoint.close();
    }
  });
});
