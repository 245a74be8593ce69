import { CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { tempDir } from '../../support/rotation-fixtures';
import { runCli, type CliRun } from './cli-harness';
import { runOnTerminal, type Answer } from './tty-harness';

// backup create|verify|restore in process against the local endpoint.

const PLANTED = 'planted-Bkup-4rw-do-not-print';
const dir = tempDir('keystage-cli-backup-');
const file = (name: string): string => join(dir, name);

let fixture: LocalFixture;
let keyArn: string;
const printed: string[] = [];

async function cli(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const run = await runCli(['--endpoint-url', fixture.endpoint.url, ...argv], { env });
  printed.push(run.stdout, run.stderr);
  return run;
}

async function onTerminal(argv: readonly string[], answers: Answer[]): Promise<CliRun> {
  const run = await runOnTerminal(['--endpoint-url', fixture.endpoint.url, ...argv], answers);
  printed.push(run.stdout, run.stderr);
  return run;
}

const json = (run: CliRun): Record<string, unknown> => JSON.parse(run.stdout) as Record<string, unknown>;
const lines = (run: CliRun): Array<Record<string, unknown>> =>
  run.stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const valueOf = async (id: string): Promise<string | undefined> =>
  (await fixture.sm().send(new GetSecretValueCommand({ SecretId: id }))).SecretString;

async function secret(name: string, value: string, environment: string): Promise<void> {
  await fixture.sm().send(
    new CreateSecretCommand({
      Name: name,
      SecretString: value,
      Tags: [
        { Key: 'keystage:environment', Value: environment },
        { Key: 'keystage:service', Value: 'billing' },
      ],
    }),
  );
}

beforeAll(async () => {
  fixture = await startLocal();
  keyArn = (await fixture.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  await secret('prod/billing/db', `db-${PLANTED}`, 'prod');
  await secret('prod/billing/stripe', `sk_${PLANTED}`, 'prod');
  await secret('dev/billing/db', `dev-${PLANTED}`, 'dev');
});

afterAll(async () => {
  await fixture.endpoint.close();
});

afterAll(() => {
  for (const text of printed) expect(text).not.toContain(PLANTED);
});

describe('keystage backup create', () => {
  it('backs up an environment to a 0600 file and prints what it holds, never a value', async () => {
    const run = await cli([
      'backup',
      'create',
      '-e',
      'prod',
      '--out',
      file('prod.ksb'),
      '--bundle-key',
      keyArn,
    ]);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ environments: ['prod'], secrets: 2, versions: 2, skipped: [] });
    expect(run.stderr).toMatch(/^backup create: 2 secrets, 2 versions -> .*prod\.ksb \(bundle /);
    expect(statSync(file('prod.ksb')).mode & 0o777).toBe(0o600);
    expect(readFileSync(file('prod.ksb')).toString('latin1')).not.toContain(PLANTED);
  });

  it('lists what it would back up with --dry-run, and writes nothing', async () => {
    const run = await cli(['backup', 'create', '--out', file('dry.ksb'), '--dry-run']);
    expect(run.code).toBe(0);
    expect(
      lines(run)
        .map((line) => line.name)
        .sort(),
    ).toEqual(['dev/billing/db', 'prod/billing/db', 'prod/billing/stripe']);
    expect(existsSync(file('dry.ksb'))).toBe(false);
  });

  it('needs --out and a key (exit 2)', async () => {
    expect((await cli(['backup', 'create', '--bundle-key', keyArn])).code).toBe(2);
    const keyless = await cli(['backup', 'create', '--out', file('x.ksb')]);
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toContain('The bundle needs a key');
  });
});

describe('keystage backup verify', () => {
  it('prints what an intact backup holds and exits 0', async () => {
    const run = await cli(['backup', 'verify', file('prod.ksb'), '--bundle-key', keyArn]);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ protection: 'kms', environments: ['prod'], secrets: 2, versions: 2 });
  });

  it('exits 10 (DECODE_ERROR) for a backup with one byte changed', async () => {
    const bytes = readFileSync(file('prod.ksb'));
    const at = bytes.length - 40;
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(file('tampered.ksb'), bytes);
    const run = await cli(['backup', 'verify', file('tampered.ksb'), '--bundle-key', keyArn]);
    expect(run.code).toBe(10);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^keystage: DECODE_ERROR: /);
  });

  it('exits 10 for the wrong passphrase', async () => {
    const backedUp = await cli(['backup', 'create', '-e', 'dev', '--out', file('dev.ksb')], {
      KEYSTAGE_PASSPHRASE: 'correct horse battery staple',
    });
    expect(backedUp.code).toBe(0);
    const run = await cli(['backup', 'verify', file('dev.ksb')], {
      KEYSTAGE_PASSPHRASE: 'incorrect horse battery',
    });
    expect(run.code).toBe(10);
  });
});

