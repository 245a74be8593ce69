import { CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { createReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import { inspect } from 'node:util';
import { SecretsClient } from '../../../../lib/client';
import { ConflictError, ValidationError } from '../../../../lib/errors';
import {
  BundleAuthenticationError,
  ImportRefusedError,
  exportSecrets,
  importSecrets,
  writeBundle,
  type BundleEntry,
  type ImportOutcome,
  type ImportResult,
} from '../../../../lib/transfer';
import { valueChecksum } from '../../../../lib/transfer/export/secret-manifest';
import { OutputCapture } from '../../../support/output-capture';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { bundleDirectory, readFile, reencrypted, saved } from '../bundle/bundle-fixture';
import { clientOn, currentValues, logged, seed, snapshot, type Seed } from '../export/export-fixture';

const PLANTED = 'PLANTED-import-value-e2a7';
const protection = { passphrase: 'correct horse battery staple' };

const seeds: Seed[] = [
  { environment: 'prod', service: 'billing', name: 'stripe', kind: 'generic', value: `${PLANTED}-stripe` },
  {
    environment: 'prod',
    service: 'billing',
    name: 'db',
    kind: 'json',
    value: JSON.stringify({ password: `${PLANTED}-v1` }),
    later: [
      { value: JSON.stringify({ password: `${PLANTED}-v2` }) },
      { value: JSON.stringify({ password: `${PLANTED}-v3` }), stages: ['blue'] },
    ],
    tags: { owner: 'team-billing' },
  },
  {
    environment: 'prod',
    service: 'search',
    name: 'key',
    kind: 'symmetric-key',
    value: new Uint8Array(32).fill(7),
  },
];

let local: LocalFixture;
let dir: Awaited<ReturnType<typeof bundleDirectory>>;
/** The prod environment's current versions. */
let current: string;
/** Every labelled version of prod. */
let labelled: string;
let counter = 0;

beforeAll(async () => {
  local = await startLocal();
  dir = await bundleDirectory();
  await seed(local.sm(), seeds);
  const { client } = clientOn(local);
  current = dir.path('current.bundle');
  labelled = dir.path('labelled.bundle');
  await exportSecrets(client, { environment: 'prod', protection, destination: current });
  await exportSecrets(client, {
    ids: seeds.map((one) => `prod/${one.service}/${one.name}`),
    versions: 'all-labelled',
    protection,
    destination: labelled,
  });
});

afterAll(async () => {
  await dir.remove();
  await local.endpoint.close();
});

/** A fresh environment name, so each test imports into empty ground. */
function freshEnvironment(): string {
  return `t${counter++}`;
}

function into(environment: string): { map: { from: string; to: string }; environment: string } {
  return { map: { from: 'prod/', to: `${environment}/` }, environment };
}

function actions(result: ImportResult): Record<string, string> {
  return Object.fromEntries(result.secrets.map((secret) => [secret.name, secret.action]));
}

describe('importSecrets', () => {
  it('creates every secret of a bundle under its mapped name, retagged for the environment', async () => {
    const env = freshEnvironment();
    const { client } = clientOn(local);

    const result = await importSecrets(client, current, { protection, ...into(env) });

    expect(result.counts).toEqual({ created: 3, updated: 0, unchanged: 0, skipped: 0 });
    const state = await snapshot(local.sm(), `${env}/`);
    expect(currentValues(state)).toEqual({
      [`${env}/billing/db`]: JSON.stringify({ password: `${PLANTED}-v2` }),
      [`${env}/billing/stripe`]: `${PLANTED}-stripe`,
      [`${env}/search/key`]: Buffer.alloc(32, 7).toString('base64'),
    });
    const db = state.find((secret) => secret.name === `${env}/billing/db`)!;
    expect(db.tags).toMatchObject({
      owner: 'team-billing',
      'keystage:type': 'json',
      'keystage:service': 'billing',
      'keystage:environment': env,
    });
    expect(db.description).toBe('db for billing');
  });

  it('recreates every labelled version with its labels from an all-labelled bundle', async () => {
    const env = freshEnvironment();
    const { client } = clientOn(local);

    await importSecrets(client, labelled, { protection, ...into(env) });

    const db = (await snapshot(local.sm(), `${env}/billing/db`))[0]!;
    const byStage = Object.fromEntries(
      Object.values(db.versions).flatMap((version) => version.stages.map((stage) => [stage, version.value])),
    );
    expect(byStage).toEqual({
      AWSCURRENT: JSON.stringify({ password: `${PLANTED}-v2` }),
      AWSPREVIOUS: JSON.stringify({ password: `${PLANTED}-v1` }),
      blue: JSON.stringify({ password: `${PLANTED}-v3` }),
    });
    expect(db.versionCount).toBe(3);
  });

  it('makes no call that writes and no new version when run again', async () => {
    const env = freshEnvironment();
    const { client } = clientOn(local);
    await importSecrets(client, labelled, { protection, ...into(env) });
    const before = await snapshot(local.sm(), `${env}/`);
    const again = clientOn(local);
    const log = logged(again.sm);

    const result = await importSecrets(again.client, labelled, { protection, ...into(env) });

    expect(result.counts).toEqual({ created: 0, updated: 0, unchanged: 3, skipped: 0 });
    expect(log.sent.filter((name) => !['DescribeSecret', 'BatchGetSecretValue'].includes(name))).toEqual([]);
    expect(await snapshot(local.sm(), `${env}/`)).toEqual(before);
  });

  it('costs 2 calls a secret into an empty environment (DescribeSecret and CreateSecret)', async () => {
    const env = freshEnvironment();
    const { client, sm } = clientOn(local);
    const log = logged(sm);

    await importSecrets(client, current, { protection, ...into(env) });

    expect(log.count('DescribeSecret')).toBe(3);
    expect(log.count('CreateSecret')).toBe(3);
    expect(log.count()).toBe(6);
  });

  it('skips a secret that exists without overwrite, and updates it with overwrite', async () => {
    const env = freshEnvironment();
    const sm = local.sm();
    await sm.send(
      new CreateSecretCommand({
        Name: `${env}/billing/stripe`,
        SecretString: 'theirs',
        Tags: [{ Key: 'keystage:type', Value: 'generic' }],
      }),
    );
    const { client } = clientOn(local);

    const kept = await importSecrets(client, current, { protection, ...into(env) });
    const overwritten = await importSecrets(client, current, { protection, ...into(env), overwrite: true });

    expect(kept.secrets.find((secret) => secret.name === `${env}/billing/stripe`)).toMatchObject({
      action: 'skipped',
      reason: expect.stringContaining('overwrite is false'),
    });
    expect(actions(overwritten)[`${env}/billing/stripe`]).toBe('updated');
    const stripe = (await snapshot(sm, `${env}/billing/stripe`))[0]!;
    const byStage = Object.fromEntries(
      Object.values(stripe.versions).flatMap((version) =>
        version.stages.map((stage) => [stage, version.value]),
      ),
    );
    expect(byStage).toEqual({ AWSCURRENT: `${PLANTED}-stripe`, AWSPREVIOUS: 'theirs' });
    expect(stripe.tags['keystage:environment']).toBe(env);
  });

  it('tags an overwritten secret with only the tags it lacks or holds otherwise', async () => {
    const env = freshEnvironment();
    await local.sm().send(
      new CreateSecretCommand({
        Name: `${env}/billing/stripe`,
        SecretString: 'theirs',
        Tags: [
          { Key: 'keystage:type', Value: 'generic' },
          { Key: 'keystage:status', Value: 'active' },
          { Key: 'keystage:service', Value: 'payments' },
        ],
      }),
    );
    const { client, sm } = clientOn(local);
    const tagged: string[][] = [];
    const send = sm.send.bind(sm);
    sm.send = ((command: { constructor: { name: string }; input: { Tags?: { Key?: string }[] } }) => {
      if (command.constructor.name === 'TagResourceCommand')
        tagged.push((command.input.Tags ?? []).map((tag) => tag.Key ?? '').sort());
      return (send as (c: unknown) => unknown)(command);
    }) as typeof sm.send;

    await importSecrets(client, current, { protection, ...into(env), overwrite: true });

    expect(tagged).toEqual([['keystage:environment', 'keystage:service']]);
  });

  it('leaves a secret that already holds the value unchanged, even with overwrite', async () => {
    const env = freshEnvironment();
    const sm = local.sm();
    const tags = Object.entries({
      'keystage:environment': env,
      'keystage:service': 'billing',
      'keystage:type': 'generic',
      'keystage:status': 'active',
    }).map(([Key, Value]) => ({ Key, Value }));
    await sm.send(
      new CreateSecretCommand({
        Name: `${env}/billing/stripe`,
        SecretString: `${PLANTED}-stripe`,
        Tags: tags,
      }),
    );
    const { client } = clientOn(local);

    const result = await importSecrets(client, current, { protection, ...into(env), overwrite: true });

    expect(actions(result)[`${env}/billing/stripe`]).toBe('unchanged');
    expect((await snapshot(sm, `${env}/billing/stripe`))[0]!.versionCount).toBe(1);
  });

  it('returns the plan and writes nothing in a dry run', async () => {
    const env = freshEnvironment();
    const { client, sm } = clientOn(local);
    const log = logged(sm);

    const result = await importSecrets(client, labelled, { protection, ...into(env), dryRun: true });

    expect(result.dryRun).toBe(true);
    expect(result.secrets.map((secret) => [secret.name, secret.action, secret.versions]).sort()).toEqual([
      [`${env}/billing/db`, 'created', 3],
      [`${env}/billing/stripe`, 'created', 1],
      [`${env}/search/key`, 'created', 1],
    ]);
    expect(log.sent.every((name) => name === 'DescribeSecret')).toBe(true);
    expect(await snapshot(local.sm(), `${env}/`)).toEqual([]);
  });

  it('imports a KMS-protected bundle with the client’s KMS client', async () => {
    const env = freshEnvironment();
    const keyId = (await local.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const { client } = clientOn(local);
    const bundle = dir.path(`kms-${env}.bundle`);
    await exportSecrets(client, { environment: 'prod', protection: { kms: { keyId } }, destination: bundle });

    const result = await importSecrets(client, bundle, { protection: { kms: { keyId } }, ...into(env) });

    expect(result.counts.created).toBe(3);
  });

  it('leaves out what map returns null for', async () => {
    const env = freshEnvironment();
    const { client } = clientOn(local);

    const result = await importSecrets(client, current, {
      protection,
      environment: env,
      map: (name) => (name.includes('/search/') ? null : name.replace('prod/', `${env}/`)),
    });

    expect(result.counts).toMatchObject({ created: 2, skipped: 1 });
    expect(result.secrets.find((secret) => secret.source === 'prod/search/key')).toMatchObject({
      action: 'skipped',
      reason: 'left out by map',
    });
    expect((await snapshot(local.sm(), `${env}/`)).map((secret) => secret.name)).toEqual([
      `${env}/billing/db`,
      `${env}/billing/stripe`,
    ]);
  });
});

describe('importSecrets refuses before the first write', () => {
  it('refuses a kind that conflicts with the secret there, and writes none of the others', async () => {
    const env = freshEnvironment();
    const sm = local.sm();
    await sm.send(
      new CreateSecretCommand({
        Name: `${env}/billing/stripe`,
        SecretString: 'x',
        Tags: [{ Key: 'keystage:type', Value: 'api-key' }],
      }),
    );
    const { client } = clientOn(local);
    const log = logged(client.secretsManager);

    const error = await importSecrets(client, current, { protection, ...into(env), overwrite: true }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ImportRefusedError);
    expect((error as ImportRefusedError).problems).toEqual([
      expect.objectContaining({ name: 'prod/billing/stripe', field: 'manifest.kind' }),
    ]);
    expect(log.sent.filter((name) => !['DescribeSecret', 'BatchGetSecretValue'].includes(name))).toEqual([]);
    expect((await snapshot(sm, `${env}/`)).map((secret) => secret.name)).toEqual([`${env}/billing/stripe`]);
  });

  it('refuses two secrets mapped to one name', async () => {
    const env = freshEnvironment();
    const { client } = clientOn(local);

    const error = await importSecrets(client, current, { protection, map: () => `${env}/same` }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ImportRefusedError);
    expect((error as ImportRefusedError).problems.length).toBe(2);
    expect(await snapshot(local.sm(), `${env}/`)).toEqual([]);
  });

  it('refuses a value that does not fit its kind, unless validate is false', async () => {
    const env = freshEnvironment();
    const bundle = dir.path(`bad-shape-${env}.bundle`);
    const value = 'not json at all';
    await writeBundle(
      bundle,
      { content: 'keystage-export' },
      [
        {
          manifest: {
            name: 'prod/app/config',
            arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app/config-AbCdEf',
            kind: 'json',
            description: null,
            tags: { 'keystage:type': 'json' },
            versionId: 'a'.repeat(32),
            stages: ['AWSCURRENT'],
            createdAt: null,
            encoding: 'string',
            sha256: valueChecksum(value),
          },
          value,
        },
      ],
      protection,
    );
    const { client } = clientOn(local);

    const refused = await importSecrets(client, bundle, { protection, ...into(env) }).catch(
      (e: unknown) => e,
    );
    const accepted = await importSecrets(client, bundle, { protection, ...into(env), validate: false });

    expect(refused).toBeInstanceOf(ImportRefusedError);
    expect((refused as ImportRefusedError).problems[0]).toMatchObject({
      name: 'prod/app/config',
      field: 'entries[0].value',
    });
    expect(JSON.stringify(refused)).not.toContain(value);
    expect(accepted.counts.created).toBe(1);
  });

  it('refuses a bundle that fails authentication and writes nothing', async () => {
    const env = freshEnvironment();
    const bytes = await reencrypted(await readFile(current), protection, (records) =>
      records.filter((_, i) => i !== 2),
    );
    const path = await saved(dir.path(`tampered-${env}.bundle`), bytes);
    const { client, sm } = clientOn(local);
    const log = logged(sm);

    const error = await importSecrets(client, path, { protection, ...into(env) }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BundleAuthenticationError);
    expect(log.sent.filter((name) => name !== 'DescribeSecret')).toEqual([]);
    expect(await snapshot(local.sm(), `${env}/`)).toEqual([]);
  });

  it('refuses a wrong passphrase before any call', async () => {
    const { client, sm } = clientOn(local);
    const log = logged(sm);

    const error = await importSecrets(client, current, {
      protection: { passphrase: 'incorrect horse battery' },
    }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'DECODE_ERROR', reason: 'wrong-key' });
    expect(log.sent).toEqual([]);
  });

  it('refuses a bundle that is not an export', async () => {
    const path = dir.path('backup-like.bundle');
    await writeBundle(path, { content: 'keystage-backup' }, [], protection);
    const { client } = clientOn(local);

    await expect(importSecrets(client, path, { protection })).rejects.toMatchObject({ field: 'source' });
  });

  it.each([
    ['overwrite', { overwrite: 'yes' }],
    ['map', { map: { from: '', to: 'x/' } }],
    ['environment', { environment: 'a/b' }],
    ['concurrency', { concurrency: 0 }],
    ['report', { report: 'everything' }],
    ['onSecret', { onSecret: true }],
    ['colour', { colour: 'blue' }],
  ])('refuses a bad %s before reading the bundle', async (field, options) => {
    const { client } = clientOn(local);

    const error = await importSecrets(client, dir.path('never-read.bundle'), {
      protection,
      ...(options as object),
    } as never).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
  });
});

describe('importSecrets results', () => {
  it("counts with report: 'counts', lists nothing, and streams each outcome to onSecret", async () => {
    const env = freshEnvironment();
    const { client } = clientOn(local);
    const heard: ImportOutcome[] = [];

    const result = await importSecrets(client, labelled, {
      protection,
      ...into(env),
      report: 'counts',
      onSecret: (outcome) => {
        heard.push(outcome);
      },
    });

    expect(Object.keys(result).sort()).toEqual(['bundleId', 'counts', 'dryRun', 'entries']);
    expect(result).toMatchObject({
      entries: 5,
      counts: { created: 3, updated: 0, unchanged: 0, skipped: 0 },
    });
    expect(
      heard.map((outcome) => [outcome.name, outcome.source, outcome.action, outcome.versions]).sort(),
    ).toEqual([
      [`${env}/billing/db`, 'prod/billing/db', 'created', 3],
      [`${env}/billing/stripe`, 'prod/billing/stripe', 'created', 1],
      [`${env}/search/key`, 'prod/search/key', 'created', 1],
    ]);
  });

  it('lists every secret in bundle order with the default report, as onSecret hears them', async () => {
    const env = freshEnvironment();
    const { client } = clientOn(local);
    const heard: ImportOutcome[] = [];

    const result = await importSecrets(client, labelled, {
      protection,
      ...into(env),
      concurrency: 1,
      onSecret: (outcome) => {
        heard.push(outcome);
      },
    });

    expect(result.secrets.map((secret) => secret.source)).toEqual([
      'prod/billing/stripe',
      'prod/billing/db',
      'prod/search/key',
    ]);
    expect(heard).toEqual(result.secrets);
  });

  it('streams the plan of a dry run only once it is checked, and writes nothing', async () => {
    const env = freshEnvironment();
    const { client, sm } = clientOn(local);
    const log = logged(sm);
    const heard: string[] = [];

    const refused = await importSecrets(client, current, {
      protection,
      map: () => `${env}/same`,
      dryRun: true,
      onSecret: (outcome) => {
        heard.push(outcome.name);
      },
    }).catch((e: unknown) => e);
    const plan = await importSecrets(client, current, {
      protection,
      ...into(env),
      dryRun: true,
      report: 'counts',
      onSecret: (outcome) => {
        heard.push(`${outcome.action} ${outcome.name}`);
      },
    });

    expect(refused).toBeInstanceOf(ImportRefusedError);
    expect(plan.counts.created).toBe(3);
    expect(heard.sort()).toEqual([
      `created ${env}/billing/db`,
      `created ${env}/billing/stripe`,
      `created ${env}/search/key`,
    ]);
    expect(log.sent.every((name) => name === 'DescribeSecret')).toBe(true);
  });

  it('stops when onSecret throws, and a rerun finishes the rest', async () => {
    const env = freshEnvironment();
    const { client } = clientOn(local);
    const refusal = new ValidationError('onSecret', 'test: the receiver gives up');

    const error = await importSecrets(client, current, {
      protection,
      ...into(env),
      concurrency: 1,
      onSecret: () => {
        throw refusal;
      },
    }).catch((e: unknown) => e);
    const rerun = await importSecrets(client, current, { protection, ...into(env), report: 'counts' });

    expect(error).toBe(refusal);
    expect(rerun.counts).toEqual({ created: 2, updated: 0, unchanged: 1, skipped: 0 });
  });
});

describe('importSecrets between its two passes', () => {
  it('stops before any write when map names another target in pass 2', async () => {
    const env = freshEnvironment();
    const { client, sm } = clientOn(local);
    const log = logged(sm);
    let calls = 0;

    const error = await importSecrets(client, current, {
      protection,
      // Pass 1 asks once per secret (3); after that, a fickle map.
      map: (name) => name.replace('prod/', calls++ < 3 ? `${env}/` : `${env}-other/`),
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BundleAuthenticationError);
    expect(error).toMatchObject({ reason: 'altered', message: expect.stringContaining('map') });
    expect(log.sent.filter((name) => name !== 'DescribeSecret')).toEqual([]);
  });

  it('refuses to go on with a secret an earlier run started when it changed after pass 1', async () => {
    const env = freshEnvironment();
    const crashing = clientOn(local);
    logged(crashing.sm, (command) => {
      if (command === 'PutSecretValue') throw new Error('test: killed after the first put');
    });
    await expect(
      importSecrets(crashing.client, labelled, { protection, ...into(env), concurrency: 1 }),
    ).rejects.toThrow('killed');
    let opened = 0;
    const source = (): NodeJS.ReadableStream => {
      // The opening read, pass 1, then pass 2: someone deletes db before pass 2 reads a byte.
      if (++opened !== 3) return createReadStream(labelled);
      const late = new PassThrough();
      void local
        .sm()
        .send(new DeleteSecretCommand({ SecretId: `${env}/billing/db`, ForceDeleteWithoutRecovery: true }))
        .then(() => createReadStream(labelled).pipe(late));
      return late;
    };
    const { client } = clientOn(local);

    const error = await importSecrets(client, source, { protection, ...into(env), concurrency: 1 }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toContain(`"${env}/billing/db" changed between the two passes`);
  });

  it('names the secrets of one target, and a secret whose versions are apart', async () => {
    const bundle = dir.path(`apart-${freshEnvironment()}.bundle`);
    const entry = (name: string, versionId: string): BundleEntry => ({
      manifest: {
        name,
        arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`,
        kind: 'generic',
        description: null,
        tags: {},
        versionId,
        stages: ['AWSCURRENT'],
        createdAt: null,
        encoding: 'string',
        sha256: valueChecksum('x'),
      },
      value: 'x',
    });
    await writeBundle(
      bundle,
      { content: 'keystage-export' },
      [
        entry('prod/app/a', 'a'.repeat(32)),
        entry('prod/app/b', 'b'.repeat(32)),
        entry('prod/app/a', 'c'.repeat(32)),
        entry('prod/app/c', 'd'.repeat(32)),
      ],
      protection,
    );
    const { client } = clientOn(local);

    const error = await importSecrets(client, bundle, {
      protection,
      map: (name) => (name === 'prod/app/c' ? 'prod/app/b' : name),
      dryRun: true,
    }).catch((e: unknown) => e);

    expect((error as ImportRefusedError).problems).toEqual([
      {
        name: 'prod/app/a',
        field: 'entries[2]',
        message: "the secret's versions are not together in the bundle",
      },
      { name: 'prod/app/c', field: 'map', message: '"prod/app/b" and "prod/app/c" both go to "prod/app/b"' },
    ]);
  });
});

describe('importSecrets shows no value', () => {
  it('keeps values out of results, errors, audit events and logs', async () => {
    const env = freshEnvironment();
    const capture = new OutputCapture();
    const client = new SecretsClient({
      secretsManager: local.sm(),
      kms: local.kms(),
      cache: false,
      audit: capture.audit,
      logger: capture.logger,
    });
    const sm = local.sm();
    await sm.send(new CreateSecretCommand({ Name: `${env}/billing/stripe`, SecretString: 'theirs' }));
    await sm.send(new PutSecretValueCommand({ SecretId: `${env}/billing/stripe`, SecretString: 'theirs-2' }));
    capture.start();
    try {
      const plan = await importSecrets(client, labelled, { protection, ...into(env), dryRun: true });
      const result = await importSecrets(client, labelled, { protection, ...into(env), overwrite: true });
      capture.add(JSON.stringify([plan, result]));
      capture.add(inspect([plan, result], { depth: 8 }));
    } finally {
      capture.stop();
    }

    expect(capture.events.map((event) => event.action)).toEqual(
      expect.arrayContaining(['describe', 'create', 'put']),
    );
    expect(capture.text()).toContain(`${env}/billing/db`);
    expect(capture.text()).not.toContain(PLANTED);
  });
});
