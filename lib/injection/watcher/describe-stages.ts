import type { Operation } from '../../client/operation';
import { describeRaw } from '../../client/operations/describe';
import { checkCallOptions, type CallOptions } from '../../client/options';
import { validateSecretId } from '../../core';

/** What one DescribeSecret says about where a secret's staging labels are. */
export interface SecretStages {
  readonly arn: string | undefined;
  readonly name: string | undefined;
  /** The version AWSCURRENT is on; undefined for a secret with no current version. */
  readonly currentVersionId: string | undefined;
  readonly versionIdsToStages: Readonly<Record<string, readonly string[]>>;
}

/** The version `stage` is on, from DescribeSecret's VersionIdsToStages. */
export function versionWithStage(
  stages: Readonly<Record<string, readonly string[]>>,
  stage: string,
): string | undefined {
  for (const [versionId, labels] of Object.entries(stages)) if (labels.includes(stage)) return versionId;
  return undefined;
}

/**
 * The watcher's poll: one DescribeSecret and nothing else (`describe` also lists the
 * versions for their dates, a second call the watcher does not need). It is a `describe` to
 * the access policy, the rate limits and the audit trail, which is what it is.
 */
export const describeStages: Operation<[id: string, options: CallOptions], string, SecretStages> = {
  name: 'describe',
  kind: 'list',
  validate: (id, options) => (checkCallOptions(options, 'describe'), validateSecretId(id)),
  secretId: (secretId) => secretId,
  call: async (secretId, context) => {
    const described = await describeRaw(context, secretId);
    const versionIdsToStages = described.VersionIdsToStages ?? {};
    return {
      arn: described.ARN,
      name: described.Name,
      currentVersionId: versionWithStage(versionIdsToStages, 'AWSCURRENT'),
      versionIdsToStages,
    };
  },
};
