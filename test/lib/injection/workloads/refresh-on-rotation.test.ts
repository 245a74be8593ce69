import { RotationWatcher } from '../../../../lib/injection/watcher';
import { inject, refreshOnRotation, status } from '../../../../lib/injection/workloads';
import type { EcsServiceTarget, WorkloadRefreshResult } from '../../../../lib/injection/workloads';
import { FakeEcs, ecsMock, ecsRequests } from './fake-ecs';
import { FakeLambda } from './fake-lambda';
import { workloadFixture, type WorkloadFixture } from './workload-fixture';

// RELIABILITY 68: after a rotation, an ECS service (and a Lambda function) picks up the new
// value within one watcher interval, or at once on a pushed event.

const target: EcsServiceTarget = { kind: 'ecs', cluster: 'prod', service: 'billing-api' };
let f: WorkloadFixture;
let watcher: RotationWatcher;

beforeAll(async () => {
  f = await workloadFixture();
});
afterAll(() => f.close());
beforeEach(async () => {
  new FakeEcs().install();
  await inject(
    f.client,
    {
      target,
      mappings: [
        { name: 'DB_PASSWORD', secret: 'prod/billing/db', jsonKey: 'password' },
        { name: 'STRIPE_KEY', secret: 'prod/billing/stripe' },
      ],
    },
    { ecs: f.ecs },
  );
  ecsMock.resetHistory();
});
afterEach(() => watcher?.close());

const forced = () =>
  ecsRequests().filter(
    (r) =>
      r.command === 'UpdateService' &&
      (r.input as { forceNewDeployment?: boolean }).forceNewDeployment === true,
  );

/** Resolves when `refreshes` holds `count` results. */
function refreshed(refreshes: WorkloadRefreshResult[], count: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (refreshes.length >= count ? resolve() : setTimeout(check, 5));
    check();
  });
}

describe('refreshOnRotation', () => {
  it('forces a new deployment within one interval of a rotation', async () => {
    watcher = new RotationWatcher(f.client, { intervalMs: 1_000, jitter: 0 });
    const refreshes: WorkloadRefreshResult[] = [];
    const watch = await refreshOnRotation(
      f.client,
      { target },
      { ecs: f.ecs, watcher, onRefresh: (r) => refreshes.push(r) },
    );
    expect(watch.secretArns).toEqual([f.arns.db, f.arns.stripe]);
    await watcher.ready(f.arns.db);
    expect(forced()).toEqual([]);

    const rotatedAt = Date.now();
    await f.rotate('db');
    await refreshed(refreshes, 1);

    expect(Date.now() - rotatedAt).toBeLessThan(1_500);
    expect(forced()).toHaveLength(1);
    expect(refreshes[0]!.secrets.find((s) => s.secretArn === f.arns.db)!.rotatedSinceDeployment).toBe(false);
    expect((await status(f.client, { target }, { ecs: f.ecs })).needsRefresh).toBe(false);
    watch.close();
  });

  it('refreshes at once on a pushed rotation event', async () => {
    watcher = new RotationWatcher(f.client, { intervalMs: 3_600_000 });
    const refreshes: WorkloadRefreshResult[] = [];
    const watch = await refreshOnRotation(
      f.client,
      { target },
      { ecs: f.ecs, watcher, onRefresh: (r) => refreshes.push(r) },
    );
    await watcher.ready(f.arns.stripe);

    await f.rotate('stripe');
    await watcher.handleEvent({
      source: 'aws.secretsmanager',
      'detail-type': 'Secret Label Updated',
      resources: [f.arns.stripe],
      detail: { labelUpdated: ['AWSCURRENT'] },
    });
    await refreshed(refreshes, 1);

    expect(forced()).toHaveLength(1);
    watch.close();
  });

  it('refreshes first when a secret already rotated since the deployment', async () => {
    await f.rotate('db');
    watcher = new RotationWatcher(f.client, { intervalMs: 3_600_000 });
    const watch = await refreshOnRotation(f.client, { target }, { ecs: f.ecs, watcher });
    expect(forced()).toHaveLength(1);
    watch.close();
  });

  it('makes one refresh for rotations of two secrets close together', async () => {
    watcher = new RotationWatcher(f.client, { intervalMs: 3_600_000 });
    const refreshes: WorkloadRefreshResult[] = [];
    const watch = await refreshOnRotation(
      f.client,
      { target },
      { ecs: f.ecs, watcher, onRefresh: (r) => refreshes.push(r) },
    );
    await Promise.all([watcher.ready(f.arns.db), watcher.ready(f.arns.stripe)]);

    await f.rotate('db');
    await f.rotate('stripe');
    await watcher.handleEvent({
      source: 'aws.secretsmanager',
      'detail-type': 'Secret Label Updated',
      resources: [f.arns.db],
      detail: { labelUpdated: ['AWSCURRENT'] },
    });
    await watcher.handleEvent({
      source: 'aws.secretsmanager',
      'detail-type': 'Secret Label Updated',
      resources: [f.arns.stripe],
      detail: { labelUpdated: ['AWSCURRENT'] },
    });
    await refreshed(refreshes, 1);
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(forced().length).toBeLessThanOrEqual(2);
    expect((await status(f.client, { target }, { ecs: f.ecs })).needsRefresh).toBe(false);
    watch.close();
  });

  it('gives a Lambda function new instances after a rotation', async () => {
    const lambda = new FakeLambda().install();
    const lambdaTarget = { kind: 'lambda', functionName: 'billing-worker' } as const;
    const options = { lambda: f.lambda, ssm: f.ssm, pollIntervalMs: 1 };
    await inject(
      f.client,
      { target: lambdaTarget, mappings: [{ name: 'DB_SECRET_ARN', secret: 'prod/billing/db' }] },
      options,
    );
    watcher = new RotationWatcher(f.client, { intervalMs: 1_000, jitter: 0 });
    const refreshes: WorkloadRefreshResult[] = [];
    const watch = await refreshOnRotation(
      f.client,
      { target: lambdaTarget },
      { ...options, watcher, onRefresh: (r) => refreshes.push(r) },
    );
    await watcher.ready(f.arns.db);

    await f.rotate('db');
    await refreshed(refreshes, 1);

    expect(lambda.variables().KEYSTAGE_INJECTION_REFRESHED_AT).toEqual(expect.any(String));
    watch.close();
  });

  it('refuses a target without a job', async () => {
    new FakeEcs().install();
    watcher = new RotationWatcher(f.client);
    await expect(refreshOnRotation(f.client, { target }, { ecs: f.ecs, watcher })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'job',
    });
  });
});
