import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workloadsExample } from '../../examples/workloads';
import { FakeEcs } from '../lib/injection/workloads/fake-ecs';
import { EXTENSION_X86, FakeLambda } from '../lib/injection/workloads/fake-lambda';
import { PLANTED, workloadFixture, type WorkloadFixture } from '../lib/injection/workloads/workload-fixture';

const root = join(__dirname, '..', '..');
let f: WorkloadFixture;

beforeAll(async () => {
  f = await workloadFixture();
});
afterAll(() => f.close());

describe('README workloads (ECS and Lambda)', () => {
  it('shows exactly the code of examples/workloads.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Workloads: ECS services and Lambda functions'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'workloads.ts'), 'utf8'));
  });

  it('runs: references in the revision, ARNs in the function, a refusal, and a clean revoke', async () => {
    const ecs = new FakeEcs().install();
    const lambda = new FakeLambda().install();

    const result = await workloadsExample(f.client, { ecs: f.ecs, lambda: f.lambda, ssm: f.ssm });

    expect(result).toEqual({
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/billing-api:2',
      valueFrom: [`${f.arns.db}:username::`, `${f.arns.db}:password::`],
      inSync: true,
      needsRefresh: false,
      workerLayer: EXTENSION_X86,
      refusal: expect.stringContaining('environment.API_TOKEN looks like a secret (its name says TOKEN)'),
      removed: ['DB_SECRET_ARN'],
      extensionLayerRemoved: true,
    });
    expect(ecs.current().containerDefinitions![0]!.secrets).toHaveLength(2);
    expect(lambda.variables().DB_SECRET_ARN).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain(PLANTED);
  });
});
