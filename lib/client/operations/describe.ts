import { DescribeSecretCommand, type DescribeSecretCommandOutput } from '@aws-sdk/client-secrets-manager';
import { validateSecretId } from '../../core';
import type { Operation } from '../operation';
import { checkCallOptions, type CallOptions } from '../options';
import type { CallContext } from '../pipeline';
import { listItemFrom, newestFirst, type SecretSummary, type SecretVersion } from './secret-summary';
import { fetchVersions } from './versions';

/** One DescribeSecret, errors mapped. */
export function describeRaw(context: CallContext, secretId: string): Promise<DescribeSecretCommandOutput> {
  return context.send('DescribeSecret', secretId, (sm) =>
    sm.send(new DescribeSecretCommand({ SecretId: secretId })),
  );
}

/**
 * `describe`: everything about a secret but its value. DescribeSecret has the stages but
 * no dates; ListSecretVersionIds has the dates, so both are read and joined by VersionId.
 */
export const describe: Operation<[id: string, options: CallOptions], string, SecretSummary> = {
  name: 'describe',
  kind: 'list',
  validate: (id, options) => (checkCallOptions(options, 'describe'), validateSecretId(id)),
  secretId: (secretId) => secretId,
  call: async (secretId, context) => {
    const described = await describeRaw(context, secretId);
    const dated = new Map(
      (await fetchVersions(context, secretId, true)).versions.map((version) => [version.versionId, version]),
    );
    const versions = Object.entries(described.VersionIdsToStages ?? {}).map(
      ([versionId, stages]): SecretVersion => ({
        versionId,
        stages,
        createdAt: dated.get(versionId)?.createdAt,
        lastAccessedAt: dated.get(versionId)?.lastAccessedAt,
      }),
    );
    return {
      ...listItemFrom(described, described.VersionIdsToStages),
      versions: versions.sort(newestFirst),
      replicas: (described.ReplicationStatus ?? []).map((replica) => ({
        region: replica.Region ?? '',
        status: replica.Status,
        statusMessage: replica.StatusMessage,
        kmsKeyId: replica.KmsKeyId,
      })),
    };
  },
};
