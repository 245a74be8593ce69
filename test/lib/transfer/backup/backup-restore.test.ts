import {
  DeleteSecretCommand,
  PutSecretValueCommand,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { SecretsClient } from '../../../../lib/client/secrets-client';
import { AccessPolicy } from '../../../../lib/policy/access-policy';
import type { Principal } from '../../../../lib/policy/principal';
import { createBackup, restoreBackup, verifyBackup } from '../../../../lib/transfer';
import type { LocalFixture } from '../../../support/local-endpoint';
import { OutputCapture } from '../../../support/output-capture';
import {
  PLANTED,
  POLICY,
  ROTATION_LAMBDA,
  PLANTED_BYTES,
  backupEndpoint,
  emptyEndpoint,
  labelled,
  recordedClient,
  seedSource,
  snapshot,
  tempDir,
  token,
  writesIn,
} from './backup-fixtures';

const protection = { passphrase: 'correct horse battery staple, backup' };
const dir = tempDir();
let local: LocalFixture;
let file: string;
let original: Awaited<ReturnType<typeof snapshot>>;

beforeAll(async () => {
  local = await backupEndpoint();
  await seedSource(local);
  original = await snapshot(local, 'prod/');
  file = join(dir, 'prod.ksb');
  const { client } = recordedClient(local);
  await createBackup(client, { environments: ['prod'], destination: file, protection });
});
afterAll(async () => {
  await local.endpoint.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('createBackup', () => {
  it('records every secret of the environments with its labelled versions, and lists what it left out', async () => {
    const { client } = recordedClient(local);
    const result = await createBackup(client, {
      environments: ['prod'],
      destination: join(dir, 'again.ksb'),
      protection,
    });
    expect(result).toMatchObject({ environments: ['prod'], secrets: 5, versions: 8 });
    expect(result.skipped).toEqual([{ name: 'prod/old/retired', reason: 'scheduled-for-deletion' }]);
  });

  it('tells onSecret of each secret as it is backed up or left out', async () => {
    const { client } = recordedClient(local);
    const heard: unknown[] = [];
    const result = await createBackup(client, {
      environments: ['prod'],
      destination: join(dir, 'told.ksb'),
      protection,
      onSecret: async (outcome) => {
        await Promise.resolve();
        heard.push(outcome);
      },
    });
    expect(heard).toHaveLength(result.secrets + result.skipped.length);
    expect(heard).toContainEqual({
      name: 'prod/old/retired',
      outcome: 'skipped',
      reason: 'scheduled-for-deletion',
    });
    expect(heard).toContainEqual({ name: 'prod/app/db', outcome: 'backed-up', versions: expect.any(Number) });
    expect(inspect(heard)).not.toContain(PLANTED);
    await expect(
      createBackup(client, { destination: join(dir, 'never.ksb'), protection, onSecret: 1 as never }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', field: 'onSecret' });
    expect(existsSync(join(dir, 'never.ksb'))).toBe(false);
  });

  it('backs up every secret when no environment is named, each once', async () => {
    const { client } = recordedClient(local);
    const result = await createBackup(client, { destination: join(dir, 'all.ksb'), protection });
    expect(result.secrets).toBe(6);
    const verified = await verifyBackup(join(dir, 'all.ksb'), { protection });
    expect(verified.environments).toEqual(['prod', 'staging']);
    expect(verified.requestedEnvironments).toBeUndefined();
  });

  it('reads AWSCURRENT of 20 secrets with one BatchGetSecretValue and the other labelled versions one by one', async () => {
    const { client, sent } = recordedClient(local);
    await createBackup(client, { environments: ['prod'], destination: join(dir, 'counted.ksb'), protection });
    const count = (name: string) => sent.filter((one) => one === name).length;
    expect(count('BatchGetSecretValueCommand')).toBe(1);
    // 8 labelled versions in 5 secrets: 3 are not AWSCURRENT.
    expect(count('GetSecretValueCommand')).toBe(3);
    expect(count('DescribeSecretCommand')).toBe(5);
    expect(writesIn(sent)).toEqual([]);
  });

  it('fails as a whole when a secret cannot be read, leaving no file', async () => {
    const principal: Principal = { id: 'auditor', service: 'ops', environment: 'prod', roles: [] };
    const policy = new AccessPolicy({
      rules: [
        { id: 'metadata', effect: 'allow', secrets: ['**'], operations: ['list'] },
        { id: 'values', effect: 'allow', secrets: ['prod/billing/**'], operations: ['read'] },
      ],
    });
    const client = new SecretsClient({ secretsManager: local.sm(), kms: local.kms(), policy, principal });
    const path = join(dir, 'refused.ksb');
    await expect(
      createBackup(client, { environments: ['prod'], destination: path, protection }),
    ).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
    });
    expect(existsSync(path)).toBe(false);
  });
});

describe('verifyBackup', () => {
  it('checks the backup end to end and summarises it without values', async () => {
    const verified = await verifyBackup(file, { protection });
    expect(verified).toMatchObject({
      protection: 'passphrase',
      requestedEnvironments: ['prod'],
      environments: ['prod'],
      secrets: 5,
      versions: 8,
      skipped: { 'scheduled-for-deletion': 1, replica: 0, gone: 0 },
    });
    expect(Date.parse(verified.createdAt)).not.toBeNaN();
  });
});

describe('restoreBackup', () => {
  it('restores into an emptied endpoint the secrets as they were: versions, labels, values, tags, policy, rotation, replicas', async () => {
    await emptyEndpoint(local);
    const { client } = recordedClient(local);
    const result = await restoreBackup(client, file, { protection });
    expect(result.outcome).toBe('restored');
    expect(result.secrets.map((secret) => [secret.name, secret.action, secret.status])).toEqual([
      ['prod/billing/stripe', 'create', 'restored'],
      ['prod/billing/signing-key', 'create', 'restored'],
      ['prod/app/db', 'create', 'restored'],
      ['prod/app/replicated', 'create', 'restored'],
      ['prod/app/rolled-back', 'create', 'restored'],
    ]);
    const restored = await snapshot(local, 'prod/');
    // Everything of prod but the secret scheduled for deletion, which the backup left out.
    const backedUp = Object.fromEntries(
      Object.entries(labelled(original)).filter(([name]) => name !== 'prod/old/retired'),
    );
    expect(labelled(restored)).toEqual(backedUp);
    // The set is what it claims to be, so the comparison above covers each part.
    expect(restored['prod/app/db']).toMatchObject({
      kmsKeyId: 'alias/keystage-backup-app',
      rotation: { enabled: true, lambda: ROTATION_LAMBDA, rules: { AutomaticallyAfterDays: 30 } },
      policy: JSON.parse(POLICY),
    });
    expect(restored['prod/app/replicated']!.replicas).toEqual([
      { region: 'eu-west-1', kmsKeyId: 'alias/keystage-backup-replica' },
    ]);
    expect(restored['prod/billing/signing-key']!.versions.map((version) => version.stages)).toEqual([
      ['AWSCURRENT'],
      ['blue'],
    ]);
    expect(restored['prod/app/rolled-back']!.versions).toEqual([
      { versionId: token('e1'), stages: ['AWSCURRENT'], value: 'good-value' },
      { versionId: token('e2'), stages: ['AWSPREVIOUS'], value: 'bad-value' },
    ]);
    // No duplicates: each restored secret holds exactly its labelled versions.
    for (const secret of Object.values(restored)) {
      expect(secret.allVersionIds).toEqual(secret.versions.map((version) => version.versionId));
    }
  });

  it('finds nothing to do when run again', async () => {
    const { client, sent } = recordedClient(local);
    const result = await restoreBackup(client, file, { protection });
    expect(result.secrets.every((secret) => secret.status === 'unchanged')).toBe(true);
    expect(writesIn(sent)).toEqual([]);
  });

  it('brings back a secret scheduled for deletion with RestoreSecret, never a new secret', async () => {
    const sm = local.sm();
    await sm.send(new DeleteSecretCommand({ SecretId: 'prod/billing/stripe', RecoveryWindowInDays: 7 }));
    const { client, sent } = recordedClient(local);
    const result = await restoreBackup(client, file, { protection });
    const stripe = result.secrets.find((secret) => secret.name === 'prod/billing/stripe')!;
    expect(stripe).toMatchObject({ action: 'undelete', status: 'restored', steps: [{ type: 'undelete' }] });
    expect(writesIn(sent)).toEqual(['RestoreSecretCommand']);
    expect(labelled(await snapshot(local, 'prod/billing/stripe'))).toEqual(
      labelled({ 'prod/billing/stripe': original['prod/billing/stripe']! }),
    );
  });

  it('puts an existing secret back as it was: new versions, labels moved, tags set and removed', async () => {
    const sm = local.sm();
    await sm.send(
      new PutSecretValueCommand({
        SecretId: 'prod/app/rolled-back',
        ClientRequestToken: token('x1'),
        SecretString: 'newer',
      }),
    );
    await sm.send(
      new TagResourceCommand({
        SecretId: 'prod/app/rolled-back',
        Tags: [
          { Key: 'keystage:service', Value: 'other' },
          { Key: 'extra', Value: 'yes' },
        ],
      }),
    );
    const { client } = recordedClient(local);
    const result = await restoreBackup(client, file, { protection });
    const secret = result.secrets.find((one) => one.name === 'prod/app/rolled-back')!;
    expect(secret.steps.map((step) => step.type)).toEqual(['move-label', 'move-label', 'tag', 'untag']);
    expect(labelled(await snapshot(local, 'prod/app/rolled-back'))).toEqual(
      labelled({ 'prod/app/rolled-back': original['prod/app/rolled-back']! }),
    );
  });

  it('plans in a dry run, per secret, and writes nothing', async () => {
    await emptyEndpoint(local);
    const before = await snapshot(local);
    const { client, sent } = recordedClient(local);
    const heard: unknown[] = [];
    const result = await restoreBackup(client, file, {
      protection,
      dryRun: true,
      onSecret: (outcome) => void heard.push(outcome),
    });
    expect(result.outcome).toBe('planned');
    expect(heard).toEqual(
      result.secrets.map((secret) => ({ name: secret.name, action: secret.action, status: 'planned' })),
    );
    expect(result.secrets.every((secret) => secret.status === 'planned' && secret.action === 'create')).toBe(
      true,
    );
    const db = result.secrets.find((secret) => secret.name === 'prod/app/db')!;
    expect(db.steps.map((step) => step.type)).toEqual(['create', 'put-policy', 'configure-rotation']);
    expect(writesIn(sent)).toEqual([]);
    expect(await snapshot(local)).toEqual(before);
  });

  it('restores only the environment asked for', async () => {
    const { client } = recordedClient(local);
    const all = join(dir, 'both.ksb');
    await emptyEndpoint(local);
    await seedSource(local);
    await createBackup(client, { destination: all, protection });
    await emptyEndpoint(local);
    const result = await restoreBackup(client, all, { protection, environment: 'staging' });
    expect(result.secrets.map((secret) => secret.name)).toEqual(['staging/app/db']);
    expect(result.skipped).toBe(5);
    expect(Object.keys(await snapshot(local))).toEqual(['staging/app/db']);
  });
});

describe('through the client pipeline', () => {
  it('is judged by the access policy step by step and audited as restoreBackup; a refused step is rolled back', async () => {
    await emptyEndpoint(local);
    await seedSource(local);
    const sm = local.sm();
    // A tag the backup lacks: removing it is a `manage` step, which this caller may not do.
    await sm.send(
      new TagResourceCommand({ SecretId: 'prod/app/db', Tags: [{ Key: 'extra', Value: 'yes' }] }),
    );
    await sm.send(
      new DeleteSecretCommand({ SecretId: 'prod/billing/stripe', ForceDeleteWithoutRecovery: true }),
    );
    const before = await snapshot(local, 'prod/');
    const capture = new OutputCapture();
    const principal: Principal = { id: 'restorer', service: 'ops', environment: 'prod', roles: ['operator'] };
    const policy = new AccessPolicy({
      rules: [
        {
          id: 'restore',
          effect: 'allow',
          secrets: ['prod/**'],
          operations: ['read', 'list', 'create', 'update', 'rotate', 'delete'],
        },
      ],
    });
    const client = new SecretsClient({
      secretsManager: local.sm(),
      kms: local.kms(),
      policy,
      principal,
      audit: capture.audit,
    });
    const result = await restoreBackup(client, file, { protection });
    expect(result.failure).toMatchObject({ secret: 'prod/app/db', step: 'untag', code: 'PERMISSION_DENIED' });
    expect(result.outcome).toBe('rolled-back');
    expect(labelled(await snapshot(local, 'prod/'))).toEqual(labelled(before));
    const writes = capture.events.filter((event) => event.action === 'restoreBackup');
    const named = (event: (typeof writes)[number]) =>
      event.secret_name
        ?.split(':')
        .at(-1)
        ?.replace(/-\w{6}$/, '');
    expect(writes.map((event) => [named(event), event.details?.step, event.success])).toEqual([
      ['prod/billing/stripe', 'create', true],
      ['prod/billing/stripe', 'put-version', true],
      // A refusal's event carries the refusal (rule, denied_by), not the step.
      ['prod/app/db', undefined, false],
      ['prod/billing/stripe', 'delete', true],
    ]);
    expect(writes.find((event) => event.details?.step === 'delete')?.details?.rollback).toBe(true);
    expect(capture.events.find((event) => event.event_type === 'access_denied')).toMatchObject({
      action: 'restoreBackup',
    });
  });
});

describe('planted values', () => {
  it('appear in no result, plan, error, audit event or log line, nor in the backup file', async () => {
    await emptyEndpoint(local);
    await seedSource(local);
    const capture = new OutputCapture();
    const client = new SecretsClient({
      secretsManager: local.sm(),
      kms: local.kms(),
      audit: capture.audit,
      logger: capture.logger,
    });
    const path = join(dir, 'planted.ksb');
    const outputs: unknown[] = [
      await createBackup(client, { environments: ['prod'], destination: path, protection }),
    ];
    outputs.push(await verifyBackup(path, { protection }));
    await emptyEndpoint(local);
    outputs.push(await restoreBackup(client, path, { protection, dryRun: true }));
    outputs.push(await restoreBackup(client, path, { protection }));
    const failing = recordedClient(local, { at: 1, when: 'before' });
    await emptyEndpoint(local);
    outputs.push(await restoreBackup(failing.client, path, { protection }));

    const shown = [
      ...outputs.flatMap((output) => [JSON.stringify(output), inspect(output, { depth: 10 })]),
      capture.text(),
    ].join('\n');
    expect(capture.events.length).toBeGreaterThan(20);
    expect(shown).not.toContain(PLANTED);
    expect(shown).not.toContain(PLANTED_BYTES.toString('base64'));
    expect(shown).not.toContain('sk_live_second');
    const bytes = readFileSync(path);
    expect(bytes.includes(Buffer.from(PLANTED))).toBe(false);
    expect(bytes.includes(PLANTED_BYTES)).toBe(false);
  });
});
