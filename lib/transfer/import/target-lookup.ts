import { KEYSTAGE_TAGS } from '../../core';
import { kindOf } from '../../organise/kinds';
import { runOperation, type SecretsClient } from '../../client/secrets-client';
import { describeForTransfer, readCurrentValues } from '../export/export-operations';
import { valueChecksum } from '../export/secret-manifest';
import type { ImportProblem } from './import-error';
import type { SecretDecision } from './plan-log';
import { targetTags, type ImportSettings, type SecretGroup } from './secret-group';

function holdersOf(stages: Readonly<Record<string, readonly string[]>>): Map<string, string> {
  const holders = new Map<string, string>();
  for (const [versionId, labels] of Object.entries(stages))
    for (const label of labels) holders.set(label, versionId);
  return holders;
}

/**
 * Decides what to do to one secret from the target as it is: absent (create), ours from an
 * earlier run (finish it), someone else's (skip unless `overwrite`, or nothing to do when it
 * already holds the value and tags). A conflict that makes the bundle unimportable is a
 * problem, which refuses the whole import.
 */
export async function lookUp(
  client: SecretsClient,
  group: SecretGroup,
  settings: ImportSettings,
  problems: ImportProblem[],
): Promise<void> {
  const { secret } = group;
  const target = secret.target!;
  const existing = await runOperation(client, describeForTransfer, [target], settings.callOptions);
  if (existing === undefined) return;
  if (existing.deleted) {
    problems.push({
      name: secret.source,
      field: 'map',
      message: `the target ${JSON.stringify(target)} is scheduled for deletion: restore it (undelete) or map the secret elsewhere`,
    });
    return;
  }
  const kind = kindOf(existing.tags[KEYSTAGE_TAGS.type]);
  if (kind !== undefined && secret.kind !== null && kind !== secret.kind) {
    problems.push({
      name: secret.source,
      field: 'manifest.kind',
      message: `the bundle holds a '${secret.kind}' secret but ${JSON.stringify(target)} is a '${kind}' secret`,
    });
    return;
  }
  secret.holders = holdersOf(existing.stages);
  const tagsToApply = Object.fromEntries(
    Object.entries(targetTags(group.head, settings)).filter(([key, value]) => existing.tags[key] !== value),
  );
  secret.tagsToApply = Object.keys(tagsToApply).length === 0 ? undefined : tagsToApply;
  for (const version of secret.versions) {
    const labels = existing.stages[version.token];
    if (labels === undefined) continue;
    secret.resumed = true;
    version.state = version.stages.every((stage) => labels.includes(stage)) ? 'done' : 'restage';
  }
  if (!secret.resumed && !settings.overwrite) {
    secret.action = 'skipped';
    secret.skip = 'exists';
    return;
  }
  if (!secret.resumed && secret.versions.length === 1) {
    // Overwriting with the value the target already holds would only add a version.
    const { values } = await runOperation(client, readCurrentValues, [[target]], settings.callOptions);
    const current = values.get(target);
    if (current !== undefined && valueChecksum(current.value) === secret.versions[0]!.sha256) {
      const labels = existing.stages[current.versionId] ?? [];
      if (secret.versions[0]!.stages.every((stage) => labels.includes(stage)))
        secret.versions[0]!.state = 'same';
    }
  }
  const pending = secret.versions.some((version) => version.state === 'write' || version.state === 'restage');
  secret.action = pending || secret.tagsToApply !== undefined ? 'updated' : 'unchanged';
}

/** The tags of `tags` that `retag` names (see SecretDecision), or undefined for none. */
export function retagged(
  tags: Readonly<Record<string, string>>,
  retag: bigint,
): Readonly<Record<string, string>> | undefined {
  if (retag === 0n) return undefined;
  return Object.fromEntries(Object.entries(tags).filter((_, i) => ((retag >> BigInt(i)) & 1n) === 1n));
}

/** What a planned secret comes to, as the plan log keeps it. */
export function decisionOf(group: SecretGroup, settings: ImportSettings): SecretDecision {
  const { secret } = group;
  let retag = 0n;
  if (secret.tagsToApply !== undefined) {
    Object.keys(targetTags(group.head, settings)).forEach((key, i) => {
      if (key in secret.tagsToApply!) retag |= 1n << BigInt(i);
    });
  }
  const versions =
    secret.action === 'created'
      ? secret.versions.length
      : secret.action === 'updated'
        ? secret.versions.filter((version) => version.state === 'write' || version.state === 'restage').length
        : 0;
  return {
    action: secret.action,
    skip: secret.skip,
    versions,
    same: secret.versions[0]?.state === 'same',
    retag,
    resumed: secret.resumed,
  };
}
