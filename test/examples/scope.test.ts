import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scopeExample } from '../../examples/scope';
import { startLocal, type LocalFixture } from '../support/local-endpoint';

const root = join(__dirname, '..', '..');

describe('README environments and secret kinds', () => {
  let local: LocalFixture;
  beforeAll(async () => {
    local = await startLocal();
  });
  afterAll(() => local.endpoint.close());

  it('shows exactly the code of examples/scope.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const start = readme.indexOf('### Environments and secret kinds');
    expect(start).toBeGreaterThanOrEqual(0);
    const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'scope.ts'), 'utf8'));
  });

  it('runs: bare names per environment, generated kinds, getAll, environments, a refused shape, the rotation advice', async () => {
    const result = await scopeExample({ secretsManager: local.sm() });
    expect(result.live).toMatch(/^live_/);
    expect(result.test).toMatch(/^test_/);
    expect(result.same).toBe(result.live);
    expect(result.names).toEqual([
      'prod/billing/google_oauth',
      'prod/billing/stripe_key',
      'prod/billing/stripe_webhook',
    ]);
    expect(result.environments).toEqual(['prod', 'staging']);
    expect(result.refused).toBe('value');
    expect(result.recommendedRotation).toEqual({
      days: 182,
      reason: 'Webhook secrets rotate semi-annually.',
      configuredDays: undefined,
      meets: false,
    });
  });
});
