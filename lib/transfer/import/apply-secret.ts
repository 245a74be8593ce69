import { ConflictError } from '../../errors';
import { runOperation, type SecretsClient } from '../../client/secrets-client';
import type { BundleValue } from '../bundle';
import type { ImportProblem } from './import-error';
import { createImported, moveImportedLabel, putImported } from './import-operations';
import type { SecretDecision } from './plan-log';
import {
  targetTags,
  type ImportSettings,
  type PlannedSecret,
  type PlannedVersion,
  type SecretGroup,
} from './secret-group';
import { decisionOf, lookUp, retagged } from './target-lookup';

function noteMove(secret: PlannedSecret, stage: string, to: string, from: string | undefined): void {
  const holders = (secret.holders ??= new Map());
  holders.set(stage, to);
  if (stage === 'AWSCURRENT' && from !== undefined && from !== to) holders.set('AWSPREVIOUS', from);
}

/**
 * One version's labels made right: each label the version should carry and does not is
 * moved to it from the version that holds it (the compare-and-swap UpdateSecretVersionStage
 * takes). Moving AWSCURRENT moves AWSPREVIOUS to the version it left, as the service does.
 */
async function moveLabels(
  client: SecretsClient,
  secret: PlannedSecret,
  version: PlannedVersion,
  has: readonly string[],
  settings: ImportSettings,
): Promise<void> {
  for (const stage of version.stages) {
    if (has.includes(stage)) continue;
    const holder = secret.holders?.get(stage);
    await runOperation(
      client,
      moveImportedLabel,
      [{ secretId: secret.target!, stage, toVersionId: version.token, fromVersionId: holder }],
      settings.callOptions,
    );
    noteMove(secret, stage, version.token, holder);
  }
}

/** Pass 2's work for one secret: its versions in bundle order, then its tags. */
async function apply(
  client: SecretsClient,
  group: SecretGroup,
  values: readonly BundleValue[],
  settings: ImportSettings,
): Promise<void> {
  const { secret, head } = group;
  const target = secret.target!;
  for (const [i, version] of secret.versions.entries()) {
    const value = values[i]!;
    if (version.state === 'done' || version.state === 'same') continue;
    if (version.state === 'restage') {
      await moveLabels(client, secret, version, [], settings);
      continue;
    }
    if (i === 0 && secret.action === 'created') {
      await runOperation(
        client,
        createImported,
        [
          {
            secretId: target,
            value,
            token: version.token,
            stages: ['AWSCURRENT'],
            tags: targetTags(head, settings),
            description: head.description,
            kmsKeyId: settings.kmsKeyId,
          },
        ],
        settings.callOptions,
      );
      noteMove(secret, 'AWSCURRENT', version.token, undefined);
      await moveLabels(client, secret, version, ['AWSCURRENT'], settings);
      continue;
    }
    const stages = await runOperation(
      client,
      putImported,
      [{ secretId: target, value, token: version.token, stages: version.stages }],
      settings.callOptions,
    );
    for (const stage of version.stages) {
      if (stages.includes(stage)) noteMove(secret, stage, version.token, secret.holders?.get(stage));
    }
    // A version stored by an earlier run and since left without labels is not relabelled by
    // a put of the same token and value: move what it lacks.
    await moveLabels(client, secret, version, stages, settings);
  }
  if (secret.action === 'updated' && secret.tagsToApply !== undefined) {
    await client.tag(target, secret.tagsToApply, settings.callOptions);
  }
}

/**
 * Writes one secret as pass 1 decided, and answers the decision as carried out. A new
 * secret, or an existing one this import never wrote to, needs nothing more than the
 * decision: its versions are put with their labels, which the service moves from wherever
 * they are, and the tags pass 1 found missing or different are applied. A secret an earlier
 * run wrote to is looked up again, for where its labels are now, and must still be what
 * pass 1 found: if it changed meanwhile, ConflictError.
 */
export async function applyDecision(
  client: SecretsClient,
  group: SecretGroup,
  decision: SecretDecision,
  values: readonly BundleValue[],
  settings: ImportSettings,
): Promise<SecretDecision> {
  const { secret } = group;
  if (!decision.resumed) {
    secret.action = decision.action;
    if (decision.same) secret.versions[0]!.state = 'same';
    secret.tagsToApply = retagged(targetTags(group.head, settings), decision.retag);
    await apply(client, group, values, settings);
    return decision;
  }
  const problems: ImportProblem[] = [];
  await lookUp(client, group, settings, problems);
  const now = decisionOf(group, settings);
  if (problems.length > 0 || now.action !== decision.action || !now.resumed) {
    throw new ConflictError(
      `${JSON.stringify(secret.target)} changed between the two passes of the import (it is no longer ` +
        'as pass 1 found it): run the import again.',
      { secretId: secret.target! },
    );
  }
  await apply(client, group, values, settings);
  return now;
}
