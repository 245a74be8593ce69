import { ValidateResourcePolicyCommand } from '@aws-sdk/client-secrets-manager';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accessPolicyExample } from '../../examples/access-policy';
import { startLocal } from '../support/local-endpoint';

const root = join(__dirname, '..', '..');

describe('README access policy', () => {
  it('shows exactly the code of examples/access-policy.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Access policy'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'access-policy.ts'), 'utf8'));
  });

  it('runs: each decision is the one its comment shows', () => {
    const { read, elsewhere, rotate, remove } = accessPolicyExample();
    expect(read).toEqual({
      allowed: true,
      rule: 'billing-api',
      reason: 'allowed by rule billing-api',
      maxRequestsPerHour: 3600,
    });
    expect(elsewhere).toEqual({
      allowed: false,
      rule: undefined,
      reason: 'no rule allows read of prod/billing/db for service billing in prod',
    });
    expect(rotate).toEqual({ allowed: true, rule: 'devops-edit', reason: 'allowed by rule devops-edit' });
    expect(remove).toMatchObject({ allowed: false, rule: 'no-prod-delete' });
    expect(remove.reason).toMatch(/^denied by rule no-prod-delete: production secrets are /);
  });

  it('renders a resource policy that validates, listing the limit IAM cannot enforce', async () => {
    const { document, unrendered } = accessPolicyExample();
    expect(unrendered).toContainEqual(
      expect.objectContaining({ rule: 'billing-api', field: 'maxRequestsPerHour' }),
    );
    const local = await startLocal();
    const sm = local.sm();
    try {
      const result = await sm.send(
        new ValidateResourcePolicyCommand({ ResourcePolicy: JSON.stringify(document) }),
      );
      expect(result.PolicyValidationPassed).toBe(true);
    } finally {
      sm.destroy();
      await local.endpoint.close();
    }
  });
});
