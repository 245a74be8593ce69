import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretsClient } from '../../lib';
import { copyEnvironmentExample } from '../../examples/copy-environment';
import { startLocal } from '../support/local-endpoint';

const root = join(__dirname, '..', '..');

describe('README copy between environments', () => {
  it('shows exactly the code of examples/copy-environment.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Copying between environments'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'copy-environment.ts'), 'utf8'));
  });

  it('runs: the plan, the copy, a rerun that writes nothing, and a webhook secret of its own', async () => {
    const local = await startLocal();
    try {
      const secrets = new SecretsClient({ secretsManager: local.sm(), kms: local.kms() });
      expect(await copyEnvironmentExample(secrets)).toEqual({
        planned: [
          'skip prod/billing/legacy-token (excluded)',
          'create staging/billing/stripe_test_key',
          'create staging/billing/webhook',
        ],
        counts: { create: 2, update: 0, skip: 1 },
        rerun: { create: 0, update: 0, skip: 3 },
        stagingKey: 'sk_live_51ExampleOnlyNotAKey',
        webhookShared: false,
      });
    } finally {
      await local.endpoint.close();
    }
  });
});
