import {
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  LimitExceededException,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

let local: LocalFixture;
let sm: SecretsManagerClient;
let clock = 1_800_000_000_000;
const token = (tag: string) => `${tag}-${'0'.repeat(40)}`.slice(0, 40);

beforeAll(async () => {
  local = await startLocal({ now: () => (clock += 1000) });
  sm = local.sm();
});
afterAll(() => local.endpoint.close());

const describe_ = (SecretId: string) => sm.send(new DescribeSecretCommand({ SecretId }));

describe('CreateSecret', () => {
  it('answers a retry with the same name, token and value as the first call', async () => {
    const input = { Name: 'life/retry', SecretString: 'v1', ClientRequestToken: token('create') };
    const first = await sm.send(new CreateSecretCommand(input));
    const again = await sm.send(new CreateSecretCommand(input));
    expect(again).toMatchObject({ ARN: first.ARN, Name: 'life/retry', VersionId: token('create') });
    expect(
      (await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'life/retry' }))).Versions,
    ).toHaveLength(1);
    await expect(
      sm.send(new CreateSecretCommand({ ...input, SecretString: 'other' })),
    ).rejects.toBeInstanceOf(ResourceExistsException);
    await expect(
      sm.send(new CreateSecretCommand({ ...input, ClientRequestToken: token('another') })),
    ).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it('uses aws/secretsmanager without KmsKeyId, and DescribeSecret then leaves KmsKeyId out', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'life/default-key', SecretString: 'v' }));
    await sm.send(
      new CreateSecretCommand({
        Name: 'life/named-default',
        SecretString: 'v',
        KmsKeyId: 'alias/aws/secretsmanager',
      }),
    );
    expect((await describe_('life/default-key')).KmsKeyId).toBeUndefined();
    expect((await describe_('life/named-default')).KmsKeyId).toBeUndefined();
  });

  it('fails with EncryptionFailure for a KMS key that does not exist, creating nothing', async () => {
    await expect(
      sm.send(
        new CreateSecretCommand({
          Name: 'life/bad-key',
          SecretString: 'v',
          KmsKeyId: 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000',
        }),
      ),
    ).rejects.toMatchObject({ name: 'EncryptionFailure' });
    await expect(describe_('life/bad-key')).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses tags whose key starts with aws:, and more than 50 tags', async () => {
    await expect(
      sm.send(new CreateSecretCommand({ Name: 'life/aws-tag', Tags: [{ Key: 'AWS:owner', Value: 'x' }] })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await expect(
      sm.send(new CreateSecretCommand({ Name: 'life/many-tags', Tags: many })),
    ).rejects.toBeInstanceOf(LimitExceededException);
  });
});

describe('customer managed keys (through the KMS operations)', () => {
  it('refuses a disabled key or one pending deletion: EncryptionFailure to write, DecryptionFailure to read', async () => {
    const kms = local.kms();
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const KeyId = KeyMetadata!.KeyId!;
    await sm.send(new CreateSecretCommand({ Name: 'life/cmk', SecretString: 'v1', KmsKeyId: KeyId }));
    expect((await describe_('life/cmk')).KmsKeyId).toBe(KeyId);
    await kms.send(new DisableKeyCommand({ KeyId }));
    await expect(
      sm.send(new CreateSecretCommand({ Name: 'life/cmk-disabled', SecretString: 'v', KmsKeyId: KeyId })),
    ).rejects.toMatchObject({ name: 'EncryptionFailure' });
    await expect(
      sm.send(new PutSecretValueCommand({ SecretId: 'life/cmk', SecretString: 'v2' })),
    ).rejects.toMatchObject({ name: 'EncryptionFailure' });
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'life/cmk' }))).rejects.toMatchObject({
      name: 'DecryptionFailure',
    });
    await kms.send(new EnableKeyCommand({ KeyId }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'life/cmk' }))).SecretString).toBe('v1');
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
    await expect(
      sm.send(new CreateSecretCommand({ Name: 'life/cmk-pending', SecretString: 'v', KmsKeyId: KeyId })),
    ).rejects.toMatchObject({ name: 'EncryptionFailure' });
  });
});

describe('DescribeSecret', () => {
  it('returns only the fields that have a value', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'life/bare' }));
    const bare = await describe_('life/bare');
    expect(bare.CreatedDate).toBeInstanceOf(Date);
    expect(bare.LastChangedDate).toBeInstanceOf(Date);
    for (const field of [
      'RotationEnabled',
      'LastRotatedDate',
      'NextRotationDate',
      'LastAccessedDate',
      'Tags',
      'VersionIdsToStages',
      'DeletedDate',
      'KmsKeyId',
      'OwningService',
    ] as const) {
      expect({ field, value: bare[field] }).toEqual({ field, value: undefined });
    }
    await sm.send(new PutSecretValueCommand({ SecretId: 'life/bare', SecretString: 'v' }));
    await sm.send(new GetSecretValueCommand({ SecretId: 'life/bare' }));
    const read = await describe_('life/bare');
    expect(read.LastAccessedDate).toBeInstanceOf(Date);
    // Access dates are days, as the service keeps them.
    expect(read.LastAccessedDate!.getTime() % 86_400_000).toBe(0);
  });
});

