import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsClient } from 'keystage';
import { BundleAuthenticationError, exportSecrets, importSecrets, verifyBundle } from 'keystage/transfer';

export async function exportImportExample(secrets = new SecretsClient()) {
  await secrets.create({
    environment: 'prod',
    service: 'billing',
    name: 'stripe',
    kind: 'api-key',
    value: 'sk_live_51ExampleOnlyNotAKey',
  });
  await secrets.create({
    environment: 'prod',
    service: 'billing',
    name: 'db',
    kind: 'json',
    value: { username: 'billing', password: 'example-only' },
  });

  const dir = await mkdtemp(join(tmpdir(), 'keystage-bundles-'));
  const bundle = join(dir, 'prod.bundle');
  // A passphrase (scrypt, N = 2^17), or { kms: { keyId: keyArn } } for a KMS key.
  const protection = { passphrase: 'correct horse battery staple' };
  try {
    // One entry per secret: a manifest (name, kind, tags, stages, VersionId, date, SHA-256)
    // and the value, in one encrypted, authenticated bundle, written as it is read.
    const exported = await exportSecrets(secrets, { environment: 'prod', protection, destination: bundle });
    const verified = await verifyBundle(bundle, protection); // end to end, nothing kept

    const into = { protection, map: { from: 'prod/', to: 'staging/' }, environment: 'staging' };
    // The plan: everything read and checked, every target looked up, nothing written.
    const plan = await importSecrets(secrets, bundle, { ...into, dryRun: true });
    const imported = await importSecrets(secrets, bundle, into);
    // For any number of secrets: the result only counts, and each outcome goes to onSecret.
    const outcomes: string[] = [];
    const again = await importSecrets(secrets, bundle, {
      ...into,
      report: 'counts',
      onSecret: (outcome) => {
        outcomes.push(`${outcome.action} ${outcome.name}`);
      },
    }); // no write, no new version

    const wrong = await importSecrets(secrets, bundle, {
      ...into,
      protection: { passphrase: 'not the passphrase it was written with' },
    }).catch((error: unknown) => error);

    return {
      exported: exported.secrets, // 2
      verified: verified.entries, // 2
      plan: plan.secrets.map((secret) => `${secret.action} ${secret.name}`).sort(),
      // ['created staging/billing/db', 'created staging/billing/stripe']
      counts: imported.counts, // { created: 2, updated: 0, unchanged: 0, skipped: 0 }
      rerun: again.counts, // { created: 0, updated: 0, unchanged: 2, skipped: 0 }
      rerunOutcomes: outcomes.sort(), // ['unchanged staging/billing/db', 'unchanged staging/billing/stripe']
      stagingDb: await secrets.getJson('staging/billing/db'),
      refused: wrong instanceof BundleAuthenticationError ? wrong.reason : undefined, // 'wrong-key'
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
