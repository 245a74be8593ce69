/**
 * RELIABILITY 61: killed between writes and rerun, the copy's final state equals an
 * uninterrupted run's, with no duplicate version. The SDK client's `send` is wrapped to
 * "kill" the run at every write boundary: before the next write is sent, and just after
 * it took effect (its answer lost), for every N.
 */
import { copyEnvironment } from '../../../../lib/transfer';
import {
  PLANTED,
  SCENARIO_OPTIONS,
  copyFixture,
  recordedClient,
  seedScenario,
  stateOf,
  type CrashPoint,
  type SecretState,
} from './copy-fixture';

/** The writes an uninterrupted copy of the scenario makes. */
const WRITES = 7;

/**
 * A state comparable across endpoints: VersionIds are random per endpoint (and the
 * tokens derive from ARNs, whose suffix is random), and a generated value is random, so
 * each is checked for its shape and then replaced by a marker.
 */
function comparable(states: readonly SecretState[]): object[] {
  return states.map((full) => {
    const state: Omit<SecretState, 'currentVersionId'> & { currentVersionId?: string } = { ...full };
    delete state.currentVersionId;
    if (state.name === 'staging/billing/db') {
      const db = JSON.parse(state.value!) as Record<string, unknown>;
      expect(db).toMatchObject({
        engine: 'postgres',
        host: 'db.prod.internal',
        username: 'billing',
        ssl: false,
      });
      expect(db.password).not.toBe(PLANTED);
      return { ...state, value: { ...db, password: '<generated>' } };
    }
    if (state.name === 'staging/billing/webhook') {
      expect(Buffer.from(state.value!, 'base64')).toHaveLength(32);
      return { ...state, value: '<generated>' };
    }
    return state;
  });
}

async function copied(crash: CrashPoint | undefined): Promise<{ state: object[]; writes: string[] }> {
  const fixture = await copyFixture();
  try {
    await seedScenario(fixture.admin);
    const { client, recorder } = recordedClient(fixture.local);
    if (crash !== undefined) {
      recorder.crash = crash;
      await expect(copyEnvironment(client, SCENARIO_OPTIONS)).rejects.toThrow();
    }
    const rerun = recordedClient(fixture.local);
    await copyEnvironment(rerun.client, SCENARIO_OPTIONS);
    // Done means done: one more run writes nothing.
    const third = recordedClient(fixture.local);
    const after = await copyEnvironment(third.client, SCENARIO_OPTIONS);
    expect(third.recorder.writeCommands()).toEqual([]);
    expect(after.counts).toEqual({ create: 0, update: 0, skip: after.entries.length });
    return {
      state: comparable(await stateOf(fixture.raw, 'staging/')),
      writes: [...recorder.writeCommands(), ...rerun.recorder.writeCommands()],
    };
  } finally {
    await fixture.close();
  }
}

let reference: { state: object[]; writes: string[] };

beforeAll(async () => {
  reference = await copied(undefined);
});

describe('copyEnvironment after a crash', () => {
  it("makes the scenario's writes in an uninterrupted run", () => {
    expect(reference.writes).toEqual([
      'CreateSecret',
      'CreateSecret',
      'CreateSecret',
      'CreateSecret',
      'PutSecretValue',
      'TagResource',
      'TagResource',
    ]);
    expect(reference.writes).toHaveLength(WRITES);
    // Seeded search/api has one version; the copy adds exactly one.
    expect(reference.state).toContainEqual(
      expect.objectContaining({ name: 'staging/search/api', versionCount: 2, value: `search-${PLANTED}` }),
    );
  });

  const points: CrashPoint[] = [];
  for (let after = 0; after < WRITES; after++) {
    points.push({ after, mode: 'before' }, { after, mode: 'after' });
  }
  it.each(points)(
    'killed after $after writes ($mode the next), a rerun ends where an uninterrupted run does',
    async (crash) => {
      const { state, writes } = await copied(crash);
      expect(state).toEqual(reference.state);
      // The killed run and the rerun together make exactly the writes of one run: nothing
      // is repeated, not even the write whose answer was lost.
      expect([...writes].sort()).toEqual([...reference.writes].sort());
    },
  );
});
