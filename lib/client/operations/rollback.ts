import { UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { validateSecretId, validateVersionToken } from '../../core';
import { ConflictError, KeystageError, SecretNotFoundError, ValidationError } from '../../errors';
import type { Operation } from '../operation';
import type { CallOptions } from '../options';
import type { CallContext } from '../pipeline';
import type { SecretVersion } from './secret-summary';
import { fetchVersions } from './versions';

export interface RollbackOptions extends CallOptions {
  /** The version to make AWSCURRENT. @default - the version labelled AWSPREVIOUS */
  readonly toVersionId?: string;
  /**
   * The version expected to hold AWSCURRENT, making the whole rollback a compare-and-swap on
   * it: if another version holds AWSCURRENT (a writer moved it since you looked), the rollback
   * fails with CONFLICT and changes nothing. When AWSCURRENT is on the target already, the
   * rollback is done and succeeds without a change, so a repeated rollback is safe.
   * @default - whichever version holds AWSCURRENT when the rollback reads the labels
   */
  readonly fromVersionId?: string;
}

export interface RollbackResult {
  readonly arn: string;
  readonly name: string;
  /** The version that held AWSCURRENT before (now AWSPREVIOUS). */
  readonly fromVersionId: string;
  /** The version that holds AWSCURRENT now. */
  readonly toVersionId: string;
}

function holding(versions: readonly SecretVersion[], stage: string): SecretVersion | undefined {
  return versions.find((version) => version.stages.includes(stage));
}

/** A refused move is a lost race only if AWSCURRENT has left the version we saw. */
async function explainRefusal(
  context: CallContext,
  secretId: string,
  expectedCurrent: string,
  error: unknown,
): Promise<unknown> {
  if (!(error instanceof KeystageError) || !['VALIDATION_ERROR', 'CONFLICT'].includes(error.code))
    return error;
  const now = holding((await fetchVersions(context, secretId, true)).versions, 'AWSCURRENT')?.versionId;
  if (now === expectedCurrent) return error;
  return new ConflictError(
    `Another writer moved AWSCURRENT of ${JSON.stringify(secretId)} from ${expectedCurrent} to ${now ?? 'nothing'} ` +
      'during the rollback, so nothing was changed: re-read the versions and decide again.',
    { cause: error.cause ?? error, secretId },
  );
}

/**
 * `rollback`: moves AWSCURRENT to an earlier version. `RemoveFromVersionId` names the
 * version we saw holding AWSCURRENT, which makes the move a compare-and-swap: if another
 * writer moved the label in between, the service refuses and nothing changes. The refusal
 * is confirmed by re-reading the labels, so only a real lost race is reported as CONFLICT.
 */
export const rollback: Operation<
  [id: string, options: RollbackOptions],
  { readonly secretId: string; readonly wanted: string | undefined; readonly expected: string | undefined },
  RollbackResult
> = {
  name: 'rollback',
  kind: 'update',
  validate: (id, options) => ({
    secretId: validateSecretId(id),
    wanted:
      options?.toVersionId === undefined
        ? undefined
        : validateVersionToken(options.toVersionId, 'toVersionId'),
    expected:
      options?.fromVersionId === undefined
        ? undefined
        : validateVersionToken(options.fromVersionId, 'fromVersionId'),
  }),
  secretId: (input) => input.secretId,
  call: async ({ secretId, wanted, expected }, context) => {
    const { arn, name, versions } = await fetchVersions(context, secretId, true);
    const current = holding(versions, 'AWSCURRENT');
    if (current === undefined) {
      throw new ConflictError(
        `Secret ${JSON.stringify(secretId)} has no AWSCURRENT version to roll back from.`,
        {
          secretId,
        },
      );
    }
    const target = wanted ?? holding(versions, 'AWSPREVIOUS')?.versionId;
    if (target === undefined) {
      throw new ValidationError(
        'toVersionId',
        `Secret ${JSON.stringify(secretId)} has no AWSPREVIOUS version: pass toVersionId (see versions()).`,
        { secretId },
      );
    }
    if (!versions.some((version) => version.versionId === target)) {
      throw new SecretNotFoundError(
        `Secret ${JSON.stringify(secretId)} has no version ${JSON.stringify(target)}: see versions({ includeDeprecated: true }).`,
        { secretId },
      );
    }
    const result = {
      arn: arn ?? '',
      name: name ?? secretId,
      fromVersionId: current.versionId,
      toVersionId: target,
    };
    if (target === current.versionId) return result;
    if (expected !== undefined && expected !== current.versionId) {
      throw new ConflictError(
        `AWSCURRENT of ${JSON.stringify(secretId)} is on ${current.versionId}, not on ${expected} (fromVersionId): ` +
          'another writer moved it, so nothing was changed. Re-read the versions and decide again.',
        { secretId },
      );
    }
    try {
      await context.send('UpdateSecretVersionStage', secretId, (sm) =>
        sm.send(
          new UpdateSecretVersionStageCommand({
            SecretId: secretId,
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: target,
            RemoveFromVersionId: current.versionId,
          }),
        ),
      );
    } catch (error) {
      throw await explainRefusal(context, secretId, current.versionId, error);
    }
    context.logger.debug('rolled back', { secretId, from: current.versionId, to: target });
    return result;
  },
  audit: {
    action: 'rollback',
    describe: (_input, result) => ({
      details: { fromVersionId: result.fromVersionId, toVersionId: result.toVersionId },
    }),
  },
};
