import { SecretsClient } from 'keystage';
import { createBackup, restoreBackup, verifyBackup } from 'keystage/transfer';

export async function backupExample(secrets = new SecretsClient(), destination = 'prod-secrets.ksb') {
  // Production: a Stripe key with an older version still labelled AWSPREVIOUS.
  await secrets.create({
    environment: 'prod',
    service: 'billing',
    name: 'stripe_live_key',
    kind: 'api-key',
    value: 'sk_live_51ExampleOnlyNotAKey',
  });
  await secrets.put('prod/billing/stripe_live_key', 'sk_live_51ExampleRotatedKey');

  // Every labelled version, tags, resource policy, rotation settings and replicas, encrypted.
  const protection = { passphrase: 'a long passphrase kept in the break-glass vault' }; // or { kms: { keyId } }
  const backup = await createBackup(secrets, { environments: ['prod'], destination, protection });

  // Checked end to end (authentication, every record, every checksum) without restoring.
  const verified = await verifyBackup(destination, { protection });

  // Someone deletes it. Within its recovery window, a restore brings back the same secret.
  await secrets.delete('prod/billing/stripe_live_key', { recoveryWindowDays: 7 });
  const plan = await restoreBackup(secrets, destination, { protection, dryRun: true }); // writes nothing
  const restored = await restoreBackup(secrets, destination, { protection }); // rolls back on failure
  const again = await restoreBackup(secrets, destination, { protection }); // nothing left to do

  return {
    backedUp: { secrets: backup.secrets, versions: backup.versions }, // { secrets: 1, versions: 2 }
    verified: { secrets: verified.secrets, environments: verified.environments }, // { 1, ['prod'] }
    planned: plan.secrets.map((secret) => `${secret.action} ${secret.name}`), // ['undelete prod/billing/stripe_live_key']
    steps: restored.secrets[0]?.steps.map((step) => step.type), // ['undelete']: RestoreSecret, not a new secret
    outcome: restored.outcome, // 'restored'
    rerun: again.secrets.map((secret) => secret.status), // ['unchanged']
    current: await secrets.get('prod/billing/stripe_live_key'), // 'sk_live_51ExampleRotatedKey'
  };
}
