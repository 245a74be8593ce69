import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditedSecrets, checkStream } from '../../examples/audit-trail';
import { startLocal, type LocalFixture } from '../support/local-endpoint';

const root = join(__dirname, '..', '..');

describe('README audit trail example', () => {
  let local: LocalFixture;
  beforeAll(async () => {
    local = await startLocal();
  });
  afterAll(() => local.endpoint.close());

  it('shows exactly the code of examples/audit-trail.ts, as published', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Audit trail'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'audit-trail.ts'), 'utf8'));
  });

  it('runs: reads are audited, hits included, and the stream verifies with its KMS checkpoint', async () => {
    const aws = { secretsManager: local.sm(), logs: local.logs(), kms: local.kms() };
    const { KeyMetadata } = await aws.kms.send(
      new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }),
    );
    await aws.secretsManager.send(
      new CreateSecretCommand({ Name: 'prod/billing/db', SecretString: 's3cr3t' }),
    );
    const { secrets, audit } = auditedSecrets(aws, KeyMetadata!.Arn!);
    await secrets.get('prod/billing/db');
    await secrets.get('prod/billing/db');
    await audit.close();

    const report = await checkStream(aws.logs, aws.kms, audit.logStreamName, KeyMetadata!.Arn!);
    expect(report).toMatchObject({ valid: true, events: 3, verifiedCheckpoints: 1, unsignedEvents: 0 });
  });
});
