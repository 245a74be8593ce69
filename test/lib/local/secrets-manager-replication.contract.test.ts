import { CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  PutSecretValueCommand,
  RemoveRegionsFromReplicationCommand,
  ReplicateSecretToRegionsCommand,
  ResourceNotFoundException,
  StopReplicationToReplicaCommand,
  UpdateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

let local: LocalFixture;
let us: SecretsManagerClient;
let eu: SecretsManagerClient;
let ap: SecretsManagerClient;

beforeAll(async () => {
  local = await startLocal();
  us = local.sm('us-east-1');
  eu = local.sm('eu-west-1');
  ap = local.sm('ap-south-1');
});
afterAll(() => local.endpoint.close());

const REPLICA_REFUSED =
  "Operation not permitted on a replica secret. Call must be made in primary secret's region (us-east-1).";

describe('replication, through the real SDK', () => {
  it('creates replicas with CreateSecret and reports them, with the aws/secretsmanager key, in DescribeSecret', async () => {
    const created = await us.send(
      new CreateSecretCommand({
        Name: 'rep/create',
        SecretString: 'v1',
        AddReplicaRegions: [{ Region: 'eu-west-1' }],
      }),
    );
    expect(created.ReplicationStatus).toEqual([
      { Region: 'eu-west-1', KmsKeyId: 'alias/aws/secretsmanager', Status: 'InSync' },
    ]);
    const read = await eu.send(new GetSecretValueCommand({ SecretId: 'rep/create' }));
    expect(read.SecretString).toBe('v1');
    expect(read.ARN).toBe(created.ARN!.replace(':us-east-1:', ':eu-west-1:'));
    const described = await eu.send(new DescribeSecretCommand({ SecretId: read.ARN }));
    expect(described.PrimaryRegion).toBe('us-east-1');
    expect(described.ARN).toBe(read.ARN);
  });

  it('refuses writes in a replica region, naming the primary region', async () => {
    await us.send(
      new CreateSecretCommand({
        Name: 'rep/ro',
        SecretString: 'v1',
        AddReplicaRegions: [{ Region: 'eu-west-1' }],
      }),
    );
    const writes = [
      new PutSecretValueCommand({ SecretId: 'rep/ro', SecretString: 'v2' }),
      new UpdateSecretCommand({ SecretId: 'rep/ro', Description: 'd' }),
      new DeleteSecretCommand({ SecretId: 'rep/ro' }),
      new ReplicateSecretToRegionsCommand({
        SecretId: 'rep/ro',
        AddReplicaRegions: [{ Region: 'ap-south-1' }],
      }),
    ];
    for (const write of writes) {
      await expect(eu.send(write as PutSecretValueCommand)).rejects.toThrow(
        new InvalidParameterException({ message: REPLICA_REFUSED, $metadata: {} }),
      );
    }
  });

  it('refuses to delete a primary that still has replicas, then deletes it once they are removed', async () => {
    const { ARN } = await us.send(
      new CreateSecretCommand({
        Name: 'rep/delete',
        SecretString: 'v1',
        AddReplicaRegions: [{ Region: 'eu-west-1' }, { Region: 'ap-south-1' }],
      }),
    );
    await expect(us.send(new DeleteSecretCommand({ SecretId: 'rep/delete' }))).rejects.toThrow(
      `You can't delete secret ${ARN} that still has replica regions [eu-west-1, ap-south-1].`,
    );
    await expect(
      us.send(new DeleteSecretCommand({ SecretId: 'rep/delete', ForceDeleteWithoutRecovery: true })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      us.send(
        new RemoveRegionsFromReplicationCommand({
          SecretId: 'rep/delete',
          RemoveReplicaRegions: ['us-west-2'],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    const removed = await us.send(
      new RemoveRegionsFromReplicationCommand({
        SecretId: 'rep/delete',
        RemoveReplicaRegions: ['eu-west-1'],
      }),
    );
    expect(removed).toMatchObject({ ARN, ReplicationStatus: [{ Region: 'ap-south-1', Status: 'InSync' }] });
    await expect(eu.send(new GetSecretValueCommand({ SecretId: 'rep/delete' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await us.send(
      new RemoveRegionsFromReplicationCommand({
        SecretId: 'rep/delete',
        RemoveReplicaRegions: ['ap-south-1'],
      }),
    );
    expect(
      (await us.send(new DescribeSecretCommand({ SecretId: 'rep/delete' }))).ReplicationStatus,
    ).toBeUndefined();
    await us.send(new DeleteSecretCommand({ SecretId: 'rep/delete' }));
  });

  it('fails a replica where the name is taken, unless ForceOverwriteReplicaSecret', async () => {
    await eu.send(new CreateSecretCommand({ Name: 'rep/taken', SecretString: 'eu-own' }));
    await us.send(new CreateSecretCommand({ Name: 'rep/taken', SecretString: 'primary' }));
    const failed = await us.send(
      new ReplicateSecretToRegionsCommand({
        SecretId: 'rep/taken',
        AddReplicaRegions: [{ Region: 'eu-west-1' }],
      }),
    );
    expect(failed.ReplicationStatus).toEqual([
      {
        Region: 'eu-west-1',
        KmsKeyId: 'alias/aws/secretsmanager',
        Status: 'Failed',
        StatusMessage: 'Replication failed: Secret name rep/taken already exists in region eu-west-1.',
      },
    ]);
    expect((await eu.send(new GetSecretValueCommand({ SecretId: 'rep/taken' }))).SecretString).toBe('eu-own');
    const forced = await us.send(
      new ReplicateSecretToRegionsCommand({
        SecretId: 'rep/taken',
        AddReplicaRegions: [{ Region: 'eu-west-1' }],
        ForceOverwriteReplicaSecret: true,
      }),
    );
    expect(forced.ReplicationStatus).toEqual([
      { Region: 'eu-west-1', KmsKeyId: 'alias/aws/secretsmanager', Status: 'InSync' },
    ]);
    expect((await eu.send(new GetSecretValueCommand({ SecretId: 'rep/taken' }))).SecretString).toBe(
      'primary',
    );
  });

  it('encrypts a replica with the key named for its region, and fails it for a key that is not there', async () => {
    const { KeyMetadata } = await local.kms('eu-west-1').send(new CreateKeyCommand({}));
    await us.send(new CreateSecretCommand({ Name: 'rep/key', SecretString: 'v1' }));
    const out = await us.send(
      new ReplicateSecretToRegionsCommand({
        SecretId: 'rep/key',
        AddReplicaRegions: [
          { Region: 'eu-west-1', KmsKeyId: KeyMetadata!.KeyId },
          { Region: 'ap-south-1', KmsKeyId: KeyMetadata!.KeyId },
        ],
      }),
    );
    expect(out.ReplicationStatus?.map((r) => [r.Region, r.Status, r.KmsKeyId])).toEqual([
      ['eu-west-1', 'InSync', KeyMetadata!.KeyId],
      ['ap-south-1', 'Failed', KeyMetadata!.KeyId],
    ]);
    expect(out.ReplicationStatus?.[1]?.StatusMessage).toMatch(
      /^Replication failed: the KMS key .* ap-south-1/,
    );
    expect((await eu.send(new DescribeSecretCommand({ SecretId: 'rep/key' }))).KmsKeyId).toBe(
      KeyMetadata!.KeyId,
    );
    expect((await us.send(new DescribeSecretCommand({ SecretId: 'rep/key' }))).KmsKeyId).toBeUndefined();
    await expect(ap.send(new GetSecretValueCommand({ SecretId: 'rep/key' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('dates reads per region in ReplicationStatus and DescribeSecret', async () => {
    await us.send(
      new CreateSecretCommand({
        Name: 'rep/dates',
        SecretString: 'v1',
        AddReplicaRegions: [{ Region: 'eu-west-1' }],
      }),
    );
    const before = await us.send(new DescribeSecretCommand({ SecretId: 'rep/dates' }));
    expect(before.ReplicationStatus?.[0]?.LastAccessedDate).toBeUndefined();
    await eu.send(new GetSecretValueCommand({ SecretId: 'rep/dates' }));
    const after = await us.send(new DescribeSecretCommand({ SecretId: 'rep/dates' }));
    expect(after.ReplicationStatus?.[0]?.LastAccessedDate).toBeInstanceOf(Date);
    expect(after.LastAccessedDate).toBeUndefined();
    expect(
      (await eu.send(new DescribeSecretCommand({ SecretId: 'rep/dates' }))).LastAccessedDate,
    ).toBeInstanceOf(Date);
  });

  it('promotes a replica to a standalone secret with StopReplicationToReplica, called in its region', async () => {
    const { ARN } = await us.send(
      new CreateSecretCommand({
        Name: 'rep/promote',
        SecretString: 'v1',
        AddReplicaRegions: [{ Region: 'eu-west-1' }],
      }),
    );
    await expect(us.send(new StopReplicationToReplicaCommand({ SecretId: ARN }))).rejects.toBeInstanceOf(
      InvalidRequestException,
    );
    const euArn = ARN!.replace(':us-east-1:', ':eu-west-1:');
    // The API reference names the primary's ARN as the SecretId, called in the replica's region.
    expect(await eu.send(new StopReplicationToReplicaCommand({ SecretId: ARN }))).toMatchObject({
      ARN: euArn,
    });
    expect(
      (await us.send(new DescribeSecretCommand({ SecretId: 'rep/promote' }))).ReplicationStatus,
    ).toBeUndefined();
    const promoted = await eu.send(new DescribeSecretCommand({ SecretId: 'rep/promote' }));
    expect(promoted).toMatchObject({ ARN: euArn, PrimaryRegion: 'eu-west-1' });
    // Each is its own secret now: writes go to one only.
    await eu.send(new PutSecretValueCommand({ SecretId: 'rep/promote', SecretString: 'eu-v2' }));
    await us.send(new PutSecretValueCommand({ SecretId: 'rep/promote', SecretString: 'us-v2' }));
    expect((await eu.send(new GetSecretValueCommand({ SecretId: 'rep/promote' }))).SecretString).toBe(
      'eu-v2',
    );
    expect(
      (await eu.send(new GetSecretValueCommand({ SecretId: 'rep/promote', VersionStage: 'AWSPREVIOUS' })))
        .SecretString,
    ).toBe('v1');
    expect((await us.send(new GetSecretValueCommand({ SecretId: 'rep/promote' }))).SecretString).toBe(
      'us-v2',
    );
    await us.send(new DeleteSecretCommand({ SecretId: 'rep/promote', ForceDeleteWithoutRecovery: true }));
    expect((await eu.send(new GetSecretValueCommand({ SecretId: euArn }))).SecretString).toBe('eu-v2');
  });

  it('refuses a replica in the primary region itself', async () => {
    await expect(
      us.send(
        new CreateSecretCommand({
          Name: 'rep/self',
          SecretString: 'v',
          AddReplicaRegions: [{ Region: 'us-east-1' }],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(us.send(new DescribeSecretCommand({ SecretId: 'rep/self' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});
