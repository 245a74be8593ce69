import { inject, refresh, revoke, status } from '../../../../lib/injection/workloads';
import { FakeEcs, ecsRequests } from './fake-ecs';
import { FakeLambda, lambdaRequests } from './fake-lambda';
import { workloadFixture, type WorkloadFixture } from './workload-fixture';

// Bad input fails before any I/O, with the field that was wrong.

const ecs = { kind: 'ecs', cluster: 'prod', service: 'billing-api' };
const lambda = { kind: 'lambda', functionName: 'billing-worker' };
const secret = { name: 'DB_SECRET_ARN', secret: 'prod/billing/db' };
let f: WorkloadFixture;

beforeAll(async () => {
  f = await workloadFixture();
});
afterAll(() => f.close());
beforeEach(() => {
  new FakeEcs().install();
  new FakeLambda().install();
  f.smCommands.length = 0;
});

const clients = () => ({ ecs: f.ecs, lambda: f.lambda, ssm: f.ssm });

async function refused(call: Promise<unknown>, field: string, message?: RegExp): Promise<void> {
  const error = await call.catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field });
  if (message !== undefined) expect((error as Error).message).toMatch(message);
  expect([...ecsRequests(), ...lambdaRequests(), ...f.smCommands]).toEqual([]);
}

describe('inject checks its request before any call', () => {
  it.each([
    ['no target', { mappings: [secret] }, 'target'],
    ['an unknown kind', { target: { kind: 'ec2' }, mappings: [secret] }, 'target.kind'],
    [
      'an ECS target without a service',
      { target: { kind: 'ecs', cluster: 'prod' }, mappings: [secret] },
      'target.service',
    ],
    [
      'a bad container name',
      { target: { ...ecs, container: 'app one' }, mappings: [secret] },
      'target.container',
    ],
    [
      'a qualified function',
      {
        target: {
          kind: 'lambda',
          functionName: 'arn:aws:lambda:us-east-1:123456789012:function:billing-worker:live',
        },
        mappings: [secret],
      },
      'target.functionName',
    ],
    ['no mappings', { target: ecs, mappings: [] }, 'mappings'],
    [
      '101 mappings',
      {
        target: ecs,
        mappings: Array.from({ length: 101 }, (_, i) => ({ name: `V${i}X`, secret: 'prod/billing/db' })),
      },
      'mappings',
    ],
    [
      'a bad variable name',
      { target: ecs, mappings: [{ name: '1DB', secret: 'prod/billing/db' }] },
      'mappings[0].name',
    ],
    [
      'a reserved name',
      { target: lambda, mappings: [{ name: 'AWS_REGION', secret: 'prod/billing/db' }] },
      'mappings[0].name',
    ],
    [
      'the refresh marker',
      { target: lambda, mappings: [{ name: 'KEYSTAGE_INJECTION_REFRESHED_AT', secret: 'prod/billing/db' }] },
      'mappings[0].name',
    ],
    ['no secret', { target: ecs, mappings: [{ name: 'DB_URL' }] }, 'mappings[0].secret'],
    [
      'a bad secret id',
      { target: ecs, mappings: [{ name: 'DB_URL', secret: 'prod billing' }] },
      'mappings[0].secret',
    ],
    [
      'a JSON key with a colon',
      { target: ecs, mappings: [{ name: 'DB_USER', secret: 'prod/billing/db', jsonKey: 'a:b' }] },
      'mappings[0].jsonKey',
    ],
    [
      'an unknown field',
      {
        target: ecs,
        mappings: [{ name: 'DB_USER', secret: 'prod/billing/db', versionStage: 'AWSPREVIOUS' }],
      },
      'mappings[0].versionStage',
    ],
    ['a name twice', { target: ecs, mappings: [secret], environment: { db_secret_arn: 'x' } }, 'mappings'],
    [
      'a non-string environment value',
      { target: ecs, mappings: [secret], environment: { PORT: 8080 } },
      'environment.PORT',
    ],
    ['a bad job id', { target: ecs, mappings: [secret], id: 'has space' }, 'id'],
  ])('%s', async (_what, request, field) => {
    await refused(inject(f.client, request as never, clients()), field);
  });

  it('a JSON key for Lambda, explaining where the key is read instead', async () => {
    await refused(
      inject(
        f.client,
        { target: lambda as never, mappings: [{ ...secret, jsonKey: 'password' }] },
        clients(),
      ),
      'mappings[0].jsonKey',
      /the extension returns the whole secret.*JSON\.parse\(SecretString\)\.field/,
    );
  });

  it('names too long to record in the tags', async () => {
    const mappings = Array.from({ length: 100 }, (_, i) => ({
      name: `${'V'.repeat(30)}_${i}`,
      secret: 'prod/billing/db',
    }));
    await refused(
      inject(f.client, { target: ecs as never, mappings }, clients()),
      'mappings',
      /too long to record in the target's tags/,
    );
  });

  it.each([
    ['ecs', { ecs: {} }, 'ecs'],
    ['extensionLayer', { extensionLayer: 'my-layer' }, 'extensionLayer'],
    ['waitTimeoutMs', { waitTimeoutMs: -1 }, 'waitTimeoutMs'],
    ['pollIntervalMs', { pollIntervalMs: 'soon' }, 'pollIntervalMs'],
  ])('bad option %s', async (_what, options, field) => {
    await refused(inject(f.client, { target: lambda as never, mappings: [secret] }, options as never), field);
  });
});

describe('refresh, revoke and status check the job first', () => {
  it.each([
    ['refresh', refresh],
    ['revoke', revoke],
    ['status', status],
  ])('%s', async (_name, call) => {
    await refused(
      call(f.client, { target: { kind: 'ecs', cluster: 'prod' } } as never, clients()),
      'job.target.service',
    );
    await refused(call(f.client, undefined as never, clients()), 'job');
  });
});
