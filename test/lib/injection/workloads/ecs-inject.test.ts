import { ECSClient } from '@aws-sdk/client-ecs';
import { inject, status } from '../../../../lib/injection/workloads';
import type { EcsServiceTarget } from '../../../../lib/injection/workloads';
import { appContainer, EXECUTION_ROLE, FakeEcs, SERVICE_ARN, ecsRequests, isEcsWrite } from './fake-ecs';
import { PLANTED, exposed, workloadFixture, type WorkloadFixture } from './workload-fixture';

const target: EcsServiceTarget = { kind: 'ecs', cluster: 'prod', service: 'billing-api' };
const REVISION = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/billing-api:${n}`;
const HASH = /^[A-Za-z0-9_-]+$/;

let f: WorkloadFixture;
let model: FakeEcs;

beforeAll(async () => {
  f = await workloadFixture();
});
afterAll(() => f.close());
beforeEach(() => {
  model = new FakeEcs().install();
  f.smCommands.length = 0;
});

const mappings = () => [
  { name: 'DB_USER', secret: 'prod/billing/db', jsonKey: 'username' },
  { name: 'DB_PASSWORD', secret: 'prod/billing/db', jsonKey: 'password' },
  { name: 'STRIPE_KEY', secret: f.arns.stripe },
];

describe('inject (ECS)', () => {
  it('registers a revision whose container references the secrets by ARN in JSON-key form, updates the service and tags it', async () => {
    const result = await inject(
      f.client,
      { target, mappings: mappings(), id: 'billing-secrets' },
      { ecs: f.ecs },
    );

    const db = f.arns.db;
    const stripe = f.arns.stripe;
    expect(ecsRequests()).toEqual([
      {
        command: 'DescribeServices',
        input: { cluster: 'prod', services: ['billing-api'], include: ['TAGS'] },
      },
      { command: 'DescribeTaskDefinition', input: { taskDefinition: REVISION(1), include: ['TAGS'] } },
      { command: 'DescribeTaskDefinition', input: { taskDefinition: 'billing-api', include: ['TAGS'] } },
      {
        command: 'RegisterTaskDefinition',
        input: {
          family: 'billing-api',
          taskRoleArn: 'arn:aws:iam::123456789012:role/billing-task',
          executionRoleArn: EXECUTION_ROLE,
          networkMode: 'awsvpc',
          containerDefinitions: [
            {
              ...appContainer(),
              secrets: [
                { name: 'DB_USER', valueFrom: `${db}:username::` },
                { name: 'DB_PASSWORD', valueFrom: `${db}:password::` },
                { name: 'STRIPE_KEY', valueFrom: stripe },
              ],
            },
          ],
          volumes: [],
          placementConstraints: [],
          requiresCompatibilities: ['FARGATE'],
          cpu: '256',
          memory: '512',
          runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
          tags: [{ key: 'team', value: 'billing' }],
        },
      },
      {
        command: 'UpdateService',
        input: { cluster: 'prod', service: 'billing-api', taskDefinition: REVISION(2) },
      },
      {
        command: 'TagResource',
        input: {
          resourceArn: SERVICE_ARN,
          tags: [
            { key: 'keystage:injection', value: 'billing-secrets' },
            { key: 'keystage:injection:digest', value: expect.stringMatching(HASH) },
            { key: 'keystage:injection:container', value: 'app' },
            { key: 'keystage:injection:names', value: '1 DB_USER DB_PASSWORD STRIPE_KEY' },
            {
              key: 'keystage:injection:versions',
              value: expect.stringMatching(/^1 [\w-]{6}=[\w-]{8} [\w-]{6}=[\w-]{8}$/),
            },
          ],
        },
      },
    ]);
    expect(f.smCommands).toEqual([
      'DescribeSecret',
      'ListSecretVersionIds',
      'DescribeSecret',
      'ListSecretVersionIds',
    ]);
    expect(f.capture.events.slice(-2).map((e) => [e.action, e.secret_name, e.success])).toEqual([
      ['describe', 'prod/billing/db', true],
      ['describe', stripe, true],
    ]);
    expect(result).toEqual({
      kind: 'ecs',
      job: { id: 'billing-secrets', target: { ...target, container: 'app' } },
      changed: true,
      references: [
        { name: 'DB_USER', secretArn: db, jsonKey: 'username', reference: `${db}:username::` },
        { name: 'DB_PASSWORD', secretArn: db, jsonKey: 'password', reference: `${db}:password::` },
        { name: 'STRIPE_KEY', secretArn: stripe, jsonKey: undefined, reference: stripe },
      ],
      environment: [],
      taskDefinitionArn: REVISION(2),
      previousTaskDefinitionArn: REVISION(1),
      registered: true,
      deployed: true,
    });
    expect(exposed(f, result, ecsRequests())).not.toContain(PLANTED);
  });

  it('writes nothing when run again with the same mappings', async () => {
    await inject(f.client, { target, mappings: mappings() }, { ecs: f.ecs });
    const writes = model.writes;
    const before = model.snapshot();

    const again = await inject(f.client, { target, mappings: mappings() }, { ecs: f.ecs });

    expect(model.writes).toBe(writes);
    expect(model.snapshot()).toEqual(before);
    expect(again).toMatchObject({
      changed: false,
      registered: false,
      deployed: false,
      taskDefinitionArn: REVISION(2),
    });
    expect(ecsRequests().filter((r) => isEcsWrite(r.command))).toHaveLength(3);
  });

  it('keeps the job id the target records when none is given', async () => {
    const first = await inject(f.client, { target, mappings: mappings() }, { ecs: f.ecs });
    const second = await inject(f.client, { target, mappings: mappings().slice(0, 2) }, { ecs: f.ecs });
    expect(first.job.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.job.id).toBe(first.job.id);
  });

  it('replaces the earlier entries when the mappings change, and keeps the variables it never set', async () => {
    await inject(f.client, { target, mappings: mappings() }, { ecs: f.ecs });

    const result = await inject(
      f.client,
      {
        target,
        mappings: [{ name: 'DB_PASSWORD', secret: 'prod/billing/db', jsonKey: 'password' }],
        environment: { DB_HOST: 'db.internal' },
      },
      { ecs: f.ecs },
    );

    expect(result).toMatchObject({ registered: true, deployed: true, taskDefinitionArn: REVISION(3) });
    const app = model.current().containerDefinitions![0]!;
    expect(app.secrets).toEqual([{ name: 'DB_PASSWORD', valueFrom: `${f.arns.db}:password::` }]);
    expect(app.environment).toEqual([
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'DB_HOST', value: 'db.internal' },
    ]);
    expect(model.tags()['keystage:injection:names']).toBe('1 DB_PASSWORD DB_HOST');
  });

  it('reuses the family revision that already matches instead of registering a duplicate', async () => {
    // A revision equal to the one inject would register exists already (a run that stopped after registering).
    model.failOnce.set('UpdateServiceCommand', new Error('stop'));
    await expect(inject(f.client, { target, mappings: mappings() }, { ecs: f.ecs })).rejects.toThrow();
    expect(model.revisions).toHaveLength(2);

    const result = await inject(f.client, { target, mappings: mappings() }, { ecs: f.ecs });

    expect(result).toMatchObject({ registered: false, deployed: true, taskDefinitionArn: REVISION(2) });
    expect(model.revisions).toHaveLength(2);
    expect(ecsRequests().filter((r) => r.command === 'RegisterTaskDefinition')).toHaveLength(1);
  });

  it('needs the container named when the task definition has several, and names them', async () => {
    model = new FakeEcs({
      containers: [appContainer(), appContainer({ name: 'envoy', image: 'envoy:v1' })],
    }).install();

    const error = await inject(f.client, { target, mappings: mappings() }, { ecs: f.ecs }).catch(
      (e: unknown) => e,
    );

    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'target.container' });
    expect((error as Error).message).toContain(
      'has 2 containers (app, envoy): name the one that receives the secrets',
    );
    expect(ecsRequests().some((r) => isEcsWrite(r.command))).toBe(false);

    await inject(f.client, { target: { ...target, container: 'app' }, mappings: mappings() }, { ecs: f.ecs });
    const [app, envoy] = model.current().containerDefinitions!;
    expect(app!.secrets).toHaveLength(3);
    expect(envoy!.secrets).toBeUndefined();
  });

  it('refuses a name the container already uses for a variable it did not set, writing nothing', async () => {
    const error = await inject(
      f.client,
      { target, mappings: [{ name: 'LOG_LEVEL', secret: 'prod/billing/db', jsonKey: 'password' }] },
      { ecs: f.ecs },
    ).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'CONFLICT' });
    expect((error as Error).message).toContain(
      'already has a variable LOG_LEVEL that this injection did not set',
    );
    expect(model.writes).toBe(0);
  });

  it('refuses a task definition without an execution role, which ECS needs to read secrets', async () => {
    model = new FakeEcs({ executionRole: null }).install();
    const error = await inject(f.client, { target, mappings: mappings() }, { ecs: f.ecs }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'target' });
    expect((error as Error).message).toContain('has no executionRoleArn');
    expect(model.writes).toBe(0);
  });

  it('says which service was not found', async () => {
    const error = await inject(
      f.client,
      { target: { ...target, service: 'billing-apj' }, mappings: mappings() },
      { ecs: f.ecs },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'target' });
    expect((error as Error).message).toBe(
      'ECS service "billing-apj" in cluster "prod" was not found (DescribeServices: MISSING): check the names and the region.',
    );
  });

  it('refuses a revoked secret before touching the service', async () => {
    await f.client.revoke(f.arns.stripe, { reason: 'leaked' });
    try {
      const error = await inject(f.client, { target, mappings: mappings() }, { ecs: f.ecs }).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'SECRET_REVOKED' });
      expect(ecsRequests()).toEqual([]);
    } finally {
      await f.client.restore(f.arns.stripe);
    }
  });

  it('refuses another job id on a target that records one', async () => {
    await inject(f.client, { target, mappings: mappings(), id: 'first' }, { ecs: f.ecs });
    const error = await inject(
      f.client,
      { target, mappings: mappings(), id: 'second' },
      { ecs: f.ecs },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFLICT' });
    expect((error as Error).message).toContain('already carries injection "first", not "second"');
  });

  it('maps an ECS access denial to PERMISSION_DENIED naming the operation', async () => {
    model.failOnce.set(
      'RegisterTaskDefinitionCommand',
      Object.assign(new Error('User is not authorized to perform: ecs:RegisterTaskDefinition'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const error = await inject(f.client, { target, mappings: mappings() }, { ecs: f.ecs }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'PERMISSION_DENIED' });
    expect((error as Error).message).toMatch(
      /^RegisterTaskDefinition for ECS service "billing-api" in cluster "prod" failed: AccessDeniedException/,
    );
  });

  it('creates its own ECS client when none is given, and closes it after the call', async () => {
    const destroy = jest.spyOn(ECSClient.prototype, 'destroy');
    try {
      const result = await inject(f.client, { target, mappings: mappings() });
      expect(result.deployed).toBe(true);
      expect(destroy).toHaveBeenCalledTimes(1);
      // A client that was passed in stays open.
      await inject(f.client, { target, mappings: mappings() }, { ecs: f.ecs });
      expect(destroy).toHaveBeenCalledTimes(1);
    } finally {
      destroy.mockRestore();
    }
  });

  it('records what status reads back', async () => {
    const { job } = await inject(
      f.client,
      { target, mappings: mappings(), environment: { DB_HOST: 'db.internal' } },
      { ecs: f.ecs },
    );
    const now = await status(f.client, job, { ecs: f.ecs });
    expect(now).toMatchObject({
      kind: 'ecs',
      job,
      inSync: true,
      container: 'app',
      taskDefinitionArn: REVISION(2),
      environment: ['DB_HOST'],
      needsRefresh: false,
      steady: false,
    });
    expect(now.references.map((r) => r.name)).toEqual(['DB_USER', 'DB_PASSWORD', 'STRIPE_KEY']);
  });
});