describe('keystage backup restore', () => {
  beforeAll(async () => {
    // After the backup: a new value for one secret, the other deleted for good.
    await fixture
      .sm()
      .send(new PutSecretValueCommand({ SecretId: 'prod/billing/db', SecretString: 'changed-later' }));
    await fixture
      .sm()
      .send(new DeleteSecretCommand({ SecretId: 'prod/billing/stripe', ForceDeleteWithoutRecovery: true }));
  });

  it('shows the plan with --dry-run and writes nothing', async () => {
    const run = await cli(['backup', 'restore', file('prod.ksb'), '--bundle-key', keyArn, '--dry-run']);
    expect(run.code).toBe(0);
    expect(lines(run).map((line) => [line.name, line.action, line.status])).toEqual([
      ['prod/billing/db', 'update', 'planned'],
      ['prod/billing/stripe', 'create', 'planned'],
    ]);
    expect(run.stderr).toContain('2 to change');
    expect(await valueOf('prod/billing/db')).toBe('changed-later');
  });

  it('off a terminal needs --yes: exit 2, the changes listed, nothing written', async () => {
    const run = await cli(['backup', 'restore', file('prod.ksb'), '--bundle-key', keyArn]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('  update prod/billing/db: move-label');
    expect(run.stderr).toContain('  create prod/billing/stripe: create');
    expect(await valueOf('prod/billing/db')).toBe('changed-later');
  });

  it('on a terminal asks: "n" writes nothing and exits 1', async () => {
    const run = await onTerminal(
      ['backup', 'restore', file('prod.ksb'), '--bundle-key', keyArn],
      [[/\[y\/N\] /, 'n\r']],
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Restore 2 secrets from');
    await expect(valueOf('prod/billing/stripe')).rejects.toThrow();
  });

  it('restores with --yes: every secret as the backup has it; run again it changes nothing', async () => {
    const run = await cli(['backup', 'restore', file('prod.ksb'), '--bundle-key', keyArn, '--yes']);
    expect(run.code).toBe(0);
    expect(lines(run).map((line) => [line.name, line.status])).toEqual([
      ['prod/billing/db', 'restored'],
      ['prod/billing/stripe', 'restored'],
    ]);
    expect(run.stderr).toContain(': restored; 2 secrets');
    expect(await valueOf('prod/billing/db')).toBe(`db-${PLANTED}`);
    expect(await valueOf('prod/billing/stripe')).toBe(`sk_${PLANTED}`);
    const described = await fixture.sm().send(new DescribeSecretCommand({ SecretId: 'prod/billing/stripe' }));
    expect(described.Tags).toEqual(expect.arrayContaining([{ Key: 'keystage:environment', Value: 'prod' }]));

    const again = await cli(['backup', 'restore', file('prod.ksb'), '--bundle-key', keyArn]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('0 to change');
  });

  it('refuses a tampered backup before any write (exit 10)', async () => {
    const run = await cli(['backup', 'restore', file('tampered.ksb'), '--bundle-key', keyArn, '--yes']);
    expect(run.code).toBe(10);
  });
});