describe('PutSecretValue', () => {
  it('attaches AWSCURRENT as well to the first version of a secret', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'life/first-pending' }));
    const out = await sm.send(
      new PutSecretValueCommand({
        SecretId: 'life/first-pending',
        SecretString: 'v',
        VersionStages: ['AWSPENDING'],
      }),
    );
    expect(out.VersionStages).toEqual(['AWSPENDING', 'AWSCURRENT']);
    const second = await sm.send(
      new PutSecretValueCommand({
        SecretId: 'life/first-pending',
        SecretString: 'w',
        VersionStages: ['AWSPENDING'],
      }),
    );
    expect(second.VersionStages).toEqual(['AWSPENDING']);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'life/first-pending' }))).SecretString).toBe(
      'v',
    );
  });
});

describe('GetSecretValue', () => {
  it('refuses a VersionId and VersionStage that disagree, and names what it cannot find', async () => {
    const { VersionId } = await sm.send(new CreateSecretCommand({ Name: 'life/get', SecretString: 'v' }));
    await expect(
      sm.send(new GetSecretValueCommand({ SecretId: 'life/get', VersionId, VersionStage: 'AWSPREVIOUS' })),
    ).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(
      sm.send(new GetSecretValueCommand({ SecretId: 'life/get', VersionStage: 'AWSPREVIOUS' })),
    ).rejects.toThrow("Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS");
    await expect(
      sm.send(new GetSecretValueCommand({ SecretId: 'life/get', VersionId: token('nope') })),
    ).rejects.toThrow(
      `Secrets Manager can't find the specified secret value for VersionId: ${token('nope')}`,
    );
  });
});

describe('UpdateSecret', () => {
  it('is idempotent for a repeated token and value, refuses the token with another value', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'life/update', SecretString: 'v1' }));
    const input = { SecretId: 'life/update', SecretString: 'v2', ClientRequestToken: token('upd') };
    const first = await sm.send(new UpdateSecretCommand(input));
    const again = await sm.send(new UpdateSecretCommand(input));
    expect(again.VersionId).toBe(first.VersionId);
    expect(
      (await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'life/update' }))).Versions,
    ).toHaveLength(2);
    await expect(sm.send(new UpdateSecretCommand({ ...input, SecretString: 'v3' }))).rejects.toBeInstanceOf(
      ResourceExistsException,
    );
  });

  it('changes metadata without a version, and only dates a change that happened', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'life/meta', SecretString: 'v1', Description: 'old' }));
    const out = await sm.send(new UpdateSecretCommand({ SecretId: 'life/meta', Description: 'new' }));
    expect(out.VersionId).toBeUndefined();
    const changed = (await describe_('life/meta')).LastChangedDate!;
    await sm.send(new UpdateSecretCommand({ SecretId: 'life/meta', Description: 'new' }));
    expect((await describe_('life/meta')).LastChangedDate).toEqual(changed);
    // An empty KmsKeyId means aws/secretsmanager.
    await sm.send(new UpdateSecretCommand({ SecretId: 'life/meta', KmsKeyId: '' }));
    expect((await describe_('life/meta')).KmsKeyId).toBeUndefined();
  });
});

describe('UpdateSecretVersionStage', () => {
  it('follows the documented rules for moving and removing labels', async () => {
    const { VersionId: v1 } = await sm.send(
      new CreateSecretCommand({ Name: 'life/stages', SecretString: 'v1' }),
    );
    const { VersionId: v2 } = await sm.send(
      new PutSecretValueCommand({ SecretId: 'life/stages', SecretString: 'v2' }),
    );
    const stage = (input: { VersionStage: string; MoveToVersionId?: string; RemoveFromVersionId?: string }) =>
      sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'life/stages', ...input }));
    await expect(stage({ VersionStage: 'AWSCURRENT', RemoveFromVersionId: v2 })).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(stage({ VersionStage: 'AWSPREVIOUS', RemoveFromVersionId: v2 })).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(stage({ VersionStage: 'MINE', MoveToVersionId: token('missing') })).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await stage({ VersionStage: 'MINE', MoveToVersionId: v1 });
    await expect(stage({ VersionStage: 'MINE', MoveToVersionId: v2 })).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await stage({ VersionStage: 'MINE', MoveToVersionId: v2, RemoveFromVersionId: v1 });
    await stage({ VersionStage: 'MINE', RemoveFromVersionId: v2 });
    expect((await describe_('life/stages')).VersionIdsToStages).toEqual({
      [v1!]: ['AWSPREVIOUS'],
      [v2!]: ['AWSCURRENT'],
    });
  });
});

