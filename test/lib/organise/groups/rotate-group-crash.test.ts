import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsClient } from '../../../../lib/client';
import { defineGroup, rotateGroup, type GroupRotationResult } from '../../../../lib/organise';
import { memberToken } from '../../../../lib/organise/groups/member-plan';
import {
  FLAKY_IN_PROCESS,
  GENERIC_IN_PROCESS,
  groupFixture,
  labels,
  type GroupFixture,
} from './group-fixture';

// Crash injection for rotateGroup: the process "dies" right before its N-th write (RotateSecret
// or UpdateSecretVersionStage), for every N of an uninterrupted run: its SDK call never
// returns, so nothing after it happens. Then the job is run again with the same runId, and
// the final state of every member (its versions and their labels) must equal what an
// uninterrupted run leaves, with no duplicate versions. Rotation runs in process (the
// generic strategy and protocol): the sweep rotates dozens of times.

const TIMEOUT_MS = 800;
const WRITES = new Set([
  'RotateSecretCommand',
  'UpdateSecretVersionStageCommand',
  'PutSecretValueCommand',
  'TagResourceCommand',
  'UntagResourceCommand',
]);

let f: GroupFixture;
let n = 0;

beforeAll(async () => {
  f = await groupFixture();
});
afterAll(() => f.close());
afterEach(() => f.failing(false));

interface Crashing {
  readonly client: SecretsClient;
  /** Resolves when the process "dies". */
  readonly died: Promise<void>;
  readonly writes: () => number;
}

/** A client whose process dies before its `dieBefore`-th write (never, when undefined). */
function crashingClient(dieBefore: number | undefined): Crashing {
  const sm: SecretsManagerClient = f.local.sm();
  let writes = 0;
  let die = () => undefined as void;
  const died = new Promise<void>((resolve) => (die = resolve));
  (sm.middlewareStack as { add: (mw: unknown, opts: unknown) => void }).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
      if (WRITES.has(context.commandName ?? '') && ++writes === dieBefore) {
        die();
        return new Promise(() => undefined);
      }
      return next(args);
    },
    { step: 'initialize', name: 'crash' },
  );
  return { client: new SecretsClient({ secretsManager: sm }), died, writes: () => writes };
}

async function group(flaky: boolean) {
  const id = ++n;
  const members = [];
  for (const name of ['a', 'b', 'c']) {
    const lambda = flaky && name === 'c' ? FLAKY_IN_PROCESS : GENERIC_IN_PROCESS;
    members.push(await f.member(`crash${id}-${name}`, lambda));
  }
  const groupName = `crash-${id}`;
  await defineGroup(
    f.client(),
    groupName,
    members.map((member) => member.name),
  );
  return { groupName, members };
}

type Members = Awaited<ReturnType<typeof group>>['members'];

/** Every member's versions and labels, in symbols (initial / run / other). */
async function finalState(members: Members, runId: string) {
  const secrets = f.client();
  const state: Array<Record<string, string[]>> = [];
  for (const member of members) {
    const versions = await secrets.versions(member.name, { includeDeprecated: true });
    state.push(labels(versions, member.versionId, memberToken(runId, member.arn)));
  }
  return state;
}

const outcomes = (result: GroupRotationResult) => result.members.map((member) => member.outcome);

/** Runs the job once, uninterrupted: how many writes it makes and what it leaves. */
async function reference(flaky: boolean) {
  const { groupName, members } = await group(flaky);
  f.failing(flaky);
  const run = crashingClient(undefined);
  const result = await rotateGroup(run.client, groupName, { runId: 'ref', timeoutMs: TIMEOUT_MS });
  return { writes: run.writes(), result, state: await finalState(members, 'ref') };
}

/** Dies before the `n`-th write, reruns with the same runId, and returns what the rerun saw and left. */
async function crashThenRerun(flaky: boolean, dieBefore: number) {
  const { groupName, members } = await group(flaky);
  f.failing(flaky);
  const runId = `crash-before-${dieBefore}`;
  const crashing = crashingClient(dieBefore);
  void rotateGroup(crashing.client, groupName, { runId, timeoutMs: TIMEOUT_MS });
  await crashing.died;
  // A rotation the dead process started goes on in the service, as in AWS.
  await f.local.endpoint.rotationsIdle();
  const rerun = await rotateGroup(f.client(), groupName, { runId, timeoutMs: TIMEOUT_MS });
  return { rerun, state: await finalState(members, runId) };
}

describe('rotateGroup after a crash, rerun with the same runId', () => {
  it('finishes the job when the process died after rotating member 2 of 3, rotating each member once', async () => {
    const { groupName, members } = await group(false);
    const crashing = crashingClient(3);
    void rotateGroup(crashing.client, groupName, { runId: 'after-two', timeoutMs: TIMEOUT_MS });
    await crashing.died;
    expect(await finalState(members, 'after-two')).toEqual([
      { initial: ['AWSPREVIOUS'], run: ['AWSCURRENT', 'AWSPENDING'] },
      { initial: ['AWSPREVIOUS'], run: ['AWSCURRENT', 'AWSPENDING'] },
      { initial: ['AWSCURRENT'] },
    ]);
    const rerun = await rotateGroup(f.client(), groupName, { runId: 'after-two', timeoutMs: TIMEOUT_MS });
    expect(rerun.members.map((member) => [member.outcome, member.resumed])).toEqual([
      ['rotated', true],
      ['rotated', true],
      ['rotated', false],
    ]);
    expect(await finalState(members, 'after-two')).toEqual(
      members.map(() => ({ initial: ['AWSPREVIOUS'], run: ['AWSCURRENT', 'AWSPENDING'] })),
    );
  });

  it('ends as an uninterrupted run does, whichever write of a successful run it died before', async () => {
    const expected = await reference(false);
    expect(outcomes(expected.result)).toEqual(['rotated', 'rotated', 'rotated']);
    expect(expected.writes).toBe(3);
    for (let dieBefore = 1; dieBefore <= expected.writes; dieBefore++) {
      const { rerun, state } = await crashThenRerun(false, dieBefore);
      expect({ dieBefore, outcomes: outcomes(rerun), state }).toEqual({
        dieBefore,
        outcomes: outcomes(expected.result),
        state: expected.state,
      });
    }
  });

  it('ends rolled back as an uninterrupted run does, whichever write of a failing run it died before', async () => {
    const expected = await reference(true);
    expect(outcomes(expected.result)).toEqual(['rolled-back', 'rolled-back', 'failed']);
    expect(expected.state).toEqual([
      { initial: ['AWSCURRENT'], run: ['AWSPREVIOUS'] },
      { initial: ['AWSCURRENT'], run: ['AWSPREVIOUS'] },
      { initial: ['AWSCURRENT'], run: [] },
    ]);
    // Three rotations; c's given up; b and a moved back and cleared of AWSPENDING.
    expect(expected.writes).toBe(8);
    for (let dieBefore = 1; dieBefore <= expected.writes; dieBefore++) {
      const { rerun, state } = await crashThenRerun(true, dieBefore);
      expect({ dieBefore, outcomes: outcomes(rerun), state }).toEqual({
        dieBefore,
        outcomes: outcomes(expected.result),
        state: expected.state,
      });
    }
  });
});
