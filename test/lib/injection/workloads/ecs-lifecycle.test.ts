import { inject, refresh, revoke, status } from '../../../../lib/injection/workloads';
import type { EcsServiceTarget } from '../../../../lib/injection/workloads';
import { registerInput } from '../../../../lib/injection/workloads/ecs/task-definition';
import { FakeEcs, SERVICE_ARN, appContainer, ecsMock, ecsRequests, isEcsWrite } from './fake-ecs';
import { PLANTED, exposed, workloadFixture, type WorkloadFixture } from './workload-fixture';

const target: EcsServiceTarget = { kind: 'ecs', cluster: 'prod', service: 'billing-api' };
const REVISION = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/billing-api:${n}`;
let f: WorkloadFixture;
let model: FakeEcs;

beforeAll(async () => {
  f = await workloadFixture();
});
afterAll(() => f.close());
beforeEach(async () => {
  model = new FakeEcs().install();
  await inject(
    f.client,
    {
      target,
      id: 'billing-secrets',
      mappings: [
        { name: 'DB_PASSWORD', secret: 'prod/billing/db', jsonKey: 'password' },
        { name: 'STRIPE_KEY', secret: 'prod/billing/stripe' },
      ],
      environment: { DB_HOST: 'db.internal' },
    },
    { ecs: f.ecs },
  );
  model.settle();
  ecsMock.resetHistory();
  f.smCommands.length = 0;
});

describe('status (ECS)', () => {
  it('reads the job back from the tags and the revision, and says the secrets have not rotated', async () => {
    const now = await status(f.client, { target }, { ecs: f.ecs });

    expect(ecsRequests()).toEqual([
      {
        command: 'DescribeServices',
        input: { cluster: 'prod', services: ['billing-api'], include: ['TAGS'] },
      },
      { command: 'DescribeTaskDefinition', input: { taskDefinition: REVISION(2), include: ['TAGS'] } },
    ]);
    expect(now).toEqual({
      kind: 'ecs',
      job: { id: 'billing-secrets', target: { ...target, container: 'app' } },
      serviceArn: SERVICE_ARN,
      taskDefinitionArn: REVISION(2),
      container: 'app',
      inSync: true,
      references: [
        {
          name: 'DB_PASSWORD',
          secretArn: f.arns.db,
          jsonKey: 'password',
          reference: `${f.arns.db}:password::`,
        },
        { name: 'STRIPE_KEY', secretArn: f.arns.stripe, jsonKey: undefined, reference: f.arns.stripe },
      ],
      environment: ['DB_HOST'],
      secrets: [
        {
          secretArn: f.arns.db,
          secretName: 'prod/billing/db',
          currentVersionId: expect.any(String),
          rotatedSinceDeployment: false,
        },
        {
          secretArn: f.arns.stripe,
          secretName: 'prod/billing/stripe',
          currentVersionId: expect.any(String),
          rotatedSinceDeployment: false,
        },
      ],
      needsRefresh: false,
      deployments: [
        expect.objectContaining({
          status: 'PRIMARY',
          taskDefinitionArn: REVISION(2),
          rolloutState: 'COMPLETED',
        }),
      ],
      steady: true,
    });
  });

  it('says which secret rotated since the deployment', async () => {
    const versionId = await f.rotate('db');

    const now = await status(f.client, { target }, { ecs: f.ecs });

    expect(now.needsRefresh).toBe(true);
    expect(now.secrets.map((s) => [s.secretName, s.rotatedSinceDeployment])).toEqual([
      ['prod/billing/db', true],
      ['prod/billing/stripe', false],
    ]);
    expect(now.secrets[0]!.currentVersionId).toBe(versionId);
  });

  it('is not in sync when someone changed the references in the task definition', async () => {
    const current = model.current();
    model.registerTaskDefinition({
      ...registerInput(current, undefined),
      containerDefinitions: [
        appContainer({ secrets: [{ name: 'DB_PASSWORD', valueFrom: `${f.arns.db}:username::` }] }),
      ],
    });
    model.updateService({ service: 'billing-api', taskDefinition: REVISION(3) });

    const now = await status(f.client, { target }, { ecs: f.ecs });

    expect(now.inSync).toBe(false);
    expect(now.steady).toBe(false);
  });

  it('reports a service with no job', async () => {
    model = new FakeEcs().install();
    const now = await status(f.client, { target }, { ecs: f.ecs });
    expect(now).toMatchObject({
      job: undefined,
      inSync: false,
      references: [],
      secrets: [],
      needsRefresh: false,
      taskDefinitionArn: REVISION(1),
    });
    expect(ecsRequests().map((r) => r.command)).toEqual(['DescribeServices']);
  });
});

describe('refresh (ECS)', () => {
  it('forces a new deployment and records the versions it will read', async () => {
    await f.rotate('stripe');
    expect((await status(f.client, { target }, { ecs: f.ecs })).needsRefresh).toBe(true);
    ecsMock.resetHistory();

    const result = await refresh(f.client, { target, id: 'billing-secrets' }, { ecs: f.ecs });

    const requests = ecsRequests();
    expect(requests.map((r) => r.command)).toEqual([
      'DescribeServices',
      'DescribeTaskDefinition',
      'UpdateService',
      'TagResource',
    ]);
    expect(requests[2]!.input).toEqual({ cluster: 'prod', service: 'billing-api', forceNewDeployment: true });
    expect(requests[3]!.input).toEqual({
      resourceArn: SERVICE_ARN,
      tags: [{ key: 'keystage:injection:versions', value: expect.stringMatching(/^1 \S+ \S+$/) }],
    });
    expect(result).toMatchObject({
      kind: 'ecs',
      job: { id: 'billing-secrets' },
      deploymentId: model.service.deployments![0]!.id,
    });
    expect(result.secrets.every((s) => s.rotatedSinceDeployment === false)).toBe(true);
    expect(model.service.deployments!.map((d) => d.status)).toEqual(['PRIMARY', 'ACTIVE']);
    expect((await status(f.client, { target }, { ecs: f.ecs })).needsRefresh).toBe(false);
  });

  it('refuses a service that records no job', async () => {
    model = new FakeEcs().install();
    await expect(refresh(f.client, { target }, { ecs: f.ecs })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'job',
    });
    expect(ecsRequests().some((r) => isEcsWrite(r.command))).toBe(false);
  });

  it('refuses a job id the service does not record', async () => {
    await expect(refresh(f.client, { target, id: 'other' }, { ecs: f.ecs })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(ecsRequests().some((r) => isEcsWrite(r.command))).toBe(false);
  });
});

describe('revoke (ECS)', () => {
  it('registers a revision without the references, updates the service and removes the record', async () => {
    const result = await revoke(f.client, { target }, { ecs: f.ecs });

    const requests = ecsRequests();
    expect(requests.map((r) => r.command)).toEqual([
      'DescribeServices',
      'DescribeTaskDefinition',
      'DescribeTaskDefinition',
      'RegisterTaskDefinition',
      'UpdateService',
      'UntagResource',
    ]);
    expect((requests[3]!.input as { containerDefinitions: unknown }).containerDefinitions).toEqual([
      appContainer({ secrets: [] }),
    ]);
    expect(requests[4]!.input).toEqual({
      cluster: 'prod',
      service: 'billing-api',
      taskDefinition: REVISION(3),
    });
    expect(requests[5]!.input).toEqual({
      resourceArn: SERVICE_ARN,
      tagKeys: [
        'keystage:injection',
        'keystage:injection:digest',
        'keystage:injection:container',
        'keystage:injection:names',
        'keystage:injection:versions',
      ],
    });
    expect(result).toEqual({
      kind: 'ecs',
      job: { id: 'billing-secrets', target: { ...target, container: 'app' } },
      changed: true,
      removed: ['DB_PASSWORD', 'STRIPE_KEY', 'DB_HOST'],
      taskDefinitionArn: REVISION(3),
      extensionLayerRemoved: false,
    });
    expect(model.tags()).toEqual({ team: 'billing' });
    expect(exposed(f, result, requests)).not.toContain(PLANTED);
  });

  it('does nothing on a service without a job, and again after a revoke', async () => {
    await revoke(f.client, { target }, { ecs: f.ecs });
    const writes = model.writes;
    const again = await revoke(f.client, { target }, { ecs: f.ecs });
    expect(again).toEqual({
      kind: 'ecs',
      job: undefined,
      changed: false,
      removed: [],
      taskDefinitionArn: REVISION(3),
      extensionLayerRemoved: false,
    });
    expect(model.writes).toBe(writes);
  });
});
