import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { exportSecrets, importSecrets } from '../../../../lib/transfer';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { bundleDirectory } from '../bundle/bundle-fixture';
import { clientOn, logged, seed, snapshot, type SecretState, type Seed } from '../export/export-fixture';

// RELIABILITY 61: an import killed between any two writes and run again ends in the state of
// an uninterrupted import, with no duplicate versions.

const protection = { passphrase: 'correct horse battery staple' };
const WRITES = new Set(['CreateSecret', 'PutSecretValue', 'UpdateSecretVersionStage', 'TagResource']);

const seeds: Seed[] = [
  { environment: 'prod', service: 'billing', name: 'stripe', kind: 'generic', value: 'stripe-value' },
  {
    environment: 'prod',
    service: 'billing',
    name: 'db',
    kind: 'json',
    value: JSON.stringify({ password: 'v1' }),
    later: [
      { value: JSON.stringify({ password: 'v2' }) },
      { value: JSON.stringify({ password: 'v3' }), stages: ['blue'] },
    ],
  },
  {
    environment: 'prod',
    service: 'search',
    name: 'key',
    kind: 'symmetric-key',
    value: new Uint8Array(32).fill(7),
  },
  { environment: 'prod', service: 'search', name: 'index', kind: 'generic', value: 'index-value' },
];

const options = {
  protection,
  map: { from: 'prod/', to: 'staging/' },
  environment: 'staging',
  overwrite: true,
} as const;

let dir: Awaited<ReturnType<typeof bundleDirectory>>;
let bundle: string;
let reference: SecretState[];
let referenceWrites: number;

/** The crash: thrown as the SDK's answer after a write took effect, as a killed process would leave it. */
class Crash extends Error {}

/** A target endpoint as each run starts from: one secret there already, with a fixed VersionId. */
async function target(): Promise<LocalFixture> {
  const local = await startLocal();
  await local.sm().send(
    new CreateSecretCommand({
      Name: 'staging/billing/stripe',
      SecretString: 'theirs',
      ClientRequestToken: '00000000-0000-4000-8000-000000000001',
      Tags: [{ Key: 'keystage:type', Value: 'generic' }],
    }),
  );
  return local;
}

/** Runs the import with a client that dies after its `crashAfter`-th write. */
async function crashingImport(
  local: LocalFixture,
  crashAfter: number,
  concurrency: number,
): Promise<boolean> {
  const { client, sm } = clientOn(local);
  let writes = 0;
  logged(sm, (command) => {
    if (WRITES.has(command) && ++writes === crashAfter) throw new Crash(`after write ${crashAfter}`);
  });
  try {
    await importSecrets(client, bundle, { ...options, concurrency });
    return false;
  } catch (error) {
    const crashed = error instanceof Crash || (error as { cause?: unknown }).cause instanceof Crash;
    if (!crashed) throw error;
    return true;
  }
}

beforeAll(async () => {
  dir = await bundleDirectory();
  const source = await startLocal();
  try {
    await seed(source.sm(), seeds);
    bundle = dir.path('labelled.bundle');
    await exportSecrets(clientOn(source).client, {
      environment: 'prod',
      versions: 'all-labelled',
      protection,
      destination: bundle,
    });
  } finally {
    await source.endpoint.close();
  }
  const local = await target();
  try {
    const { client, sm } = clientOn(local);
    const log = logged(sm);
    await importSecrets(client, bundle, options);
    referenceWrites = log.sent.filter((name) => WRITES.has(name)).length;
    reference = await snapshot(local.sm());
  } finally {
    await local.endpoint.close();
  }
});

afterAll(() => dir.remove());

describe('importSecrets killed between writes', () => {
  it('makes the writes the test expects to interrupt', () => {
    // 4 secrets: db 3 versions (create, 2 puts), stripe (put, tag), key and index (create each).
    expect(referenceWrites).toBe(7);
    expect(reference.map((secret) => [secret.name, secret.versionCount])).toEqual([
      ['staging/billing/db', 3],
      ['staging/billing/stripe', 2],
      ['staging/search/index', 1],
      ['staging/search/key', 1],
    ]);
  });

  it.each(Array.from({ length: 7 }, (_, i) => i + 1))(
    'ends as an uninterrupted run after a crash after write %i, then a rerun',
    async (crashAfter) => {
      const local = await target();
      try {
        expect(await crashingImport(local, crashAfter, 1)).toBe(true);

        const { client } = clientOn(local);
        await importSecrets(client, bundle, options);

        expect(await snapshot(local.sm())).toEqual(reference);
      } finally {
        await local.endpoint.close();
      }
    },
  );

  it.each([1, 3, 5])(
    'ends the same with 4 secrets written at a time, crashing after write %i',
    async (crashAfter) => {
      const local = await target();
      try {
        expect(await crashingImport(local, crashAfter, 4)).toBe(true);

        await importSecrets(clientOn(local).client, bundle, { ...options, concurrency: 4 });

        expect(await snapshot(local.sm())).toEqual(reference);
      } finally {
        await local.endpoint.close();
      }
    },
  );

  it('converges when every rerun dies after its first write too', async () => {
    const local = await target();
    try {
      let runs = 0;
      while (await crashingImport(local, 1, 1)) {
        runs++;
        if (runs > 10) throw new Error('test: no progress');
      }

      expect(runs).toBe(7);
      expect(await snapshot(local.sm())).toEqual(reference);
    } finally {
      await local.endpoint.close();
    }
  });

  it('finishes a secret it started even without overwrite', async () => {
    const cautious = { ...options, overwrite: false };
    const uninterrupted = await target();
    const interrupted = await target();
    try {
      await importSecrets(clientOn(uninterrupted).client, bundle, cautious);
      const { client, sm } = clientOn(interrupted);
      logged(sm, (command) => {
        if (command === 'CreateSecret') throw new Crash('after the first create');
      });
      await expect(importSecrets(client, bundle, { ...cautious, concurrency: 1 })).rejects.toBeDefined();
      // The crash left db with its first version only: the rerun must finish it.
      expect((await snapshot(interrupted.sm(), 'staging/billing/db'))[0]!.versionCount).toBe(1);

      const result = await importSecrets(clientOn(interrupted).client, bundle, cautious);

      expect(result.counts).toMatchObject({ skipped: 1 });
      expect(await snapshot(interrupted.sm())).toEqual(await snapshot(uninterrupted.sm()));
    } finally {
      await uninterrupted.endpoint.close();
      await interrupted.endpoint.close();
    }
  });

  it('reports a finished import as unchanged when run once more', async () => {
    const local = await target();
    try {
      await crashingImport(local, 4, 1);
      await importSecrets(clientOn(local).client, bundle, options);

      const result = await importSecrets(clientOn(local).client, bundle, options);

      expect(result.counts).toEqual({ created: 0, updated: 0, unchanged: 4, skipped: 0 });
    } finally {
      await local.endpoint.close();
    }
  });
});
