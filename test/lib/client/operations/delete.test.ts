import {
  DeleteSecretCommand,
  InvalidRequestException,
  RestoreSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import {
  arnOf,
  clientFixture,
  meta,
  rejection,
  sm,
  type ClientFixture,
} from '../../../support/client-fixture';

const NAME = 'dev/app/scratch';
const WHEN = new Date(Date.UTC(2026, 1, 1));

describe('SecretsClient.delete and undelete', () => {
  let f: ClientFixture;
  beforeEach(() => {
    f = clientFixture();
    sm.on(DeleteSecretCommand).resolves({ ARN: arnOf(NAME), Name: NAME, DeletionDate: WHEN });
    sm.on(RestoreSecretCommand).resolves({ ARN: arnOf(NAME), Name: NAME });
  });

  it('schedules deletion after 30 days by default', async () => {
    await expect(f.client.delete(NAME)).resolves.toEqual({
      arn: arnOf(NAME),
      name: NAME,
      deletionDate: WHEN,
    });
    expect(sm).toHaveReceivedCommandWith(DeleteSecretCommand, { SecretId: NAME, RecoveryWindowInDays: 30 });
    expect(f.events[0]).toMatchObject({ action: 'delete', details: { recovery_window_days: 30 } });
  });

  it('uses the given recovery window', async () => {
    await f.client.delete(NAME, { recoveryWindowDays: 7 });
    expect(sm).toHaveReceivedCommandWith(DeleteSecretCommand, { RecoveryWindowInDays: 7 });
  });

  it('deletes at once with force', async () => {
    await f.client.delete(NAME, { force: true });
    const input = sm.commandCalls(DeleteSecretCommand)[0]!.args[0].input;
    expect(input).toEqual({ SecretId: NAME, ForceDeleteWithoutRecovery: true });
  });

  it.each<[object, string]>([
    [{ recoveryWindowDays: 6 }, 'recoveryWindowDays'],
    [{ recoveryWindowDays: 31 }, 'recoveryWindowDays'],
    [{ recoveryWindowDays: 7.5 }, 'recoveryWindowDays'],
    [{ force: true, recoveryWindowDays: 7 }, 'force'],
    [{ force: 'yes' }, 'force'],
  ])('rejects %p before any call', async (options, field) => {
    expect(await rejection(f.client.delete(NAME, options))).toMatchObject({
      code: 'VALIDATION_ERROR',
      field,
    });
    expect(sm).not.toHaveReceivedAnyCommand();
  });

  it('undeletes', async () => {
    await expect(f.client.undelete(NAME)).resolves.toEqual({ arn: arnOf(NAME), name: NAME });
    expect(sm).toHaveReceivedCommandWith(RestoreSecretCommand, { SecretId: NAME });
    expect(f.events[0]).toMatchObject({ action: 'undelete', success: true });
  });

  it('maps a write to a secret scheduled for deletion', async () => {
    sm.on(DeleteSecretCommand).rejects(
      new InvalidRequestException({ message: 'The secret is already scheduled for deletion.', ...meta }),
    );
    expect((await rejection(f.client.delete(NAME))).code).toBe('SECRET_SCHEDULED_FOR_DELETION');
  });
});
