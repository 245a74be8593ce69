import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretsClient } from '../../lib/client';
import { distributionExample } from '../../examples/distribution';
import { startLocal, type LocalFixture } from '../support/local-endpoint';

const root = join(__dirname, '..', '..');

describe('README sealed distribution example', () => {
  let local: LocalFixture;
  beforeAll(async () => {
    local = await startLocal();
  });
  afterAll(() => local.endpoint.close());

  it('shows exactly the code of examples/distribution.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const start = readme.indexOf('## Sealed distribution');
    expect(start).toBeGreaterThanOrEqual(0);
    const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'distribution.ts'), 'utf8'));
  });

  it('runs: the value opens once, the use is counted, and the revoked envelope is refused', async () => {
    const sm = local.sm();
    const kms = local.kms();
    await sm.send(new CreateSecretCommand({ Name: 'prod/billing/db', SecretString: 'example-db-password' }));
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
    );
    const secrets = new SecretsClient({ secretsManager: sm, kms });
    try {
      const result = await distributionExample(secrets, kms, KeyMetadata!.Arn!);
      expect(result.value).toBe('example-db-password');
      expect(result.before).toMatchObject({ uses: 1, remainingUses: 1, valid: true, revoked: false });
      expect(result.after).toMatchObject({
        revoked: true,
        remainingUses: 0,
        valid: false,
        revokedReason: 'report done',
      });
      expect(result.refused).toBe('SECRET_REVOKED');
    } finally {
      secrets.close();
      sm.destroy();
      kms.destroy();
    }
  });
});
