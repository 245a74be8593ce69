import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ssmExample } from '../../examples/ssm';
import { startLocal } from '../support/local-endpoint';

const root = join(__dirname, '..', '..');

describe('README SSM Parameter Store', () => {
  it('shows exactly the code of examples/ssm.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### SSM Parameter Store'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'ssm.ts'), 'utf8'));
  });

  it('runs: versions, labels and a path are read through the policy and the audit trail, a reference reads the secret', async () => {
    const local = await startLocal();
    try {
      const result = await ssmExample(local.ssm(), { secretsManager: local.sm() });
      expect(result).toEqual({
        url: 'postgres://db-2.internal/billing',
        first: 'postgres://db-1.internal/billing',
        knownGood: 'postgres://db-1.internal/billing',
        read: ['ssm:/prod/billing/db_url', 'ssm:/prod/billing/region'],
        refused: ['ssm:/prod/billing/admin_token: PERMISSION_DENIED'],
        stripeMatches: true,
        audited: [
          'get ssm:/prod/billing/db_url true',
          'get ssm:/prod/billing/db_url true',
          'get ssm:/prod/billing/db_url true',
          'listParameters - true',
          'getByPath ssm:/prod/billing/db_url true',
          'getByPath ssm:/prod/billing/region true',
          'getByPath ssm:/prod/billing/admin_token false',
          'create prod/billing/stripe true',
          'get ssm:/aws/reference/secretsmanager/prod/billing/stripe true',
          'get prod/billing/stripe true',
        ],
      });
      expect(JSON.stringify(result.audited)).not.toContain('tok_admin');
    } finally {
      await local.endpoint.close();
    }
  });
});
