import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { startLocalEndpoint, type LocalEndpoint, type RotationHandler } from '../../../lib/local';
import { cleanUpBuilds, genericBundle, tempDir } from '../../support/rotation-fixtures';

// Every state change a rotation makes is on disk before anything reports it: an endpoint
// restarted on the same data directory right after a rotation (or a test of the
// configuration, or a failure) sees what the one before it reported.

const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:rotate-generic';
const open: LocalEndpoint[] = [];

afterEach(async () => {
  for (const endpoint of open.splice(0)) await endpoint.close();
});
afterAll(() => cleanUpBuilds());

async function start(dataDir: string, options: Parameters<typeof startLocalEndpoint>[0] = {}) {
  const endpoint = await startLocalEndpoint({ dataDir, rotationAttempts: 1, ...options });
  open.push(endpoint);
  const sm = new SecretsManagerClient({
    endpoint: endpoint.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return { endpoint, sm };
}

async function restart(
  endpoint: LocalEndpoint,
  dataDir: string,
  options: Parameters<typeof startLocalEndpoint>[0] = {},
) {
  await endpoint.close();
  open.splice(open.indexOf(endpoint), 1);
  return start(dataDir, options);
}

/** A rotation function written against the SDK, as a Lambda would be. */
function rotation(sm: SecretsManagerClient, failAt?: string): RotationHandler {
  return async ({ Step, SecretId, ClientRequestToken }) => {
    if (Step === failAt) throw new Error(`${Step} refused`);
    if (Step === 'createSecret') {
      try {
        await sm.send(
          new GetSecretValueCommand({ SecretId, VersionId: ClientRequestToken, VersionStage: 'AWSPENDING' }),
        );
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
        await sm.send(
          new PutSecretValueCommand({
            SecretId,
            ClientRequestToken,
            SecretString: `next-${ClientRequestToken.slice(0, 8)}`,
            VersionStages: ['AWSPENDING'],
          }),
        );
      }
    }
    if (Step === 'finishSecret') {
      const stages = (await sm.send(new DescribeSecretCommand({ SecretId }))).VersionIdsToStages ?? {};
      const current = Object.keys(stages).find((id) => stages[id]!.includes('AWSCURRENT'));
      if (current !== ClientRequestToken) {
        await sm.send(
          new UpdateSecretVersionStageCommand({
            SecretId,
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: ClientRequestToken,
            RemoveFromVersionId: current,
          }),
        );
      }
    }
  };
}

const stagesOf = async (sm: SecretsManagerClient, name: string) =>
  (await sm.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages;

describe('rotation state survives a restart', () => {
  it('keeps LastRotatedDate, NextRotationDate and the stages of a rotation', async () => {
    const dataDir = tempDir('keystage-rotation-data-');
    const first = await start(dataDir);
    first.endpoint.registerRotationHandler(LAMBDA, rotation(first.sm));
    await first.sm.send(new CreateSecretCommand({ Name: 'persisted', SecretString: 'initial' }));
    const { VersionId: initial } = await first.sm.send(new GetSecretValueCommand({ SecretId: 'persisted' }));
    const { VersionId } = await first.sm.send(
      new RotateSecretCommand({
        SecretId: 'persisted',
        RotationLambdaARN: LAMBDA,
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );
    await first.endpoint.rotationsIdle();
    const before = await first.sm.send(new DescribeSecretCommand({ SecretId: 'persisted' }));
    expect(first.endpoint.rotationEvents.at(-1)?.type).toBe('RotationSucceeded');
    expect(before.LastRotatedDate).toBeInstanceOf(Date);

    const second = await restart(first.endpoint, dataDir);
    const after = await second.sm.send(new DescribeSecretCommand({ SecretId: 'persisted' }));
    expect(after.LastRotatedDate).toEqual(before.LastRotatedDate);
    expect(after.NextRotationDate).toEqual(before.NextRotationDate);
    expect(after.NextRotationDate!.getTime() - after.LastRotatedDate!.getTime()).toBe(30 * 86_400_000);
    expect(after.RotationEnabled).toBe(true);
    expect(after.RotationLambdaARN).toBe(LAMBDA);
    expect(after.VersionIdsToStages![VersionId!]).toContain('AWSCURRENT');
    expect(after.VersionIdsToStages![initial!]).toEqual(['AWSPREVIOUS']);
    expect((await second.sm.send(new GetSecretValueCommand({ SecretId: 'persisted' }))).SecretString).toBe(
      `next-${VersionId!.slice(0, 8)}`,
    );
  });

  it('leaves no pending version after a RotateImmediately:false test run', async () => {
    const dataDir = tempDir('keystage-rotation-data-');
    const first = await start(dataDir);
    first.endpoint.registerRotationHandler(LAMBDA, rotation(first.sm));
    await first.sm.send(new CreateSecretCommand({ Name: 'tested', SecretString: 'initial' }));
    const { VersionId } = await first.sm.send(
      new RotateSecretCommand({
        SecretId: 'tested',
        RotationLambdaARN: LAMBDA,
        RotationRules: { ScheduleExpression: 'rate(10 days)' },
        RotateImmediately: false,
      }),
    );
    await first.endpoint.rotationsIdle();
    expect(first.endpoint.rotationEvents.at(-1)).toMatchObject({
      type: 'RotationSucceeded',
      versionId: VersionId,
    });
    const before = await first.sm.send(new DescribeSecretCommand({ SecretId: 'tested' }));

    const second = await restart(first.endpoint, dataDir);
    const after = await second.sm.send(new DescribeSecretCommand({ SecretId: 'tested' }));
    expect(Object.values(after.VersionIdsToStages ?? {})).toEqual([['AWSCURRENT']]);
    const { Versions } = await second.sm.send(
      new ListSecretVersionIdsCommand({ SecretId: 'tested', IncludeDeprecated: true }),
    );
    expect(Versions?.map((v) => v.VersionId)).not.toContain(VersionId);
    expect(after.RotationEnabled).toBe(true);
    expect(after.LastRotatedDate).toBeUndefined();
    expect(after.NextRotationDate).toEqual(before.NextRotationDate);
    expect(after.NextRotationDate).toBeInstanceOf(Date);
  });

  it('keeps a failed rotation unfinished, and the restarted endpoint finishes that version', async () => {
    const dataDir = tempDir('keystage-rotation-data-');
    const first = await start(dataDir);
    first.endpoint.registerRotationHandler(LAMBDA, rotation(first.sm, 'testSecret'));
    await first.sm.send(new CreateSecretCommand({ Name: 'failing', SecretString: 'initial' }));
    const { VersionId } = await first.sm.send(
      new RotateSecretCommand({ SecretId: 'failing', RotationLambdaARN: LAMBDA }),
    );
    await first.endpoint.rotationsIdle();
    expect(first.endpoint.rotationEvents.at(-1)).toMatchObject({
      type: 'RotationFailed',
      step: 'testSecret',
    });

    const second = await restart(first.endpoint, dataDir);
    expect((await stagesOf(second.sm, 'failing'))![VersionId!]).toEqual(['AWSPENDING']);
    // No function registered after the restart: RotateSecret cannot invoke the configured one.
    await expect(
      second.sm.send(new RotateSecretCommand({ SecretId: 'failing', ClientRequestToken: VersionId })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect((await stagesOf(second.sm, 'failing'))![VersionId!]).toEqual(['AWSPENDING']);

    second.endpoint.registerRotationHandler(LAMBDA, rotation(second.sm));
    await second.sm.send(new RotateSecretCommand({ SecretId: 'failing', ClientRequestToken: VersionId }));
    await second.endpoint.rotationsIdle();
    expect((await stagesOf(second.sm, 'failing'))![VersionId!]).toContain('AWSCURRENT');
  });

  it('rotates through a child-process function and restarts with the new version current', async () => {
    const dataDir = tempDir('keystage-rotation-data-');
    const functions = { rotationFunctions: [{ arn: LAMBDA, handler: genericBundle() }] };
    const first = await start(dataDir, functions);
    await first.sm.send(new CreateSecretCommand({ Name: 'by-function', SecretString: 'initial' }));
    const { VersionId } = await first.sm.send(
      new RotateSecretCommand({ SecretId: 'by-function', RotationLambdaARN: LAMBDA }),
    );
    await first.endpoint.rotationsIdle();
    expect(first.endpoint.rotationEvents.at(-1)?.type).toBe('RotationSucceeded');
    const rotated = (await first.sm.send(new GetSecretValueCommand({ SecretId: 'by-function' })))
      .SecretString;

    const second = await restart(first.endpoint, dataDir, functions);
    const current = await second.sm.send(new GetSecretValueCommand({ SecretId: 'by-function' }));
    expect(current).toMatchObject({ VersionId, SecretString: rotated });
    expect(
      (await second.sm.send(new DescribeSecretCommand({ SecretId: 'by-function' }))).LastRotatedDate,
    ).toBeInstanceOf(Date);
  });
});
