import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { stat } from 'node:fs/promises';
import { inspect } from 'node:util';
import { SecretsClient } from '../../../../lib/client';
import { ValidationError } from '../../../../lib/errors';
import { AccessPolicy, POLICY_OPERATIONS } from '../../../../lib/policy';
import { openBundle, exportSecrets, type BundleEntry, type ExportOutcome } from '../../../../lib/transfer';
import { OutputCapture } from '../../../support/output-capture';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { bundleDirectory } from '../bundle/bundle-fixture';
import { clientOn, logged, seed, type Seed } from './export-fixture';

const PLANTED = 'PLANTED-export-value-4c1d';
const protection = { passphrase: 'correct horse battery staple' };

let local: LocalFixture;
let dir: Awaited<ReturnType<typeof bundleDirectory>>;
let counter = 0;

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
  {
    environment: 'staging',
    service: 'billing',
    name: 'stripe',
    kind: 'generic',
    value: `${PLANTED}-staging`,
  },
];

beforeAll(async () => {
  local = await startLocal();
  dir = await bundleDirectory();
  await seed(local.sm(), seeds);
});

afterAll(async () => {
  await dir.remove();
  await local.endpoint.close();
});

async function entriesOf(path: string): Promise<BundleEntry[]> {
  const reader = await openBundle(path, protection, { content: 'keystage-export' });
  const found: BundleEntry[] = [];
  for await (const entry of reader.entries()) found.push(entry);
  return found;
}

function path(): string {
  return dir.path(`export-${counter++}.bundle`);
}

