import { DeleteSecretCommand, RestoreSecretCommand } from '@aws-sdk/client-secrets-manager';
import { ValidationError } from '../../errors';
import { audited, call, type ClientContext } from '../context';
import type { DeleteOptions, DeleteResult, SecretIdentity } from '../types';
import { validateBoolean, validateInteger, validateSecretId } from '../validation';

/** Schedules deletion after a recovery window, or deletes at once with `force`. */
export async function deleteSecret(
  ctx: ClientContext,
  id: string,
  options: DeleteOptions,
): Promise<DeleteResult> {
  const secretId = validateSecretId(id);
  const force = validateBoolean(options?.force, 'force', false);
  if (force && options.recoveryWindowDays !== undefined) {
    throw new ValidationError(
      'force',
      'Pass either force (delete now) or recoveryWindowDays (delete later), not both.',
    );
  }
  const days = force
    ? undefined
    : validateInteger(options?.recoveryWindowDays ?? 30, 'recoveryWindowDays', 7, 30);
  const details: Record<string, number | boolean> =
    days === undefined ? { force: true } : { recoveryWindowDays: days };
  return audited(
    ctx,
    'delete',
    secretId,
    async () => {
      const output = await call('DeleteSecret', secretId, () =>
        ctx.sm.send(
          new DeleteSecretCommand({
            SecretId: secretId,
            ...(days === undefined ? { ForceDeleteWithoutRecovery: true } : { RecoveryWindowInDays: days }),
          }),
        ),
      );
      return { arn: output.ARN ?? '', name: output.Name ?? secretId, deletionDate: output.DeletionDate };
    },
    () => ({ details }),
  );
}

/** Cancels a scheduled deletion. */
export async function undeleteSecret(ctx: ClientContext, id: string): Promise<SecretIdentity> {
  const secretId = validateSecretId(id);
  return audited(ctx, 'undelete', secretId, async () => {
    const output = await call('RestoreSecret', secretId, () =>
      ctx.sm.send(new RestoreSecretCommand({ SecretId: secretId })),
    );
    return { arn: output.ARN ?? '', name: output.Name ?? secretId };
  });
}
