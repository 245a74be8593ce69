import { inject, refresh, revoke, status } from '../../../../lib/injection/workloads';
import { FakeEcs, ecsRequests } from './fake-ecs';
import { FakeLambda, lambdaError, lambdaRequests } from './fake-lambda';
import { PLANTED, exposed, workloadFixture, type WorkloadFixture } from './workload-fixture';

// The secrets hold a planted value. Injecting, reading status, refreshing and revoking never
// read a value (no GetSecretValue at all), and the planted value appears in no request to ECS,
// Lambda or SSM, no result, no error, no log line, no audit event and nothing printed.

let f: WorkloadFixture;

beforeAll(async () => {
  f = await workloadFixture();
});
afterAll(() => f.close());
beforeEach(() => {
  f.smCommands.length = 0;
  f.capture.start();
});
afterEach(() => f.capture.stop());

const mappings = [
  { name: 'DB_PASSWORD', secret: 'prod/billing/db', jsonKey: 'password' },
  { name: 'STRIPE_KEY', secret: 'prod/billing/stripe' },
];

describe('workload injection never handles a value', () => {
  it('for an ECS service, through its whole life and a rotation', async () => {
    new FakeEcs().install();
    const target = { kind: 'ecs', cluster: 'prod', service: 'billing-api' } as const;
    const seen: unknown[] = [];
    seen.push(await inject(f.client, { target, mappings }, { ecs: f.ecs }));
    await f.rotate('db');
    seen.push(await status(f.client, { target }, { ecs: f.ecs }));
    seen.push(await refresh(f.client, { target }, { ecs: f.ecs }));
    seen.push(await revoke(f.client, { target }, { ecs: f.ecs }));

    expect(f.smCommands.filter((c) => /GetSecretValue/.test(c))).toEqual([]);
    expect(new Set(f.smCommands)).toEqual(new Set(['DescribeSecret', 'ListSecretVersionIds']));
    expect(JSON.stringify(ecsRequests())).not.toContain(PLANTED);
    expect(exposed(f, ...seen)).not.toContain(PLANTED);
    expect(f.capture.events.every((e) => e.action === 'describe')).toBe(true);
  });

  it('for a Lambda function, including a failed update', async () => {
    const model = new FakeLambda().install();
    const target = { kind: 'lambda', functionName: 'billing-worker' } as const;
    const options = { lambda: f.lambda, ssm: f.ssm, pollIntervalMs: 1 };
    const lambdaMappings = mappings.map(({ name, secret }) => ({ name: `${name}_SECRET_ARN`, secret }));
    model.failOnce.set(
      'UpdateFunctionConfigurationCommand',
      lambdaError('InvalidParameterValueException', 'Reserved keys used.'),
    );
    const failure = await inject(f.client, { target, mappings: lambdaMappings }, options).catch(
      (e: unknown) => e,
    );
    const seen: unknown[] = [failure];
    seen.push(await inject(f.client, { target, mappings: lambdaMappings }, options));
    await f.rotate('stripe');
    seen.push(await status(f.client, { target }, options));
    seen.push(await refresh(f.client, { target }, options));
    seen.push(await revoke(f.client, { target }, options));

    expect(failure).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(f.smCommands.filter((c) => /GetSecretValue/.test(c))).toEqual([]);
    expect(JSON.stringify(lambdaRequests())).not.toContain(PLANTED);
    expect(exposed(f, ...seen)).not.toContain(PLANTED);
  });
});