describe('exportSecrets', () => {
  it("exports an environment's current versions with their manifests", async () => {
    const { client } = clientOn(local);
    const destination = path();

    const result = await exportSecrets(client, { environment: 'prod', protection, destination });

    expect(result).toMatchObject({ secrets: 3, versions: 3, failed: [] });
    const entries = await entriesOf(destination);
    const byName = new Map(entries.map((entry) => [entry.manifest.name, entry]));
    expect([...byName.keys()].sort()).toEqual(['prod/billing/db', 'prod/billing/stripe', 'prod/search/key']);
    const db = byName.get('prod/billing/db')!;
    expect(db.manifest).toMatchObject({
      kind: 'json',
      description: 'db for billing',
      stages: ['AWSCURRENT'],
      encoding: 'string',
      tags: expect.objectContaining({ owner: 'team-billing', 'keystage:environment': 'prod' }),
    });
    expect(db.manifest.arn).toMatch(/^arn:aws:secretsmanager:/);
    expect(Date.parse(String(db.manifest.createdAt))).not.toBeNaN();
    expect(db.value).toBe(JSON.stringify({ password: `${PLANTED}-v2` }));
    expect(byName.get('prod/search/key')!.manifest.encoding).toBe('binary');
    expect(Buffer.from(byName.get('prod/search/key')!.value as Uint8Array)).toEqual(Buffer.alloc(32, 7));
  });

  it('costs at most 2 calls a secret for a current-version export (ListSecrets and BatchGetSecretValue)', async () => {
    const many: Seed[] = Array.from({ length: 45 }, (_, i) => ({
      environment: 'bulk',
      service: 'svc',
      name: `s${i}`,
      kind: 'generic',
      value: `${PLANTED}-${i}`,
    }));
    await seed(local.sm(), many);
    const { client, sm } = clientOn(local);
    const log = logged(sm);

    const result = await exportSecrets(client, { environment: 'bulk', protection, destination: path() });

    expect(result.secrets).toBe(45);
    expect(log.count('ListSecrets')).toBe(1);
    expect(log.count('BatchGetSecretValue')).toBe(3);
    expect(log.count() / 45).toBeLessThanOrEqual(2);
  });

  it('exports every labelled version with all-labelled, the current one first', async () => {
    const { client } = clientOn(local);
    const destination = path();

    const result = await exportSecrets(client, {
      ids: ['prod/billing/db'],
      versions: 'all-labelled',
      protection,
      destination,
    });

    expect(result).toMatchObject({ secrets: 1, versions: 3 });
    const entries = await entriesOf(destination);
    expect(entries.map((entry) => [...(entry.manifest.stages as string[])].sort())).toEqual([
      ['AWSCURRENT'],
      ['AWSPREVIOUS'],
      ['blue'],
    ]);
    expect(entries.map((entry) => entry.value)).toEqual([
      JSON.stringify({ password: `${PLANTED}-v2` }),
      JSON.stringify({ password: `${PLANTED}-v1` }),
      JSON.stringify({ password: `${PLANTED}-v3` }),
    ]);
    expect(new Set(entries.map((entry) => entry.manifest.versionId)).size).toBe(3);
  });

  it('narrows an environment to a service', async () => {
    const { client } = clientOn(local);
    const destination = path();

    await exportSecrets(client, { environment: 'prod', service: 'search', protection, destination });

    expect((await entriesOf(destination)).map((entry) => entry.manifest.name)).toEqual(['prod/search/key']);
  });

  it('exports named secrets and reports the ones it cannot read', async () => {
    const { client } = clientOn(local);
    const destination = path();

    const result = await exportSecrets(client, {
      ids: ['prod/billing/stripe', 'prod/billing/missing'],
      protection,
      destination,
    });

    expect(result.secrets).toBe(1);
    expect(result.failed).toEqual([
      expect.objectContaining({ name: 'prod/billing/missing', code: 'SECRET_NOT_FOUND' }),
    ]);
    expect((await entriesOf(destination)).map((entry) => entry.manifest.name)).toEqual([
      'prod/billing/stripe',
    ]);
  });

  it('leaves out what the access policy refuses, through the client pipeline', async () => {
    const policy = new AccessPolicy({
      rules: [
        { id: 'all', effect: 'allow', secrets: ['**'], operations: POLICY_OPERATIONS },
        { id: 'no-db', effect: 'deny', secrets: ['prod/billing/db'], operations: ['read'] },
      ],
    });
    const { client } = clientOn(local, {
      policy,
      principal: { id: 'ops', service: 'ops', environment: 'prod', roles: ['devops'] },
    });
    const destination = path();

    const result = await exportSecrets(client, { environment: 'prod', protection, destination });

    expect(result.failed.map((failure) => [failure.name, failure.code])).toEqual([
      ['prod/billing/db', 'PERMISSION_DENIED'],
    ]);
    expect((await entriesOf(destination)).map((entry) => entry.manifest.name).sort()).toEqual([
      'prod/billing/stripe',
      'prod/search/key',
    ]);
  });

  it('exports under a KMS key with the client’s KMS client', async () => {
    const keyId = (await local.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const { client } = clientOn(local);
    const destination = path();

    await exportSecrets(client, { environment: 'staging', protection: { kms: { keyId } }, destination });

    const reader = await openBundle(destination, { kms: { keyId, kms: local.kms() } });
    expect(reader.header).toMatchObject({ content: 'keystage-export', protection: 'kms' });
  });

  it('records its reads in the audit trail and shows no value anywhere', async () => {
    const capture = new OutputCapture();
    const sm = local.sm();
    const client = new SecretsClient({
      secretsManager: sm,
      kms: local.kms(),
      cache: false,
      audit: capture.audit,
      logger: capture.logger,
    });
    capture.start();
    let result;
    try {
      result = await exportSecrets(client, { environment: 'prod', protection, destination: path() });
    } finally {
      capture.stop();
    }
    capture.add(JSON.stringify(result));
    capture.add(inspect(result, { depth: 8 }));

    expect(capture.events.map((event) => event.action)).toEqual(expect.arrayContaining(['list', 'getMany']));
    expect(
      capture.events
        .filter((event) => event.action === 'getMany')
        .map((event) => event.secret_name)
        .sort(),
    ).toEqual(['prod/billing/db', 'prod/billing/stripe', 'prod/search/key']);
    expect(capture.text()).not.toContain(PLANTED);
  });
});

describe('exportSecrets results', () => {
  it('streams each outcome to onSecret as it happens, and lists failures with the default report', async () => {
    const { client } = clientOn(local);
    const heard: ExportOutcome[] = [];

    const result = await exportSecrets(client, {
      ids: ['prod/billing/missing', 'prod/billing/stripe', 'prod/billing/db'],
      versions: 'all-labelled',
      protection,
      destination: path(),
      onSecret: (outcome) => {
        heard.push(outcome);
      },
    });

    expect(heard).toEqual([
      expect.objectContaining({ status: 'failed', name: 'prod/billing/missing', code: 'SECRET_NOT_FOUND' }),
      { status: 'exported', name: 'prod/billing/stripe', versions: 1 },
      { status: 'exported', name: 'prod/billing/db', versions: 3 },
    ]);
    expect(result).toMatchObject({ secrets: 2, versions: 4, failures: 1 });
    expect(result.failed).toEqual([expect.objectContaining({ name: 'prod/billing/missing' })]);
  });

  it("keeps nothing per secret with report: 'counts'", async () => {
    const policy = new AccessPolicy({
      rules: [
        { id: 'all', effect: 'allow', secrets: ['**'], operations: POLICY_OPERATIONS },
        { id: 'no-db', effect: 'deny', secrets: ['prod/billing/db'], operations: ['read'] },
      ],
    });
    const { client } = clientOn(local, {
      policy,
      principal: { id: 'ops', service: 'ops', environment: 'prod', roles: ['devops'] },
    });
    const failed: string[] = [];

    const result = await exportSecrets(client, {
      environment: 'prod',
      protection,
      destination: path(),
      report: 'counts',
      onSecret: (outcome) => {
        if (outcome.status === 'failed') failed.push(`${outcome.name} ${outcome.code}`);
      },
    });

    expect(Object.keys(result).sort()).toEqual(['bundle', 'failures', 'secrets', 'versions']);
    expect(result).toMatchObject({ secrets: 2, versions: 2, failures: 1 });
    expect(failed).toEqual(['prod/billing/db PERMISSION_DENIED']);
  });

  it('fails, and leaves no bundle, when onSecret throws', async () => {
    const { client } = clientOn(local);
    const destination = path();
    const refusal = new ValidationError('onSecret', 'test: the receiver gives up');

    const error = await exportSecrets(client, {
      environment: 'prod',
      protection,
      destination,
      onSecret: () => Promise.reject(refusal),
    }).catch((e: unknown) => e);

    expect(error).toBe(refusal);
    await expect(stat(destination)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('exportSecrets bad input', () => {
  it.each([
    ['environment', { protection, ids: ['a'], environment: 'prod' }],
    ['environment', { protection }],
    ['service', { protection, ids: ['a'], service: 'billing' }],
    ['versions', { protection, environment: 'prod', versions: 'all' }],
    ['protection.passphrase', { protection: { passphrase: 'short' }, environment: 'prod' }],
    ['colour', { protection, environment: 'prod', colour: 'blue' }],
    ['report', { protection, environment: 'prod', report: 'failures' }],
    ['onSecret', { protection, environment: 'prod', onSecret: 'console.log' }],
  ])('refuses a bad %s before any call or file', async (field, options) => {
    const { client, sm } = clientOn(local);
    const log = logged(sm);
    const destination = path();

    const error = await exportSecrets(client, { destination, ...(options as object) } as never).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect(log.sent).toEqual([]);
    await expect(stat(destination)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
