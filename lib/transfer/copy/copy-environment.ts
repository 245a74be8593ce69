import type { SecretsClient } from '../../client';
import type { CopyEntry, CopyResult } from './copy-entry';
import { checkCopyOptions, type CopyEnvironmentOptions } from './copy-options';
import { planCopy } from './plan-copy';
import { authorizeWrites, refuse, runWrites } from './write-copy';

/**
 * Copies (promotes) the secrets of one environment to another: every secret tagged
 * `keystage:environment=<from>` and named `{from}/{service}/{name}` becomes
 * `{to}/{service}/{name}` (the name transformed), with its kind, description and own tags;
 * `exclude` leaves some alone, `transform` rewrites names, JSON keys and (opt-in) string
 * values, and `regenerate` gives secrets that must never be shared a fresh value in the
 * target instead of the source's.
 *
 * It plans first, with reads only: per secret `create` (no target), `update` (the target's
 * value or tags differ) or `skip` with the reason. Every planned write is then checked
 * against the target client's access policy; if one is refused, the run stops before its
 * first write with PERMISSION_DENIED (the denial is audited) and `dryRun` reports each
 * refusal instead. Then the writes are made, one secret after the other, through the
 * clients' pipelines.
 *
 * Idempotent: a copied version's ClientRequestToken is derived from the source's ARN and
 * VersionId, the target and its current version, and the transforms, and an unchanged
 * target is skipped (values compared in constant time), so a rerun after a crash finishes
 * the job without a duplicate version, and a rerun after success writes nothing. A
 * regenerated secret is generated once, when its target is created.
 *
 * The result, its errors and the audit events name secrets and versions, never a value.
 * Values are held only for the writes planned (at most 64 KiB each). Rotation settings,
 * resource policies and replicas are not copied: they belong to each environment.
 * @example
 * const plan = await copyEnvironment(secrets, {
 *   from: 'prod',
 *   to: 'staging',
 *   exclude: ['billing/legacy-*'],
 *   transform: [{ replace: '_live_', with: '_test_' }],
 *   regenerate: ['**'],
 *   dryRun: true,
 * });
 * for (const entry of plan.entries) console.log(entry.action, entry.target);
 */
export async function copyEnvironment(
  client: SecretsClient,
  options: CopyEnvironmentOptions,
): Promise<CopyResult> {
  const request = checkCopyOptions(client, options);
  const plan = authorizeWrites(await planCopy(client, request), request);
  let entries: readonly CopyEntry[] = plan.map((planned) => planned.entry);
  if (!request.dryRun) {
    if (entries.some((entry) => entry.action !== 'skip' && entry.denied !== undefined))
      await refuse(plan, request);
    entries = await runWrites(plan, request);
  }
  const counts = { create: 0, update: 0, skip: 0 };
  for (const entry of entries) counts[entry.action]++;
  return { from: request.from, to: request.to, dryRun: request.dryRun, entries, counts };
}
