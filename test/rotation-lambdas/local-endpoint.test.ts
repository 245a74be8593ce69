import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createRotationHandler } from '../../rotation-lambdas';
import { createGenericStrategy } from '../../rotation-lambdas/strategies/generic';
import { mysqlAlternatingStrategy } from '../../rotation-lambdas/strategies/mysql-alternating';
import { postgresSingleStrategy } from '../../rotation-lambdas/strategies/postgres-single';
import { mysqlFixture, postgresFixture, type User } from '../support/db-fixtures';
import { startLocal, type LocalFixture } from '../support/local-endpoint';

// End to end through the local endpoint's RotateSecret: the endpoint runs the steps the way
// the service runs them in Lambda (one invocation per step, the whole rotation retried),
// and the handler talks to it with the real SDK over HTTP.

const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:keystage-generic';
let local: LocalFixture;
let sm: SecretsManagerClient;
let n = 0;

beforeAll(async () => {
  local = await startLocal({ rotationAttempts: 2 });
  sm = local.sm();
});
afterAll(async () => {
  await local.endpoint.close();
});

async function secretWith(value: string): Promise<string> {
  const out = await sm.send(new CreateSecretCommand({ Name: `e2e/generic/${n++}`, SecretString: value }));
  return out.ARN!;
}

const current = async (id: string) =>
  (await sm.send(new GetSecretValueCommand({ SecretId: id }))).SecretString;

describe('rotation functions behind the local endpoint', () => {
  it('rotates a JSON field through RotateSecret', async () => {
    const lines: string[] = [];
    local.endpoint.registerRotationHandler(
      LAMBDA,
      createRotationHandler(createGenericStrategy({ kind: 'api-key', jsonField: 'key' }), {
        secretsManager: sm,
        logSink: (line) => lines.push(line),
      }),
    );
    const id = await secretWith('{"key":"ks_old","owner":"billing"}');
    const { VersionId } = await sm.send(new RotateSecretCommand({ SecretId: id, RotationLambdaARN: LAMBDA }));
    await local.endpoint.rotationsIdle();
    const value = JSON.parse((await current(id))!) as { key: string; owner: string };
    expect(value.owner).toBe('billing');
    expect(value.key).toMatch(/^ks_/);
    expect(value.key).not.toBe('ks_old');
    const stages = (await sm.send(new DescribeSecretCommand({ SecretId: id }))).VersionIdsToStages!;
    expect(stages[VersionId!]).toContain('AWSCURRENT');
    expect(local.endpoint.rotationEvents.filter((e) => e.secretArn === id).map((e) => e.type)).toEqual([
      'RotationStarted',
      'RotationSucceeded',
    ]);
    expect(lines.join('\n')).not.toContain(value.key);
  });

  it('leaves AWSCURRENT alone when every attempt fails testSecret, and the next RotateSecret finishes the same version', async () => {
    let refuse = true;
    local.endpoint.registerRotationHandler(
      LAMBDA,
      createRotationHandler(
        createGenericStrategy({
          kind: 'password',
          test: async () => {
            if (refuse) throw new Error('downstream refused the new password');
          },
        }),
        { secretsManager: sm, logSink: () => undefined },
      ),
    );
    const id = await secretWith('before');
    const { VersionId } = await sm.send(new RotateSecretCommand({ SecretId: id, RotationLambdaARN: LAMBDA }));
    await local.endpoint.rotationsIdle();
    expect(await current(id)).toBe('before');
    const failed = local.endpoint.rotationEvents.filter((e) => e.secretArn === id).at(-1);
    expect(failed).toMatchObject({ type: 'RotationFailed', step: 'testSecret' });
    expect(failed?.message).toContain('TEST_FAILED');
    refuse = false;
    // The service answers "a previous rotation isn't complete" and reattempts that version.
    await sm.send(new RotateSecretCommand({ SecretId: id, ClientRequestToken: VersionId }));
    await local.endpoint.rotationsIdle();
    expect(await current(id)).not.toBe('before');
    const stages = (await sm.send(new DescribeSecretCommand({ SecretId: id }))).VersionIdsToStages!;
    expect(stages[VersionId!]).toContain('AWSCURRENT');
  });

  it('rotates a PostgreSQL password end to end, twice', async () => {
    const db = await postgresFixture('kse2e');
    try {
      local.endpoint.registerRotationHandler(
        LAMBDA,
        createRotationHandler(postgresSingleStrategy(), { secretsManager: sm, logSink: () => undefined }),
      );
      const id = await secretWith(db.secret(db.app));
      for (let round = 0; round < 2; round++) {
        await sm.send(new RotateSecretCommand({ SecretId: id, RotationLambdaARN: LAMBDA }));
        await local.endpoint.rotationsIdle();
      }
      const user = JSON.parse((await current(id))!) as User;
      expect(await db.canLogin(user)).toBe(true);
      expect(await db.canLogin(db.app)).toBe(false);
      expect(
        local.endpoint.rotationEvents.filter((e) => e.secretArn === id && e.type === 'RotationSucceeded'),
      ).toHaveLength(2);
    } finally {
      await db.cleanup();
    }
  });

  it('alternates MariaDB users end to end with the master secret read from the endpoint', async () => {
    const db = await mysqlFixture('kse2e');
    try {
      local.endpoint.registerRotationHandler(
        LAMBDA,
        createRotationHandler(mysqlAlternatingStrategy(), { secretsManager: sm, logSink: () => undefined }),
      );
      const master = await secretWith(db.secret(db.master));
      const id = await secretWith(db.secret(db.app, { masterarn: master }));
      const users: string[] = [];
      for (let round = 0; round < 3; round++) {
        await sm.send(new RotateSecretCommand({ SecretId: id, RotationLambdaARN: LAMBDA }));
        await local.endpoint.rotationsIdle();
        const user = JSON.parse((await current(id))!) as User;
        users.push(user.username);
        expect(await db.canLogin(user)).toBe(true);
      }
      expect(users).toEqual([`${db.app.username}_clone`, db.app.username, `${db.app.username}_clone`]);
    } finally {
      await db.cleanup();
    }
  });
});
