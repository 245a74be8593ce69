import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupsExample } from '../../examples/groups';
import {
  FLAKY_IN_PROCESS,
  GENERIC_IN_PROCESS,
  groupFixture,
  type GroupFixture,
} from '../lib/organise/groups/group-fixture';

const root = join(__dirname, '..', '..');

describe('README groups example', () => {
  let f: GroupFixture;
  beforeAll(async () => {
    f = await groupFixture();
  });
  afterAll(() => f.close());

  it('shows exactly the code of examples/groups.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const start = readme.indexOf('### Groups and dependencies');
    expect(start).toBeGreaterThanOrEqual(0);
    const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'groups.ts'), 'utf8'));
  });

  it('runs: the dependents are found, a failing member rolls the group back, a fixed one rotates it', async () => {
    f.failing(true); // FLAKY_IN_PROCESS refuses at testSecret: the broken deploy
    const result = await groupsExample(
      f.client(),
      { working: GENERIC_IN_PROCESS, broken: FLAKY_IN_PROCESS },
      1_000,
    );
    expect(result.groups).toEqual(['payments-auth']);
    expect(result.dependents).toEqual([
      'prod/payments/session-secret via depends-on, group',
      'prod/payments/webhook-token via group',
    ]);
    expect(result.services).toEqual(['payments']);
    expect(result.failed).toEqual([
      'prod/payments/signing-key: rolled-back',
      'prod/payments/session-secret: rolled-back',
      'prod/payments/webhook-token: failed',
    ]);
    expect(result.reason).toContain('ROTATION_IN_PROGRESS');
    expect(result.rotated).toEqual([
      'prod/payments/signing-key: rotated',
      'prod/payments/session-secret: rotated',
      'prod/payments/webhook-token: rotated',
    ]);
  });
});
