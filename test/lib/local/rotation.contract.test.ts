import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  CreateSecretCommand,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
  CancelRotateSecretCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { RotationHandlerEvent } from '../../../lib/local';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:rotate-generic';
let local: LocalFixture;
let sm: SecretsManagerClient;
let n = 0;

/** A minimal generic rotation function, written against the real SDK like a Lambda would be. */
function genericRotation(client: SecretsManagerClient, steps: string[], failTest = { times: 0 }) {
  return async (event: RotationHandlerEvent) => {
    steps.push(event.Step);
    const { SecretId: id, ClientRequestToken: token } = event;
    if (event.Step === 'createSecret') {
      try {
        await client.send(
          new GetSecretValueCommand({ SecretId: id, VersionId: token, VersionStage: 'AWSPENDING' }),
        );
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
        await client.send(
          new PutSecretValueCommand({
            SecretId: id,
            ClientRequestToken: token,
            SecretString: `rotated-${token.slice(0, 8)}`,
            VersionStages: ['AWSPENDING'],
          }),
        );
      }
    } else if (event.Step === 'testSecret' && failTest.times > 0) {
      failTest.times--;
      throw new Error('test connection refused');
    } else if (event.Step === 'finishSecret') {
      const stages =
        (await client.send(new DescribeSecretCommand({ SecretId: id }))).VersionIdsToStages ?? {};
      const current = Object.keys(stages).find((v) => stages[v]!.includes('AWSCURRENT'));
      if (current === token) return;
      await client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: id,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: token,
          RemoveFromVersionId: current,
        }),
      );
    }
  };
}

beforeAll(async () => {
  local = await startLocal({ rotationAttempts: 2 });
  sm = local.sm();
});
afterAll(() => local.endpoint.close());

async function newSecret(): Promise<string> {
  const name = `rotating-${++n}`;
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'initial' }));
  return name;
}

describe('local RotateSecret', () => {
  it('runs the four steps in order through a registered handler and records the events', async () => {
    const steps: string[] = [];
    local.endpoint.registerRotationHandler(LAMBDA, genericRotation(sm, steps));
    const name = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: LAMBDA,
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );
    await local.endpoint.rotationsIdle();
    expect(steps).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    const current = await sm.send(new GetSecretValueCommand({ SecretId: name }));
    expect(current).toMatchObject({ VersionId, SecretString: `rotated-${VersionId!.slice(0, 8)}` });
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.RotationEnabled).toBe(true);
    expect(described.LastRotatedDate).toBeInstanceOf(Date);
    expect(described.NextRotationDate!.getTime() - described.LastRotatedDate!.getTime()).toBe(
      30 * 86_400_000,
    );
    expect(local.endpoint.rotationEvents.filter((e) => e.versionId === VersionId).map((e) => e.type)).toEqual(
      ['RotationStarted', 'RotationSucceeded'],
    );
  });

  it('retries a failed rotation with the same token, as the service does', async () => {
    const steps: string[] = [];
    local.endpoint.registerRotationHandler(LAMBDA, genericRotation(sm, steps, { times: 1 }));
    const name = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA }),
    );
    await local.endpoint.rotationsIdle();
    expect(steps).toEqual([
      'createSecret',
      'setSecret',
      'testSecret',
      'createSecret',
      'setSecret',
      'testSecret',
      'finishSecret',
    ]);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).VersionId).toBe(VersionId);
  });

  it('records RotationFailed and leaves AWSCURRENT alone when every attempt fails', async () => {
    local.endpoint.registerRotationHandler(LAMBDA, genericRotation(sm, [], { times: 5 }));
    const name = await newSecret();
    const { VersionId } = await sm.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA }),
    );
    await local.endpoint.rotationsIdle();
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('initial');
    expect(local.endpoint.rotationEvents.filter((e) => e.versionId === VersionId).at(-1)).toMatchObject({
      type: 'RotationFailed',
      step: 'testSecret',
    });
    await sm.send(new CancelRotateSecretCommand({ SecretId: name }));
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.RotationEnabled).toBe(false);
    expect(Object.values(described.VersionIdsToStages ?? {}).flat()).not.toContain('AWSPENDING');
  });

  it('only tests the configuration when RotateImmediately is false', async () => {
    const steps: string[] = [];
    local.endpoint.registerRotationHandler(LAMBDA, genericRotation(sm, steps));
    const name = await newSecret();
    await sm.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA, RotateImmediately: false }),
    );
    await local.endpoint.rotationsIdle();
    expect(steps).toEqual(['testSecret']);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.RotationEnabled).toBe(true);
    expect(Object.values(described.VersionIdsToStages ?? {})).toEqual([['AWSCURRENT']]);
  });
});
