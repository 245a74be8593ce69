import { inject, revoke } from '../../../../lib/injection/workloads';
import type { EcsServiceTarget, InjectRequest } from '../../../../lib/injection/workloads';
import { FakeEcs, ecsMock, ecsRequests } from './fake-ecs';
import { workloadFixture, type WorkloadFixture } from './workload-fixture';

// Crash injection: the N-th ECS write of a run fails (for every N of an uninterrupted run),
// the job is run again, and the service, its revisions and its tags must end exactly as after
// an uninterrupted run, with no duplicate revision.

const target: EcsServiceTarget = { kind: 'ecs', cluster: 'prod', service: 'billing-api' };
let f: WorkloadFixture;

beforeAll(async () => {
  f = await workloadFixture();
});
afterAll(() => f.close());

const request = (): InjectRequest => ({
  target,
  id: 'billing-secrets',
  mappings: [
    { name: 'DB_USER', secret: 'prod/billing/db', jsonKey: 'username' },
    { name: 'DB_PASSWORD', secret: 'prod/billing/db', jsonKey: 'password' },
  ],
  environment: { DB_HOST: 'db.internal' },
});

const changed = (): InjectRequest => ({
  target,
  id: 'billing-secrets',
  mappings: [{ name: 'STRIPE_KEY', secret: 'prod/billing/stripe' }],
});

type Step = (model: FakeEcs) => Promise<unknown>;

/** Runs `setup` without failures, then `step` uninterrupted: the state to reach, and its write count. */
async function reference(setup: Step, step: Step): Promise<{ state: unknown; writes: number }> {
  const model = new FakeEcs().install();
  await setup(model);
  const before = model.writes;
  await step(model);
  return { state: model.snapshot(), writes: model.writes - before };
}

const nothing: Step = async () => undefined;
const first: Step = () => inject(f.client, request(), { ecs: f.ecs });
const second: Step = () => inject(f.client, changed(), { ecs: f.ecs });
const revokeIt: Step = () => revoke(f.client, { target }, { ecs: f.ecs });

describe.each([
  ['a first inject', nothing, first],
  ['an inject that changes the mappings', first, second],
  ['a revoke', first, revokeIt],
])('%s stopped at any write', (_name, setup, step) => {
  it('is finished by running it again: same end state, no duplicate revision', async () => {
    const goal = await reference(setup, step);
    expect(goal.writes).toBeGreaterThanOrEqual(2);
    for (let n = 1; n <= goal.writes; n++) {
      const model = new FakeEcs().install();
      await setup(model);
      model.failWrite = n;
      await expect(step(model)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      await step(model);
      expect({ n, state: model.snapshot() }).toEqual({ n, state: goal.state });
    }
  });
});

describe('inject after RegisterTaskDefinition succeeded and UpdateService failed', () => {
  it('reuses the revision it registered and finishes with UpdateService and the tags', async () => {
    const model = new FakeEcs().install();
    model.failOnce.set(
      'UpdateServiceCommand',
      Object.assign(new Error('Service unavailable'), { name: 'ServerException', $fault: 'server' }),
    );
    await expect(inject(f.client, request(), { ecs: f.ecs })).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
    expect(model.revisions).toHaveLength(2);
    expect(model.service.taskDefinition).toMatch(/:1$/);
    ecsMock.resetHistory();

    const result = await inject(f.client, request(), { ecs: f.ecs });

    expect(ecsRequests().map((r) => r.command)).toEqual([
      'DescribeServices',
      'DescribeTaskDefinition',
      'DescribeTaskDefinition',
      'UpdateService',
      'TagResource',
    ]);
    expect(result).toMatchObject({ registered: false, deployed: true, changed: true });
    expect(model.revisions).toHaveLength(2);
    expect(model.service.taskDefinition).toMatch(/:2$/);
    expect(model.tags()['keystage:injection']).toBe('billing-secrets');
  });
});
