import { UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import type { Operation } from '../../client/operation';
import { checkCallOptions, type CallOptions } from '../../client/options';
import { fetchVersions } from '../../client/operations/versions';
import type { CallContext } from '../../client/pipeline';
import { validateSecretId, validateVersionToken } from '../../core';

/** Where a rotation's version ended up once it was abandoned. */
export type AbandonedRotation =
  /** It finished after all (AWSCURRENT is on it): the caller must roll it back. */
  | 'completed'
  /** AWSPENDING was taken off it, so the rotation cannot finish later. */
  | 'abandoned'
  /** The version is not pending (never created, or already abandoned): nothing to do. */
  | 'not-pending';

interface Abandon {
  readonly secretId: string;
  readonly versionId: string;
}

/** The stages the version holds now. */
async function holds(context: CallContext, input: Abandon): Promise<readonly string[]> {
  const { versions } = await fetchVersions(context, input.secretId, true);
  return versions.find((version) => version.versionId === input.versionId)?.stages ?? [];
}

/**
 * Takes AWSPENDING off a version that is not AWSCURRENT: a rotation that did not complete,
 * or one rolled back. RotateSecret reattempts any version AWSPENDING is on apart from
 * AWSCURRENT (as the service documents), so without this the next rotation (or Secrets
 * Manager's retry) would finish it, and a group rolled back would not stay rolled back.
 * `RemoveFromVersionId` is that version: a compare-and-swap, refused if AWSPENDING moved.
 * The labels are read again afterwards: a rotation that finished in between is reported
 * `completed`. A label change, so an `update` of the secret as the access policy sees it (as
 * UpdateSecretVersionStage is in IAM); audited as a `rollback` whose details name the stage,
 * the version and the outcome.
 */
export const abandonRotation: Operation<
  [secretId: string, versionId: string, options: CallOptions],
  Abandon,
  AbandonedRotation
> = {
  name: 'rollback',
  kind: 'update',
  validate: (secretId, versionId, options) => {
    checkCallOptions(options, 'abandonRotation');
    return { secretId: validateSecretId(secretId), versionId: validateVersionToken(versionId, 'versionId') };
  },
  secretId: (input) => input.secretId,
  call: async (input, context) => {
    const stages = await holds(context, input);
    if (stages.includes('AWSCURRENT')) return 'completed';
    if (!stages.includes('AWSPENDING')) return 'not-pending';
    await context.send('UpdateSecretVersionStage', input.secretId, (sm) =>
      sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: input.secretId,
          VersionStage: 'AWSPENDING',
          RemoveFromVersionId: input.versionId,
        }),
      ),
    );
    return (await holds(context, input)).includes('AWSCURRENT') ? 'completed' : 'abandoned';
  },
  audit: {
    action: 'rollback',
    describe: (input, outcome) => ({
      details: { stage: 'AWSPENDING', abandonedVersionId: input.versionId, outcome },
    }),
  },
};
