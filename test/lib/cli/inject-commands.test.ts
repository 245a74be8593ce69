import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { cliBundle } from '../../support/local-process';
import { tempDir } from '../../support/rotation-fixtures';
import { FakeEcs, ecsRequests, isEcsWrite } from '../injection/workloads/fake-ecs';
import { EXTENSION_X86, FakeLambda, lambdaRequests } from '../injection/workloads/fake-lambda';
import { CHILD_ENV, runCli, type CliRun } from './cli-harness';

// keystage inject: files from templates and mappings (once, and --watch as its own process),
// and the ECS and Lambda injector over aws-sdk-client-mock.

const PLANTED = 'planted-Inj3ct-v9-do-not-print';
const ROTATED = 'planted-Rotated-w2-do-not-print';
const dir = tempDir('keystage-cli-inject-');
const path = (...parts: string[]): string => join(dir, ...parts);

let fixture: LocalFixture;
let dbArn: string;
const printed: string[] = [];

async function cli(argv: readonly string[]): Promise<CliRun> {
  const run = await runCli(['--endpoint-url', fixture.endpoint.url, ...argv]);
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

beforeAll(async () => {
  fixture = await startLocal();
  const created = await fixture.sm().send(
    new CreateSecretCommand({
      Name: 'prod/billing/db',
      SecretString: JSON.stringify({ username: 'billing_app', password: PLANTED }),
    }),
  );
  dbArn = created.ARN!;
  await fixture
    .sm()
    .send(new CreateSecretCommand({ Name: 'prod/billing/stripe', SecretString: `sk_${PLANTED}` }));
  mkdirSync(path('out'));
  writeFileSync(
    path('app.conf.tpl'),
    'user={{ secret "prod/billing/db" "username" }}\npassword={{ secret "prod/billing/db" "password" | json }}\n',
  );
});

afterAll(async () => {
  await fixture.endpoint.close();
});

afterAll(() => {
  for (const text of printed) {
    expect(text).not.toContain(PLANTED);
    expect(text).not.toContain(ROTATED);
  }
});

describe('keystage inject (files)', () => {
  it('renders a template and writes a field, each mode 0600, printing paths and sizes only', async () => {
    const run = await cli([
      'inject',
      '--template',
      path('app.conf.tpl'),
      '--out',
      path('out', 'app.conf'),
      '--file',
      `${path('out', 'stripe-key')}=prod/billing/stripe`,
    ]);
    expect(run.code).toBe(0);
    expect(readFileSync(path('out', 'app.conf'), 'utf8')).toBe(`user=billing_app\npassword="${PLANTED}"\n`);
    expect(readFileSync(path('out', 'stripe-key'), 'utf8')).toBe(`sk_${PLANTED}`);
    expect(statSync(path('out', 'app.conf')).mode & 0o777).toBe(0o600);
    expect(statSync(path('out', 'stripe-key')).mode & 0o777).toBe(0o600);
    expect(lines(run)).toEqual([
      {
        path: path('out', 'app.conf'),
        bytes: Buffer.byteLength(`user=billing_app\npassword="${PLANTED}"\n`),
        secrets: ['prod/billing/db'],
      },
      { path: path('out', 'stripe-key'), bytes: `sk_${PLANTED}`.length, secrets: ['prod/billing/stripe'] },
    ]);
  });

  it('writes files of several directories, with --mode', async () => {
    mkdirSync(path('other'));
    const run = await cli([
      'inject',
      '--file',
      `${path('other', 'password')}=prod/billing/db#password`,
      '--file',
      `${path('out', 'user')}=prod/billing/db#username`,
      '--mode',
      '0640',
    ]);
    expect(run.code).toBe(0);
    expect(readFileSync(path('other', 'password'), 'utf8')).toBe(PLANTED);
    expect(statSync(path('out', 'user')).mode & 0o777).toBe(0o640);
  });

  it('lists the files with --dry-run and writes none', async () => {
    const run = await cli([
      'inject',
      '--template',
      path('app.conf.tpl'),
      '--out',
      path('out', 'dry.conf'),
      '--dry-run',
    ]);
    expect(run.code).toBe(0);
    expect(lines(run)).toEqual([
      { path: path('out', 'dry.conf'), from: 'template', secrets: ['prod/billing/db'], mode: '0600' },
    ]);
    expect(existsSync(path('out', 'dry.conf'))).toBe(false);
  });

  it('exits 4 for a secret that does not exist, dry run or not, and writes nothing', async () => {
    const missing = `${path('out', 'missing')}=prod/billing/missing`;
    expect((await cli(['inject', '--file', missing, '--dry-run'])).code).toBe(4);
    const run = await cli([
      'inject',
      '--file',
      missing,
      '--file',
      `${path('out', 'never')}=prod/billing/stripe`,
    ]);
    expect(run.code).toBe(4);
    expect(existsSync(path('out', 'never'))).toBe(false);
  });

  it.each([
    ['no file at all', [], 'keystage inject needs --template IN --out OUT'],
    ['a --template without --out', ['--template', 'x.tpl'], 'Each --template needs its --out'],
    ['--file without a secret', ['--file', 'out/x'], '--file takes PATH=SECRET-ID'],
    ['a mode not in octal', ['--file', 'x=prod/billing/db', '--mode', 'rw'], '--mode takes octal'],
    ['a mode for other users', ['--file', `${dir}/out/x=prod/billing/db`, '--mode', '0644'], 'within 0o660'],
    [
      'a directory that does not exist',
      ['--file', `${dir}/nowhere/x=prod/billing/db`],
      'is not an existing directory',
    ],
    [
      'an interval under a second',
      ['--file', 'x=prod/billing/db', '--interval', '0.5'],
      '--interval must be at least 1',
    ],
  ])('refuses %s with exit 2', async (_what, argv, message) => {
    const run = await cli(['inject', ...argv]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('refuses a template with a mistake, naming the file, line and column', async () => {
    writeFileSync(path('bad.tpl'), 'ok\nkey={{ secret prod/billing/db }}\n');
    const run = await cli(['inject', '--template', path('bad.tpl'), '--out', path('out', 'bad')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--template ${path('bad.tpl')}`);
    expect(existsSync(path('out', 'bad'))).toBe(false);
  });
});

describe('keystage inject --watch', () => {
  it('writes the files, rewrites one when its secret rotates, and stops on SIGTERM with exit 0', async () => {
    const child = spawn(
      process.execPath,
      [
        cliBundle(),
        'inject',
        '--endpoint-url',
        fixture.endpoint.url,
        '--file',
        `${path('out', 'watched')}=prod/billing/db#password`,
        '--watch',
        '--interval',
        '1',
      ],
      { env: CHILD_ENV, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const until = async (done: () => boolean, what: string) => {
      const end = Date.now() + 15_000;
      while (!done()) {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`${what}: ${out}${err}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      await until(() => err.includes('inject: watching 1 file'), 'not watching');
      expect(readFileSync(path('out', 'watched'), 'utf8')).toBe(PLANTED);
      await fixture.sm().send(
        new PutSecretValueCommand({
          SecretId: 'prod/billing/db',
          SecretString: JSON.stringify({ username: 'billing_app', password: ROTATED }),
        }),
      );
      await until(() => readFileSync(path('out', 'watched'), 'utf8') === ROTATED, 'not rewritten');
      await until(() => err.includes('"trigger":"schedule"'), 'no note');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(err).toContain('SIGTERM: stopping; the files stay');
      printed.push(out, err);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('keystage inject ecs', () => {
  let model: FakeEcs;
  beforeEach(() => {
    model = new FakeEcs().install();
  });
  const target = ['--cluster', 'prod', '--service', 'billing-api'];

  it('references the secrets by ARN from a new revision; run again it changes nothing', async () => {
    const argv = [
      'inject',
      'ecs',
      ...target,
      '--secret',
      'DB_PASSWORD=prod/billing/db#password',
      '--id',
      'billing',
    ];
    const run = await cli(argv);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({
      kind: 'ecs',
      changed: true,
      registered: true,
      deployed: true,
      job: { id: 'billing' },
      references: [{ name: 'DB_PASSWORD', secretArn: dbArn, reference: `${dbArn}:password::` }],
    });
    expect(
      ecsRequests()
        .filter((request) => isEcsWrite(request.command))
        .map((r) => r.command),
    ).toEqual(['RegisterTaskDefinition', 'UpdateService', 'TagResource']);
    const again = await cli(argv);
    expect(again.code).toBe(0);
    expect(json(again)).toMatchObject({ changed: false });
    expect(model.revisions).toHaveLength(2);
  });

  it('shows the references with --dry-run and sends no ECS request', async () => {
    const run = await cli([
      'inject',
      'ecs',
      ...target,
      '--secret',
      'DB_PASSWORD=prod/billing/db#password',
      '--dry-run',
    ]);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ dryRun: true, references: [{ reference: `${dbArn}:password::` }] });
    expect(ecsRequests()).toEqual([]);
  });

  it('refuses a plain variable that looks like a secret (exit 2), before any ECS request', async () => {
    const run = await cli([
      'inject',
      'ecs',
      ...target,
      '--secret',
      'DB=prod/billing/db',
      '--set',
      'DB_PASSWORD=hunter2hunter2',
    ]);
    expect(run.code).toBe(2);
    expect(ecsRequests()).toEqual([]);
  });

  it('reports status, and revoke asks first: exit 2 off a terminal without --yes, removed with it', async () => {
    expect(
      (await cli(['inject', 'ecs', ...target, '--secret', 'DB_PASSWORD=prod/billing/db#password'])).code,
    ).toBe(0);
    const status = await cli(['inject', 'status', ...target]);
    expect(status.code).toBe(0);
    expect(json(status)).toMatchObject({ kind: 'ecs', inSync: true, needsRefresh: false });

    const refused = await cli(['inject', 'revoke', ...target]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`  remove DB_PASSWORD (${dbArn})`);
    const revoked = await cli(['inject', 'revoke', ...target, '--yes']);
    expect(revoked.code).toBe(0);
    expect(json(revoked)).toMatchObject({ changed: true, removed: ['DB_PASSWORD'] });
    const described = await fixture.sm().send(new DescribeSecretCommand({ SecretId: 'prod/billing/db' }));
    expect(described.ARN).toBe(dbArn);
  });

  it('needs a whole target (exit 2)', async () => {
    expect((await cli(['inject', 'ecs', '--cluster', 'prod', '--secret', 'A=prod/billing/db'])).code).toBe(2);
    expect(
      (await cli(['inject', 'status', '--cluster', 'prod', '--service', 's', '--function', 'f'])).code,
    ).toBe(2);
  });
});

describe('keystage inject lambda', () => {
  it("sets the secret's ARN, never its value, and adds the extension layer from the public parameter", async () => {
    const model = new FakeLambda().install();
    model.updatePolls = 0;
    const run = await cli([
      'inject',
      'lambda',
      '--function',
      'billing-worker',
      '--secret',
      'DB_SECRET_ARN=prod/billing/db',
    ]);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ kind: 'lambda', changed: true, extensionLayerArn: EXTENSION_X86 });
    expect(model.config.Environment?.Variables?.DB_SECRET_ARN).toBe(dbArn);
    expect(JSON.stringify(lambdaRequests())).not.toContain(PLANTED);

    const refresh = await cli(['inject', 'refresh', '--function', 'billing-worker']);
    expect(refresh.code).toBe(0);
    expect(json(refresh)).toMatchObject({
      kind: 'lambda',
      job: { target: { functionName: 'billing-worker' } },
    });
  });
});
