import { SecretsClient } from 'keystage';
import { copyEnvironment } from 'keystage/transfer';

export async function copyEnvironmentExample(secrets = new SecretsClient()) {
  // Production, as it is: a live Stripe key, a webhook signing secret, a legacy token.
  await secrets.create({
    environment: 'prod',
    service: 'billing',
    name: 'stripe_live_key',
    kind: 'api-key',
    value: 'sk_live_51ExampleOnlyNotAKey',
    tags: { owner: 'billing' },
  });
  await secrets.create({ environment: 'prod', service: 'billing', name: 'webhook', kind: 'generic' });
  await secrets.create({ environment: 'prod', service: 'billing', name: 'legacy-token', kind: 'generic' });

  const copy = {
    from: 'prod',
    to: 'staging',
    exclude: ['billing/legacy-*'], // globs over {service}/{name}, as access policies write them
    transform: [{ replace: '_live_', with: '_test_' }], // names and JSON keys (values only if asked)
    regenerate: ['billing/webhook'], // never shared: staging gets its own, generated once
  };

  // The plan first: per secret create / update / skip and why, never a value.
  const plan = await copyEnvironment(secrets, { ...copy, dryRun: true });
  const planned = plan.entries.map((entry) =>
    entry.action === 'skip' ? `skip ${entry.source} (${entry.reason})` : `${entry.action} ${entry.target}`,
  );
  // ['skip prod/billing/legacy-token (excluded)', 'create staging/billing/stripe_test_key', 'create staging/billing/webhook']

  // Then the copy. Every write is checked against the client's access policy before the
  // first, and each is audited; a rerun (after a crash, or any time) adds no version.
  const done = await copyEnvironment(secrets, copy);
  const again = await copyEnvironment(secrets, copy); // every entry: skip, unchanged or exists

  return {
    planned,
    counts: done.counts, // { create: 2, update: 0, skip: 1 }
    rerun: again.counts, // { create: 0, update: 0, skip: 3 }
    // Values are copied as they are: the renamed key still holds 'sk_live_51ExampleOnlyNotAKey'.
    stagingKey: await secrets.get('staging/billing/stripe_test_key'),
    webhookShared:
      (await secrets.get('staging/billing/webhook')) === (await secrets.get('prod/billing/webhook')), // false
  };
}
