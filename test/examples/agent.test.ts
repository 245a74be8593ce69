import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretsClient } from '../../lib';
import { agentExample } from '../../examples/agent';
import { startLocal } from '../support/local-endpoint';

const root = join(__dirname, '..', '..');

describe('README sidecar and process injection', () => {
  it('shows exactly the code of examples/agent.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Sidecar and process injection'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'agent.ts'), 'utf8'));
  });

  it('runs: the agent serves the secret and its rotation, refuses a request without the token, and the child prints no value', async () => {
    const local = await startLocal();
    try {
      const secrets = new SecretsClient({ secretsManager: local.sm(), kms: local.kms() });
      expect(await agentExample(secrets)).toEqual({
        before: { name: 'prod/billing/db', stages: ['AWSCURRENT'], password: 'correct-horse-battery-staple' },
        refused: '403 Bad Token',
        after: 'rotated-horse-battery-staple',
        printed: 'connecting as billing_app with <concealed by keystage>\n',
        exitCode: 0,
      });
    } finally {
      await local.endpoint.close();
    }
  });
});
