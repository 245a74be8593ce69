import { SecretsClient, ValidationError, type SecretsClientOptions } from 'keystage';

export async function scopeExample(connection: Pick<SecretsClientOptions, 'secretsManager'> = {}) {
  // A client scoped to one environment and service (KEYSTAGE_ENVIRONMENT and KEYSTAGE_SERVICE
  // do the same), and the same service in staging: one set of SDK clients, policy, audit
  // sink and cache between them.
  const prod = new SecretsClient({ ...connection, environment: 'prod', service: 'billing' });
  const staging = prod.withEnvironment('staging');

  // Bare names live in the scope: this is prod/billing/stripe_key, tagged with both.
  await prod.create({ name: 'stripe_key', kind: 'api-key', apiKeyPrefix: 'live' });
  await staging.create({ name: 'stripe_key', kind: 'api-key', apiKeyPrefix: 'test' });
  // Kinds generate what they can: 'whsec_' and 32 random bytes; an OAuth client secret.
  await prod.create({ name: 'stripe_webhook', kind: 'webhook-secret' });
  await prod.create({
    name: 'google_oauth',
    kind: 'oauth-client',
    oauth: {
      clientId: '1234.apps.googleusercontent.com',
      redirectUri: 'https://billing.example.com/auth/google',
    },
  });

  const live = await prod.get('stripe_key'); // prod/billing/stripe_key: live_…
  const test = await staging.get('stripe_key'); // staging/billing/stripe_key: test_…
  // A full name or an ARN is always taken as given.
  const same = await staging.get('prod/billing/stripe_key');

  // Every secret of the scope, 20 per BatchGetSecretValue, keyed by full name and cached.
  const { values } = await prod.getAll();
  const environments = await prod.environments(); // ['prod', 'staging']

  // A value of the wrong shape for the secret's kind is refused before anything is written,
  // naming the field and never the value.
  const refused = await prod.put('stripe_webhook', 'not a webhook secret').catch((error: unknown) => error);
  if (!(refused instanceof ValidationError)) throw new Error('a malformed webhook secret must be refused');

  // The kind's rotation recommendation, held against the configured rotation (none here).
  const { recommendedRotation } = await prod.describe('stripe_webhook');
  // { days: 182, reason: 'Webhook secrets rotate semi-annually.', configuredDays: undefined, meets: false }
  prod.close();
  return {
    live,
    test,
    same,
    names: [...values.keys()].sort(),
    environments,
    refused: refused.field,
    recommendedRotation,
  };
}
