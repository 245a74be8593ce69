import {
  InvalidParameterException,
  ListSecretVersionIdsCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import {
  arnOf,
  clientFixture,
  meta,
  rejection,
  sm,
  version,
  type ClientFixture,
} from '../../../support/client-fixture';

const NAME = 'prod/app/key';
const [V1, V2, V3] = [version('v1'), version('v2'), version('v3')];

function versions(stages: Record<string, string[]>) {
  return {
    ARN: arnOf(NAME),
    Name: NAME,
    Versions: Object.entries(stages).map(([VersionId, VersionStages]) => ({ VersionId, VersionStages })),
  };
}

describe('SecretsClient.rollback', () => {
  let f: ClientFixture;
  beforeEach(() => {
    f = clientFixture();
    sm.on(ListSecretVersionIdsCommand).resolves(
      versions({ [V1]: [], [V2]: ['AWSPREVIOUS'], [V3]: ['AWSCURRENT'] }),
    );
    sm.on(UpdateSecretVersionStageCommand).resolves({ ARN: arnOf(NAME), Name: NAME });
  });

  it('moves AWSCURRENT back to AWSPREVIOUS with RemoveFromVersionId as the compare-and-swap', async () => {
    const result = await f.client.rollback(NAME);
    expect(result).toEqual({ arn: arnOf(NAME), name: NAME, fromVersionId: V3, toVersionId: V2 });
    expect(sm).toHaveReceivedCommandWith(UpdateSecretVersionStageCommand, {
      SecretId: NAME,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: V2,
      RemoveFromVersionId: V3,
    });
    expect(sm).toHaveReceivedCommandWith(ListSecretVersionIdsCommand, { IncludeDeprecated: true });
    expect(f.events[0]).toMatchObject({
      action: 'rollback',
      success: true,
      details: { from_version_id: V3, to_version_id: V2 },
    });
  });

  it('moves to a given version, even an unlabelled one', async () => {
    await f.client.rollback(NAME, { toVersionId: V1 });
    expect(sm).toHaveReceivedCommandWith(UpdateSecretVersionStageCommand, {
      MoveToVersionId: V1,
      RemoveFromVersionId: V3,
    });
  });

  it('does nothing when the target already holds AWSCURRENT', async () => {
    const result = await f.client.rollback(NAME, { toVersionId: V3 });
    expect(result.toVersionId).toBe(V3);
    expect(sm).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);
  });

  it('reports a lost race as CONFLICT and changes nothing more', async () => {
    const refused = new InvalidParameterException({
      message:
        'When you move staging label AWSCURRENT, RemoveFromVersionId must be set to the version that currently has it.',
      ...meta,
    });
    sm.on(UpdateSecretVersionStageCommand).rejects(refused);
    sm.on(ListSecretVersionIdsCommand)
      .resolvesOnce(versions({ [V2]: ['AWSPREVIOUS'], [V3]: ['AWSCURRENT'] }))
      .resolves(versions({ [V2]: [], [V3]: ['AWSPREVIOUS'], [V1]: ['AWSCURRENT'] }));
    const error = await rejection(f.client.rollback(NAME));
    expect(error).toMatchObject({ code: 'CONFLICT', cause: refused });
    expect(error.message).toContain(`from ${V3} to ${V1}`);
    expect(sm).toHaveReceivedCommandTimes(UpdateSecretVersionStageCommand, 1);
    expect(f.events[0]).toMatchObject({ action: 'rollback', success: false, reason: 'CONFLICT' });
  });

  it('keeps the original error when AWSCURRENT did not move', async () => {
    sm.on(UpdateSecretVersionStageCommand).rejects(
      new InvalidParameterException({ message: 'other', ...meta }),
    );
    expect((await rejection(f.client.rollback(NAME))).code).toBe('VALIDATION_ERROR');
  });

  it('asks for toVersionId when there is no AWSPREVIOUS', async () => {
    sm.on(ListSecretVersionIdsCommand).resolves(versions({ [V3]: ['AWSCURRENT'] }));
    expect(await rejection(f.client.rollback(NAME))).toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'toVersionId',
    });
    expect(sm).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);
  });

  it('reports an unknown toVersionId as SECRET_NOT_FOUND', async () => {
    expect((await rejection(f.client.rollback(NAME, { toVersionId: version('nope') }))).code).toBe(
      'SECRET_NOT_FOUND',
    );
    expect(sm).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);
  });

  it('rejects a malformed toVersionId before any call', async () => {
    expect(await rejection(f.client.rollback(NAME, { toVersionId: 'x' }))).toMatchObject({
      field: 'toVersionId',
    });
    expect(sm).not.toHaveReceivedAnyCommand();
  });
});
