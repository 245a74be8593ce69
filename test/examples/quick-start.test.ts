import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretsClient } from '../../lib';
import { quickStart } from '../../examples/quick-start';

const root = join(__dirname, '..', '..');
const sm = mockClient(SecretsManagerClient);
const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;

describe('README quick start', () => {
  beforeEach(() => sm.reset());

  it('shows exactly the code of examples/quick-start.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Quick start'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'quick-start.ts'), 'utf8'));
  });

  it('runs: the credential read back is the one created', async () => {
    const created = new Map<string, string>();
    sm.on(CreateSecretCommand).callsFake((input: { Name: string; SecretString?: string }) => {
      created.set(input.Name, input.SecretString ?? '');
      return { ARN: arn(input.Name), Name: input.Name, VersionId: `v1-${input.Name}`.padEnd(32, '0') };
    });
    sm.on(GetSecretValueCommand, { SecretId: 'prod/billing/db' }).callsFake(() => ({
      ARN: arn('prod/billing/db'),
      Name: 'prod/billing/db',
      SecretString: created.get('prod/billing/db'),
      VersionId: 'v1'.padEnd(32, '0'),
      VersionStages: ['AWSCURRENT'],
    }));
    sm.on(GetSecretValueCommand, { SecretId: 'prod/billing/no-such-secret' }).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: {},
      }),
    );
    sm.on(PutSecretValueCommand).resolves({
      ARN: arn('prod/billing/partner-api'),
      VersionId: 'v2'.padEnd(32, '0'),
    });
    sm.on(DescribeSecretCommand).resolves({
      ARN: arn('prod/billing/partner-api'),
      Name: 'prod/billing/partner-api',
    });
    sm.on(ListSecretVersionIdsCommand).resolves({
      ARN: arn('prod/billing/partner-api'),
      Name: 'prod/billing/partner-api',
      Versions: [
        { VersionId: 'v2'.padEnd(32, '0'), VersionStages: ['AWSCURRENT'] },
        { VersionId: 'v1'.padEnd(32, '0'), VersionStages: ['AWSPREVIOUS'] },
      ],
    });
    sm.on(UpdateSecretVersionStageCommand).resolves({});

    const db = await quickStart(
      new SecretsClient({ secretsManager: new SecretsManagerClient({}), kms: new KMSClient({}) }),
    );

    expect(db).toMatchObject({
      engine: 'postgres',
      host: 'billing.db.internal',
      port: 5432,
      username: 'billing_app',
    });
    expect(db.password).toMatch(/^[A-Za-z0-9._-]{32}$/);
    expect(created.get('prod/billing/partner-api')).toMatch(/^ks_[A-Za-z0-9]+_[A-Za-z0-9]{6}$/);
    expect(sm).toHaveReceivedCommandWith(UpdateSecretVersionStageCommand, {
      SecretId: 'prod/billing/partner-api',
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: 'v1'.padEnd(32, '0'),
      RemoveFromVersionId: 'v2'.padEnd(32, '0'),
    });
  });
});
