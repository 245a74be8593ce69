import type { SecretsClient } from 'keystage';
import { TemplateCatalog, applyTemplate, describeTemplate, validateService } from 'keystage/organise';

/** Keys as the Stripe dashboard shows them: a live set and a test (sandbox) set. */
export interface StripeKeys {
  readonly secretKey: string; // sk_live_… / sk_test_…
  readonly publishableKey: string; // pk_live_… / pk_test_…
  readonly webhookSecret: string; // whsec_…, issued by Stripe for the endpoint
}

export async function templatesExample(secrets: SecretsClient, live: StripeKeys, test: StripeKeys) {
  // What the template asks for, and which of it may reach a browser.
  const { publicValues } = describeTemplate('stripe'); // ['stripe_publishable_key']

  // Live keys in staging: every value is checked first, and then nothing is written.
  const scope = { environment: 'staging', service: 'billing' };
  const values = (keys: StripeKeys) => ({
    stripe_secret_key: keys.secretKey,
    stripe_publishable_key: keys.publishableKey,
    stripe_webhook_secret: keys.webhookSecret,
  });
  const refused = await applyTemplate(secrets, 'stripe', { ...scope, overrides: values(live) });
  // refused.secrets[0]: { status: 'invalid', reasons: ['has the production prefix "sk_live_" in
  //   non-production environment "staging", which takes "sk_test_" or "rk_test_"'] }; the
  //   publishable key is invalid too, the webhook secret 'skipped': nothing was created

  // Test keys: created as staging/billing/stripe_*, tagged keystage:template=stripe and
  // keystage:exposure=public|server. A rerun finds them and writes nothing.
  const applied = await applyTemplate(secrets, 'stripe', { ...scope, overrides: values(test) });

  // Your own template (an object here; TemplateCatalog.withFiles reads JSON files), checked
  // with zod. A value you choose yourself, such as your own webhook signing secret, is generated.
  const catalog = TemplateCatalog.builtIn().with({
    name: 'partner-webhooks',
    description: 'Webhooks billing sends to partners',
    secrets: [
      {
        name: 'partner_signing_secret',
        kind: 'webhook-secret',
        description: 'Signs each delivery (HMAC-SHA256)',
        generate: true,
        rotationDays: 180,
      },
    ],
  });
  const generated = await applyTemplate(secrets, 'partner-webhooks', { ...scope, catalog });

  // Later, e.g. in a deploy pipeline: every template applied to the service, checked again.
  await secrets.put('staging/billing/stripe_secret_key', live.secretKey); // someone pastes a live key
  const report = await validateService(secrets, 'billing', { environment: 'staging', catalog });
  // { allValid: false, templates: ['stripe', 'partner-webhooks'], checked: 4, invalid: [{ secret:
  //   'stripe_secret_key', reason: 'has the production prefix "sk_live_" in non-production …' }] }

  const outcome = (result: typeof applied) =>
    result.secrets.map(({ secret, status }) => `${secret}: ${status}`);
  return {
    publicValues,
    refused: outcome(refused),
    applied: outcome(applied),
    generated: outcome(generated),
    report,
  };
}
