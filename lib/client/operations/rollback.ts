import { UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { ConflictError, KeystageError, SecretNotFoundError, ValidationError } from '../../errors';
import { audited, call, type ClientContext } from '../context';
import type { RollbackOptions, RollbackResult, SecretVersion } from '../types';
import { validateSecretId, validateVersionToken } from '../validation';
import { fetchVersions } from './describe';

function holding(versions: readonly SecretVersion[], stage: string): SecretVersion | undefined {
  return versions.find((version) => version.stages.includes(stage));
}

/**
 * Moves AWSCURRENT to an earlier version. `RemoveFromVersionId` names the version we saw
 * holding AWSCURRENT, which makes the move a compare-and-swap: if another writer moved the
 * label in between, the service refuses and nothing changes. The refusal is confirmed by
 * re-reading the labels, so only a real lost race is reported as CONFLICT.
 */
export async function rollbackSecret(
  ctx: ClientContext,
  id: string,
  options: RollbackOptions,
): Promise<RollbackResult> {
  const secretId = validateSecretId(id);
  const wanted =
    options?.toVersionId === undefined ? undefined : validateVersionToken(options.toVersionId, 'toVersionId');
  return audited(
    ctx,
    'rollback',
    secretId,
    async () => {
      const { arn, name, versions } = await fetchVersions(ctx, secretId, true);
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
      try {
        await call('UpdateSecretVersionStage', secretId, () =>
          ctx.sm.send(
            new UpdateSecretVersionStageCommand({
              SecretId: secretId,
              VersionStage: 'AWSCURRENT',
              MoveToVersionId: target,
              RemoveFromVersionId: current.versionId,
            }),
          ),
        );
      } catch (error) {
        throw await explainRefusal(ctx, secretId, current.versionId, error);
      }
      ctx.logger.debug('rolled back', { secretId, from: current.versionId, to: target });
      return result;
    },
    (result) => ({
      details: { fromVersionId: result.fromVersionId, toVersionId: result.toVersionId },
    }),
  );
}

/** A refused move is a lost race only if AWSCURRENT has left the version we saw. */
async function explainRefusal(
  ctx: ClientContext,
  secretId: string,
  expectedCurrent: string,
  error: unknown,
): Promise<unknown> {
  if (!(error instanceof KeystageError) || !['VALIDATION_ERROR', 'CONFLICT'].includes(error.code))
    return error;
  const now = holding((await fetchVersions(ctx, secretId, true)).versions, 'AWSCURRENT')?.versionId;
  if (now === expectedCurrent) return error;
  return new ConflictError(
    `Another writer moved AWSCURRENT of ${JSON.stringify(secretId)} from ${expectedCurrent} to ${now ?? 'nothing'} ` +
      'during the rollback, so nothing was changed: re-read the versions and decide again.',
    { cause: error.cause ?? error, secretId },
  );
}
