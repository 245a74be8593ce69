import { DeleteSecretCommand, RestoreSecretCommand } from '@aws-sdk/client-secrets-manager';
import { validateBoolean, validateInteger, validateSecretId } from '../../core';
import { ValidationError } from '../../errors';
import type { Operation } from '../operation';
import { checkCallOptions, type CallOptions } from '../options';
import { identityFrom, type SecretIdentity } from './identity';

export interface DeleteOptions extends CallOptions {
  /** Days before deletion becomes final, 7..30. @default 30 */
  readonly recoveryWindowDays?: number;
  /** Delete at once with no recovery. Not allowed with `recoveryWindowDays`. @default false */
  readonly force?: boolean;
}

export interface DeleteResult {
  readonly arn: string;
  readonly name: string;
  /** When the secret is gone for good. */
  readonly deletionDate: Date | undefined;
}

/** `delete`: schedules deletion after a recovery window, or deletes at once with `force`. */
export const deleteSecret: Operation<
  [id: string, options: DeleteOptions],
  { readonly secretId: string; readonly days: number | undefined },
  DeleteResult
> = {
  name: 'delete',
  kind: 'delete',
  validate: (id, options) => {
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
    return { secretId, days };
  },
  secretId: (input) => input.secretId,
  call: async ({ secretId, days }, context) => {
    const output = await context.send('DeleteSecret', secretId, (sm) =>
      sm.send(
        new DeleteSecretCommand({
          SecretId: secretId,
          ...(days === undefined ? { ForceDeleteWithoutRecovery: true } : { RecoveryWindowInDays: days }),
        }),
      ),
    );
    return { ...identityFrom(output, secretId), deletionDate: output.DeletionDate };
  },
  audit: {
    action: 'delete',
    describe: ({ days }) => {
      const details: Record<string, number | boolean> =
        days === undefined ? { force: true } : { recoveryWindowDays: days };
      return { details };
    },
  },
};

/** `undelete`: cancels a scheduled deletion. */
export const undelete: Operation<[id: string, options: CallOptions], string, SecretIdentity> = {
  name: 'undelete',
  kind: 'delete',
  validate: (id, options) => (checkCallOptions(options, 'undelete'), validateSecretId(id)),
  secretId: (secretId) => secretId,
  call: async (secretId, context) =>
    identityFrom(
      await context.send('RestoreSecret', secretId, (sm) =>
        sm.send(new RestoreSecretCommand({ SecretId: secretId })),
      ),
      secretId,
    ),
  audit: { action: 'undelete' },
};