describe('DeleteSecret and RestoreSecret', () => {
  it('answers a forced delete of a missing secret without ResourceNotFoundException', async () => {
    const out = await sm.send(
      new DeleteSecretCommand({ SecretId: 'life/never', ForceDeleteWithoutRecovery: true }),
    );
    expect(out.Name).toBe('life/never');
    expect(out.DeletionDate).toBeInstanceOf(Date);
    await expect(sm.send(new DeleteSecretCommand({ SecretId: 'life/never' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('checks the recovery window and refuses it with ForceDeleteWithoutRecovery', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'life/window', SecretString: 'v' }));
    for (const RecoveryWindowInDays of [6, 31]) {
      await expect(
        sm.send(new DeleteSecretCommand({ SecretId: 'life/window', RecoveryWindowInDays })),
      ).rejects.toThrow('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
    await expect(
      sm.send(
        new DeleteSecretCommand({
          SecretId: 'life/window',
          RecoveryWindowInDays: 7,
          ForceDeleteWithoutRecovery: true,
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await sm.send(new DeleteSecretCommand({ SecretId: 'life/window' }));
    await expect(sm.send(new DeleteSecretCommand({ SecretId: 'life/window' }))).rejects.toBeInstanceOf(
      InvalidRequestException,
    );
    await expect(
      sm.send(new TagResourceCommand({ SecretId: 'life/window', Tags: [{ Key: 'a', Value: 'b' }] })),
    ).rejects.toBeInstanceOf(InvalidRequestException);
    const deleted = await describe_('life/window');
    expect(deleted.DeletedDate).toBeInstanceOf(Date);
    await sm.send(new RestoreSecretCommand({ SecretId: 'life/window' }));
    expect((await describe_('life/window')).DeletedDate).toBeUndefined();
  });

  it('restores a secret that is not scheduled for deletion without changing it', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'life/restore', SecretString: 'v' }));
    const before = (await describe_('life/restore')).LastChangedDate;
    await sm.send(new RestoreSecretCommand({ SecretId: 'life/restore' }));
    expect((await describe_('life/restore')).LastChangedDate).toEqual(before);
  });
});

describe('TagResource and UntagResource', () => {
  it('keeps aws: keys reserved, limits lengths, and untags idempotently', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'life/tags', Tags: [{ Key: 'keep', Value: '1' }] }));
    await expect(
      sm.send(
        new TagResourceCommand({ SecretId: 'life/tags', Tags: [{ Key: 'aws:cloudformation', Value: 'x' }] }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      sm.send(
        new TagResourceCommand({ SecretId: 'life/tags', Tags: [{ Key: 'k'.repeat(129), Value: 'x' }] }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      sm.send(
        new TagResourceCommand({ SecretId: 'life/tags', Tags: [{ Key: 'k', Value: 'v'.repeat(257) }] }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await sm.send(new UntagResourceCommand({ SecretId: 'life/tags', TagKeys: ['not-there'] }));
    await expect(
      sm.send(new UntagResourceCommand({ SecretId: 'life/tags', TagKeys: ['aws:x'] })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    expect((await describe_('life/tags')).Tags).toEqual([{ Key: 'keep', Value: '1' }]);
  });
});

describe('GetRandomPassword', () => {
  it('lets spaces in without requiring one', async () => {
    for (let i = 0; i < 20; i++) {
      const { RandomPassword } = await sm.send(
        new GetRandomPasswordCommand({
          PasswordLength: 4,
          IncludeSpace: true,
          RequireEachIncludedType: true,
        }),
      );
      expect(RandomPassword).toHaveLength(4);
      for (const type of [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9 ]/]) expect(RandomPassword).toMatch(type);
    }
    const spaced = await sm.send(
      new GetRandomPasswordCommand({ PasswordLength: 400, IncludeSpace: true, ExcludePunctuation: true }),
    );
    expect(spaced.RandomPassword).toMatch(/^[a-zA-Z0-9 ]{400}$/);
    expect(spaced.RandomPassword).toContain(' ');
  });

  it('excludes characters, and refuses what cannot be met', async () => {
    const { RandomPassword } = await sm.send(
      new GetRandomPasswordCommand({
        PasswordLength: 200,
        ExcludeCharacters: 'abcdefghijklmnopqrstuvwxyz0123',
      }),
    );
    expect(RandomPassword).not.toMatch(/[a-z0-3]/);
    expect(RandomPassword).toMatch(/[4-9]/);
    await expect(sm.send(new GetRandomPasswordCommand({ PasswordLength: 3 }))).rejects.toThrow(
      'Password length is too short based on the required types',
    );
    await expect(
      sm.send(
        new GetRandomPasswordCommand({
          ExcludeLowercase: true,
          ExcludeUppercase: true,
          ExcludeNumbers: true,
          ExcludePunctuation: true,
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    for (const PasswordLength of [0, 4097]) {
      await expect(sm.send(new GetRandomPasswordCommand({ PasswordLength }))).rejects.toMatchObject({
        name: 'ValidationException',
      });
    }
  });
});
