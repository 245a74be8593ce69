import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { SecretsClient } from '../../lib/client';
import { templatesExample, type StripeKeys } from '../../examples/templates';
import { startLocal, type LocalFixture } from '../support/local-endpoint';
import { stripeKey, webhookSecret } from '../lib/organise/templates/samples';

const root = join(__dirname, '..', '..');

const keys = (mode: 'live' | 'test'): StripeKeys => ({
  secretKey: stripeKey('sk', mode),
  publishableKey: stripeKey('pk', mode),
  webhookSecret: webhookSecret(),
});

describe('README service templates example', () => {
  let local: LocalFixture;
  beforeAll(async () => {
    local = await startLocal();
  });
  afterAll(() => local.endpoint.close());

  it('shows exactly the code of examples/templates.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const start = readme.indexOf('## Service templates');
    expect(start).toBeGreaterThanOrEqual(0);
    const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'templates.ts'), 'utf8'));
  });

  it('runs: live keys refused in staging, test keys created, a webhook secret generated, a pasted live key reported', async () => {
    const secrets = new SecretsClient({ secretsManager: local.sm(), kms: local.kms() });
    const live = keys('live');
    const test = keys('test');
    try {
      const result = await templatesExample(secrets, live, test);
      expect(result.publicValues).toEqual(['stripe_publishable_key']);
      expect(result.refused).toEqual([
        'stripe_secret_key: invalid',
        'stripe_publishable_key: invalid',
        'stripe_webhook_secret: skipped',
      ]);
      expect(result.applied).toEqual([
        'stripe_secret_key: created',
        'stripe_publishable_key: created',
        'stripe_webhook_secret: created',
      ]);
      expect(result.generated).toEqual(['partner_signing_secret: created']);
      expect(result.report).toMatchObject({
        allValid: false,
        templates: ['stripe', 'partner-webhooks'],
        checked: 4,
        invalid: [
          {
            secret: 'stripe_secret_key',
            reason: expect.stringMatching(
              /^has the production prefix "sk_live_" in non-production environment/,
            ),
          },
        ],
      });
      const shown = `${JSON.stringify(result)}\n${inspect(result, { depth: 10 })}`;
      for (const value of [...Object.values(live), ...Object.values(test)])
        expect(shown).not.toContain(value);
    } finally {
      secrets.close();
    }
  });
});
