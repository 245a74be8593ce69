import { ValidationError } from '../../errors';
import type { SecretsClient } from '../../client/secrets-client';
import type { BundleReader, BundleValue } from '../bundle';
import { BundleAuthenticationError } from '../bundle/bundle-error';
import { checkManifest, type SecretManifest } from '../export/secret-manifest';
import { TaskPool } from '../task-pool';
import { applyDecision } from './apply-secret';
import type { Outcomes } from './import-outcomes';
import type { ImportPlan } from './import-plan';
import type { SecretDecision } from './plan-log';
import { SecretGroup, targetOf, type ImportSettings } from './secret-group';

function changedBundle(): BundleAuthenticationError {
  return new BundleAuthenticationError(
    'altered',
    'The bundle changed between the two passes of the import, or map answered differently for a secret: ' +
      'run it again (map must give the same name for the same secret).',
  );
}

/**
 * Pass 2: reads the bundle again and rebuilds each secret from its entries as pass 1 did; a
 * secret whose fingerprint is not the one pass 1 logged at its position stops the import
 * before its first write. Then it writes what the plan log says (`concurrency` secrets at a
 * time, each holding its values until written) and reports each outcome. In a dry run it only
 * reports: the names are in the bundle, not in the log.
 */
export async function secondPass(
  client: SecretsClient,
  reader: BundleReader,
  plan: ImportPlan,
  settings: ImportSettings,
  outcomes: Outcomes,
  dryRun: boolean,
): Promise<void> {
  const { log } = plan;
  const writes = new TaskPool(settings.concurrency);
  const changes = (decision: SecretDecision): boolean =>
    !dryRun && (decision.action === 'created' || decision.action === 'updated');
  let group: SecretGroup | undefined;
  let values: BundleValue[] = [];
  let keep = false;
  let position = 0;
  let index = 0;

  const settle = async (done: SecretGroup, ready: readonly BundleValue[]): Promise<void> => {
    if (position >= log.length || !done.fingerprint().equals(log.fingerprint(position)))
      throw changedBundle();
    const at = position++;
    const decision = log.decision(at);
    if (!changes(decision)) return outcomes.add(at, done, decision);
    await writes.run(async () =>
      outcomes.add(at, done, await applyDecision(client, done, decision, ready, settings)),
    );
  };

  try {
    for await (const entry of reader.entries()) {
      let manifest: SecretManifest;
      try {
        manifest = checkManifest(entry.manifest, entry.value, `entries[${index}]`);
      } catch (error) {
        if (error instanceof ValidationError) throw changedBundle();
        throw error;
      }
      if (group === undefined || manifest.name !== group.secret.source) {
        if (group !== undefined) await settle(group, values);
        group = new SecretGroup(manifest, targetOf(settings, manifest.name, []), plan.fingerprints);
        values = [];
        keep = position < log.length && changes(log.decision(position));
      }
      group.add(manifest);
      if (keep) values.push(entry.value!);
      index++;
    }
    if (group !== undefined) await settle(group, values);
    if (position !== log.length) throw changedBundle();
  } catch (error) {
    // No write may still be under way once the import has failed.
    await writes.drain().catch(() => undefined);
    throw error;
  }
  await writes.drain();
}
