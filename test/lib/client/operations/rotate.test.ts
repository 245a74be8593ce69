import {
  DescribeSecretCommand,
  InvalidRequestException,
  RotateSecretCommand,
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

const NAME = 'prod/app/db';
const [OLD, NEW] = [version('old'), version('new')];
const pending = { VersionIdsToStages: { [OLD]: ['AWSCURRENT'], [NEW]: ['AWSPENDING'] } };
const done = { VersionIdsToStages: { [OLD]: ['AWSPREVIOUS'], [NEW]: ['AWSCURRENT', 'AWSPENDING'] } };

describe('SecretsClient.rotate', () => {
  let f: ClientFixture;
  beforeEach(() => {
    f = clientFixture();
    sm.on(RotateSecretCommand).resolves({ ARN: arnOf(NAME), Name: NAME, VersionId: NEW });
  });

  it('starts a rotation and returns at once by default', async () => {
    const result = await f.client.rotate(NAME);
    expect(result).toEqual({ arn: arnOf(NAME), name: NAME, versionId: NEW, completed: false });
    expect(sm).toHaveReceivedCommandWith(RotateSecretCommand, { SecretId: NAME });
    expect(sm).not.toHaveReceivedCommand(DescribeSecretCommand);
    expect(f.events[0]).toMatchObject({ action: 'rotate', version_id: NEW, details: { completed: false } });
  });

  it('passes the idempotency token', async () => {
    await f.client.rotate(NAME, { clientRequestToken: 'c'.repeat(36) });
    expect(sm).toHaveReceivedCommandWith(RotateSecretCommand, { ClientRequestToken: 'c'.repeat(36) });
  });

  it('waits with doubling delays until the new version is AWSCURRENT', async () => {
    sm.on(DescribeSecretCommand)
      .resolvesOnce(pending)
      .resolvesOnce(pending)
      .resolvesOnce(pending)
      .resolvesOnce(pending)
      .resolvesOnce(pending)
      .resolvesOnce(pending)
      .resolves(done);
    const result = await f.client.rotate(NAME, { waitForCompletion: true });
    expect(result.completed).toBe(true);
    expect(f.clock.sleeps).toEqual([250, 500, 1000, 2000, 4000, 5000]);
  });

  it('gives up after timeoutMs with ROTATION_IN_PROGRESS, never sleeping past it', async () => {
    sm.on(DescribeSecretCommand).resolves(pending);
    const error = await rejection(f.client.rotate(NAME, { waitForCompletion: true, timeoutMs: 3_000 }));
    expect(error.code).toBe('ROTATION_IN_PROGRESS');
    expect(error.message).toContain('3000 ms');
    expect(f.clock.sleeps).toEqual([250, 500, 1000, 1250]);
  });

  it('reports an abandoned rotation as CONFLICT', async () => {
    sm.on(DescribeSecretCommand)
      .resolvesOnce(pending)
      .resolves({ VersionIdsToStages: { [OLD]: ['AWSCURRENT'] } });
    const error = await rejection(f.client.rotate(NAME, { waitForCompletion: true }));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toMatch(/RotationFailed/);
  });

  it('maps an unfinished previous rotation to ROTATION_IN_PROGRESS', async () => {
    const busy = new InvalidRequestException({
      message: "A previous rotation isn't complete. That rotation will be reattempted.",
      ...meta,
    });
    sm.on(RotateSecretCommand).rejects(busy);
    expect(await rejection(f.client.rotate(NAME))).toMatchObject({
      code: 'ROTATION_IN_PROGRESS',
      cause: busy,
    });
  });

  it.each([[0], [-5], [NaN], [Infinity], [2 ** 31]])(
    'rejects timeoutMs %p before any call',
    async (timeoutMs) => {
      expect(await rejection(f.client.rotate(NAME, { waitForCompletion: true, timeoutMs }))).toMatchObject({
        field: 'timeoutMs',
      });
      expect(sm).not.toHaveReceivedAnyCommand();
    },
  );
});
