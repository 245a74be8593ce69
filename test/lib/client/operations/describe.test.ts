import {
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import {
  arnOf,
  clientFixture,
  meta,
  rejection,
  sm,
  version,
  type ClientFixture,
} from '../../../support/client-fixture';

const NAME = 'prod/billing/db';
const [V1, V2, V3] = [version('v1'), version('v2'), version('v3')];
const day = (d: number) => new Date(Date.UTC(2026, 0, d));

describe('SecretsClient.describe', () => {
  let f: ClientFixture;
  beforeEach(() => {
    f = clientFixture();
    sm.on(DescribeSecretCommand).resolves({
      ARN: arnOf(NAME),
      Name: NAME,
      Description: 'billing db',
      KmsKeyId: 'alias/billing',
      RotationEnabled: true,
      RotationLambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:rotate',
      RotationRules: { ScheduleExpression: 'rate(30 days)', Duration: '2h' },
      LastRotatedDate: day(3),
      NextRotationDate: day(33),
      CreatedDate: day(1),
      PrimaryRegion: 'us-east-1',
      VersionIdsToStages: { [V1]: ['AWSPREVIOUS'], [V2]: ['AWSCURRENT'], [V3]: ['AWSPENDING'] },
      ReplicationStatus: [{ Region: 'eu-west-1', Status: 'InSync', KmsKeyId: 'alias/eu' }],
      Tags: [
        { Key: 'keystage:environment', Value: 'prod' },
        { Key: 'keystage:service', Value: 'billing' },
        { Key: 'keystage:type', Value: 'database' },
        { Key: 'owner', Value: 'team-billing' },
      ],
    });
    sm.on(ListSecretVersionIdsCommand)
      .resolvesOnce({
        ARN: arnOf(NAME),
        Name: NAME,
        Versions: [{ VersionId: V1, VersionStages: ['AWSPREVIOUS'], CreatedDate: day(1) }],
        NextToken: 'p2',
      })
      .resolves({
        Versions: [
          { VersionId: V2, VersionStages: ['AWSCURRENT'], CreatedDate: day(2), LastAccessedDate: day(5) },
          { VersionId: V3, VersionStages: ['AWSPENDING'], CreatedDate: day(3) },
        ],
      });
  });

  it('joins stages with dates, newest first, across version pages', async () => {
    const summary = await f.client.describe(NAME);
    expect(summary.versions).toEqual([
      { versionId: V3, stages: ['AWSPENDING'], createdAt: day(3), lastAccessedAt: undefined },
      { versionId: V2, stages: ['AWSCURRENT'], createdAt: day(2), lastAccessedAt: day(5) },
      { versionId: V1, stages: ['AWSPREVIOUS'], createdAt: day(1), lastAccessedAt: undefined },
    ]);
    expect(sm).toHaveReceivedCommandWith(ListSecretVersionIdsCommand, {
      SecretId: NAME,
      IncludeDeprecated: true,
    });
    expect(sm).toHaveReceivedCommandWith(ListSecretVersionIdsCommand, { NextToken: 'p2' });
  });

  it('reports rotation, replicas, tags and keystage metadata', async () => {
    const summary = await f.client.describe(NAME);
    expect(summary).toMatchObject({
      arn: arnOf(NAME),
      name: NAME,
      description: 'billing db',
      kmsKeyId: 'alias/billing',
      primaryRegion: 'us-east-1',
      rotation: {
        enabled: true,
        scheduleExpression: 'rate(30 days)',
        duration: '2h',
        lastRotatedAt: day(3),
        nextRotationAt: day(33),
        inProgress: true,
      },
      replicas: [{ region: 'eu-west-1', status: 'InSync', kmsKeyId: 'alias/eu' }],
      tags: { owner: 'team-billing' },
      keystage: { environment: 'prod', service: 'billing', kind: 'database', status: 'active' },
    });
  });

  it('says a rotation is not in progress once AWSPENDING sits on AWSCURRENT', async () => {
    sm.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { [V2]: ['AWSCURRENT', 'AWSPENDING'] } });
    expect((await f.client.describe(NAME)).rotation.inProgress).toBe(false);
  });

  it('maps a missing secret', async () => {
    sm.on(DescribeSecretCommand).rejects(new ResourceNotFoundException({ message: 'no', ...meta }));
    expect((await rejection(f.client.describe(NAME))).code).toBe('SECRET_NOT_FOUND');
  });
});

describe('SecretsClient.versions', () => {
  let f: ClientFixture;
  beforeEach(() => {
    f = clientFixture();
  });

  it('lists labelled versions newest first', async () => {
    sm.on(ListSecretVersionIdsCommand).resolves({
      Versions: [
        { VersionId: V1, VersionStages: ['AWSPREVIOUS'], CreatedDate: day(1) },
        { VersionId: V2, VersionStages: ['AWSCURRENT'], CreatedDate: day(2) },
      ],
    });
    const versions = await f.client.versions(NAME);
    expect(versions.map((v) => v.versionId)).toEqual([V2, V1]);
    expect(sm).toHaveReceivedCommandWith(ListSecretVersionIdsCommand, {
      SecretId: NAME,
      IncludeDeprecated: false,
    });
  });

  it('includes deprecated versions when asked', async () => {
    sm.on(ListSecretVersionIdsCommand).resolves({ Versions: [] });
    await f.client.versions(NAME, { includeDeprecated: true });
    expect(sm).toHaveReceivedCommandWith(ListSecretVersionIdsCommand, { IncludeDeprecated: true });
  });

  it('rejects bad options before any call', async () => {
    expect(await rejection(f.client.versions(NAME, { includeDeprecated: 'yes' as never }))).toMatchObject({
      field: 'includeDeprecated',
    });
    expect(sm).not.toHaveReceivedAnyCommand();
  });
});
