import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { ConflictError, RotationInProgressError } from '../../errors';
import { audited, call, type ClientContext } from '../context';
import type { RotateOptions, RotateResult } from '../types';
import { validateBoolean, validateDurationMs, validateSecretId, validateVersionToken } from '../validation';
import { describeRaw } from './describe';

const DEFAULT_TIMEOUT_MS = 300_000;
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;

/**
 * Starts a rotation. With `waitForCompletion` it polls DescribeSecret with exponential
 * backoff (250 ms doubling to 5 s) until the new version holds AWSCURRENT, the rotation is
 * abandoned (AWSPENDING leaves the version without AWSCURRENT arriving), or the time runs out.
 */
export async function rotateSecret(
  ctx: ClientContext,
  id: string,
  options: RotateOptions,
): Promise<RotateResult> {
  const secretId = validateSecretId(id);
  const wait = validateBoolean(options?.waitForCompletion, 'waitForCompletion', false);
  const timeoutMs = validateDurationMs(options?.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const token =
    options?.clientRequestToken === undefined
      ? undefined
      : validateVersionToken(options.clientRequestToken, 'clientRequestToken');

  return audited(
    ctx,
    'rotate',
    secretId,
    async () => {
      const started = await call('RotateSecret', secretId, () =>
        ctx.sm.send(
          new RotateSecretCommand({
            SecretId: secretId,
            ...(token === undefined ? {} : { ClientRequestToken: token }),
          }),
        ),
      );
      const result = {
        arn: started.ARN ?? '',
        name: started.Name ?? secretId,
        versionId: started.VersionId ?? '',
      };
      ctx.logger.debug('rotation started', { secretId, versionId: result.versionId });
      if (!wait) return { ...result, completed: false };
      await waitForRotation(ctx, secretId, result.versionId, timeoutMs);
      return { ...result, completed: true };
    },
    (result) => ({
      details: { versionId: result.versionId, completed: result.completed },
    }),
  );
}

async function waitForRotation(
  ctx: ClientContext,
  secretId: string,
  versionId: string,
  timeoutMs: number,
): Promise<void> {
  const start = ctx.clock.now();
  let delay = FIRST_DELAY_MS;
  for (;;) {
    const stages = (await describeRaw(ctx, secretId)).VersionIdsToStages?.[versionId] ?? [];
    if (stages.includes('AWSCURRENT')) return;
    if (!stages.includes('AWSPENDING')) {
      throw new ConflictError(
        `The rotation of ${JSON.stringify(secretId)} to version ${versionId} did not complete: AWSPENDING was removed ` +
          'without AWSCURRENT moving. Check the RotationFailed events and the rotation function logs.',
        { secretId },
      );
    }
    const left = timeoutMs - (ctx.clock.now() - start);
    if (left <= 0) {
      throw new RotationInProgressError(
        `The rotation of ${JSON.stringify(secretId)} to version ${versionId} is still in progress after ${timeoutMs} ms; ` +
          'it continues in Secrets Manager. Check describe() later, or raise timeoutMs.',
        { secretId },
      );
    }
    await ctx.clock.sleep(Math.min(delay, left));
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
}
