import { CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
} from '@aws-sdk/client-secrets-manager';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { tempDir } from '../../support/rotation-fixtures';
import { runCli, type CliRun } from './cli-harness';
import { Terminal } from './terminal';
import { runOnTerminal, type Answer } from './tty-harness';

// export and import in process, against the local endpoint: piped as a script runs them, and
// on a terminal for the prompts and the progress line.

const PLANTED = 'planted-Xport-7qk-do-not-print';
const PASSPHRASE = 'correct horse battery staple';
const dir = tempDir('keystage-cli-transfer-');

let fixture: LocalFixture;
let keyArn: string;
/** Everything any run printed. */
const printed: string[] = [];

const bundle = (name: string): string => join(dir, name);

async function cli(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const run = await runCli(['--endpoint-url', fixture.endpoint.url, ...argv], { env });
  printed.push(run.stdout, run.stderr);
  return run;
}

async function onTerminal(argv: readonly string[], answers: Answer[], env: NodeJS.ProcessEnv = {}) {
  const run = await runOnTerminal(['--endpoint-url', fixture.endpoint.url, ...argv], answers, env);
  printed.push(run.stdout, run.stderr);
  return run;
}

async function secret(name: string, value: string, tags: Record<string, string>): Promise<void> {
  await fixture.sm().send(
    new CreateSecretCommand({
      Name: name,
      SecretString: value,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}

const valueOf = async (id: string): Promise<string | undefined> =>
  (await fixture.sm().send(new GetSecretValueCommand({ SecretId: id }))).SecretString;

const versionCount = async (id: string): Promise<number> =>
  (await fixture.sm().send(new ListSecretVersionIdsCommand({ SecretId: id }))).Versions?.length ?? 0;

const lines = (run: CliRun): Array<Record<string, unknown>> =>
  run.stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const tags = (environment: string, service = 'billing') => ({
  'keystage:environment': environment,
  'keystage:service': service,
});

beforeAll(async () => {
  fixture = await startLocal();
  keyArn = (await fixture.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  await secret('prod/billing/db', JSON.stringify({ user: 'app', password: PLANTED }), tags('prod'));
  await secret('prod/billing/stripe', `sk_${PLANTED}`, tags('prod'));
  await secret('prod/search/key', `search-${PLANTED}`, tags('prod', 'search'));
  await secret('dev/billing/db', `dev-${PLANTED}`, tags('dev'));
});

afterAll(async () => {
  await fixture.endpoint.close();
});

afterAll(() => {
  // RELIABILITY 72: no value in any table, JSON line, prompt, progress line or error.
  for (const text of printed) expect(text).not.toContain(PLANTED);
});

describe('keystage export', () => {
  it('writes an environment to a bundle (mode 0600, encrypted) and prints one NDJSON line per secret', async () => {
    const run = await cli(['export', '-e', 'prod', '--out', bundle('prod.bundle'), '--bundle-key', keyArn]);
    expect(run.code).toBe(0);
    expect(
      lines(run)
        .map((line) => [line.status, line.name, line.versions])
        .sort(),
    ).toEqual([
      ['exported', 'prod/billing/db', 1],
      ['exported', 'prod/billing/stripe', 1],
      ['exported', 'prod/search/key', 1],
    ]);
    expect(run.stderr).toMatch(
      /^export: 3 secrets, 3 versions -> .*prod\.bundle \(bundle [0-9a-f-]{36}\)\n$/,
    );
    expect(statSync(bundle('prod.bundle')).mode & 0o777).toBe(0o600);
    expect(readFileSync(bundle('prod.bundle')).toString('latin1')).not.toContain(PLANTED);
  });

  it('narrows to one service with --service, and exports every labelled version with --all-versions', async () => {
    const run = await cli([
      'export',
      '-e',
      'prod',
      '--service',
      'search',
      '--all-versions',
      '--out',
      bundle('search.bundle'),
      '--bundle-key',
      keyArn,
    ]);
    expect(run.code).toBe(0);
    expect(lines(run).map((line) => line.name)).toEqual(['prod/search/key']);
  });

  it('lists what it would export with --dry-run, and writes no file', async () => {
    const run = await cli([
      'export',
      '--prefix',
      'prod/billing/',
      '--out',
      bundle('dry.bundle'),
      '--dry-run',
    ]);
    expect(run.code).toBe(0);
    expect(lines(run).map((line) => line.name)).toEqual(['prod/billing/db', 'prod/billing/stripe']);
    expect(run.stderr).toContain('2 secrets would be exported');
    expect(existsSync(bundle('dry.bundle'))).toBe(false);
  });

  it('writes the bundle to stdout with --out -, the report on stderr', async () => {
    const run = await cli(['export', 'prod/billing/stripe', '--out', '-', '--bundle-key', keyArn]);
    expect(run.code).toBe(0);
    expect(run.bytes.subarray(0, 30).toString('utf8')).toContain('"format":"keystage-bundle"');
    expect(run.stderr).toMatch(/^export: 1 secret, 1 version -> - \(bundle /);
    writeFileSync(bundle('stdout.bundle'), run.bytes);
    const plan = await cli([
      'import',
      bundle('stdout.bundle'),
      '--bundle-key',
      keyArn,
      '--map',
      'prod/=piped/',
      '--dry-run',
    ]);
    expect(plan.code).toBe(0);
    expect(lines(plan)).toEqual([
      expect.objectContaining({ action: 'created', name: 'piped/billing/stripe' }),
    ]);
  });

  it('reports a secret it cannot read, leaves it out, and exits 1', async () => {
    const run = await cli([
      'export',
      'prod/billing/stripe',
      'prod/billing/missing',
      '--out',
      bundle('partial.bundle'),
      '--bundle-key',
      keyArn,
    ]);
    expect(run.code).toBe(1);
    expect(lines(run)).toEqual([
      expect.objectContaining({ status: 'failed', name: 'prod/billing/missing', code: 'SECRET_NOT_FOUND' }),
      { status: 'exported', name: 'prod/billing/stripe', versions: 1 },
    ]);
    expect(run.stderr).toContain('1 not exported');
  });

  it.each([
    [['export', '--out', 'x.bundle', '--bundle-key', 'k'], '--environment', 'needs what to export'],
    [['export', '-e', 'prod', '--bundle-key', 'k'], '--out', 'needs --out FILE'],
    [
      ['export', '-e', 'prod', '--out', 'x', '--bundle-key', 'k', '--passphrase-file', 'p'],
      '--bundle-key',
      'not both',
    ],
    [['export', 'prod/billing/db', '--prefix', 'prod/', '--out', 'x'], 'arguments', 'not both'],
    [['export', '-e', 'prod', '--out', 'x'], 'no key', 'The bundle needs a key'],
  ])('refuses %j with exit 2 before any write', async (argv, _what, message) => {
    const run = await cli(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });

  it('refuses a passphrase shorter than 12 characters, naming where it came from', async () => {
    const run = await cli(['export', '-e', 'dev', '--out', bundle('short.bundle')], {
      KEYSTAGE_PASSPHRASE: 'too-short',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'keystage: VALIDATION_ERROR: The passphrase from KEYSTAGE_PASSPHRASE has 9 characters; a bundle needs at least 12 (a generated one: keystage generate password --plain).\n',
    );
  });

  it('asks for a passphrase twice on a terminal, shows progress there, and refuses two that differ', async () => {
    const ok = await onTerminal(
      ['export', '-e', 'dev', '--out', bundle('dev.bundle')],
      [
        ['Bundle passphrase (not shown): ', `${PASSPHRASE}\r`],
        ['The passphrase again: ', `${PASSPHRASE}\r`],
      ],
      { NO_COLOR: '1' },
    );
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('\r\u001b[2Kexport 1 dev/billing/db');
    expect(ok.stderr).not.toContain(PASSPHRASE);
    const differ = await onTerminal(
      ['export', '-e', 'dev', '--out', bundle('dev2.bundle')],
      [
        ['Bundle passphrase (not shown): ', `${PASSPHRASE}\r`],
        ['The passphrase again: ', `${PASSPHRASE}!\r`],
      ],
    );
    expect(differ.code).toBe(2);
    expect(differ.stderr).toContain('The two passphrases differ; nothing was written.');
    expect(existsSync(bundle('dev2.bundle'))).toBe(false);
  });
});

describe('keystage import', () => {
  beforeAll(async () => {
    writeFileSync(bundle('pass.txt'), `${PASSPHRASE}\n`);
    const run = await cli([
      'export',
      '-e',
      'prod',
      '--service',
      'billing',
      '--out',
      bundle('billing.bundle'),
      '--passphrase-file',
      bundle('pass.txt'),
    ]);
    expect(run.code).toBe(0);
  });

  it('plans with --dry-run and writes nothing', async () => {
    const run = await cli([
      'import',
      bundle('billing.bundle'),
      '--passphrase-file',
      bundle('pass.txt'),
      '--map',
      'prod/=staging/',
      '--dry-run',
    ]);
    expect(run.code).toBe(0);
    expect(lines(run).map((line) => [line.action, line.name])).toEqual([
      ['created', 'staging/billing/db'],
      ['created', 'staging/billing/stripe'],
    ]);
    expect(run.stderr).toContain('2 to create, 0 to update, 0 unchanged, 0 skipped');
    await expect(valueOf('staging/billing/db')).rejects.toThrow();
  });

  it('imports into another environment with --map and --set-environment; run again it changes nothing', async () => {
    const argv = [
      'import',
      bundle('billing.bundle'),
      '--passphrase-file',
      bundle('pass.txt'),
      '--map',
      'prod/=staging/',
      '--set-environment',
      'staging',
    ];
    const run = await cli(argv);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('2 created, 0 updated, 0 unchanged, 0 skipped');
    expect(await valueOf('staging/billing/stripe')).toBe(`sk_${PLANTED}`);
    const again = await cli(argv);
    expect(again.code).toBe(0);
    expect(lines(again).map((line) => line.action)).toEqual(['unchanged', 'unchanged']);
  });

  it('with --overwrite off a terminal needs --yes: exit 2 and nothing written without it', async () => {
    await secret('qa/billing/stripe', 'sk_old-value', tags('qa'));
    const argv = [
      'import',
      bundle('billing.bundle'),
      '--passphrase-file',
      bundle('pass.txt'),
      '--map',
      'prod/=qa/',
      '--overwrite',
    ];
    const refused = await cli(argv);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('  new version of qa/billing/stripe (from prod/billing/stripe)');
    expect(refused.stderr).toContain('pass --yes');
    expect(await valueOf('qa/billing/stripe')).toBe('sk_old-value');
    await expect(valueOf('qa/billing/db')).rejects.toThrow();

    const confirmed = await cli([...argv, '--yes']);
    expect(confirmed.code).toBe(0);
    expect(lines(confirmed).map((line) => [line.action, line.name])).toEqual([
      ['created', 'qa/billing/db'],
      ['updated', 'qa/billing/stripe'],
    ]);
    expect(await valueOf('qa/billing/stripe')).toBe(`sk_${PLANTED}`);
  });

  it('with --overwrite on a terminal shows what changes and asks: "n" writes nothing, "y" writes', async () => {
    await secret('uat/billing/stripe', 'sk_old-value', tags('uat'));
    const argv = ['import', bundle('billing.bundle'), '--map', 'prod/=uat/', '--overwrite'];
    const env = { KEYSTAGE_PASSPHRASE: PASSPHRASE };
    const declined = await onTerminal(argv, [[/\[y\/N\] /, 'n\r']], env);
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain('  new version of uat/billing/stripe (from prod/billing/stripe)');
    expect(declined.stderr).toContain('Not confirmed: nothing was changed.');
    expect(await versionCount('uat/billing/stripe')).toBe(1);

    const accepted = await onTerminal(argv, [[/\[y\/N\] /, 'y\r']], env);
    expect(accepted.code).toBe(0);
    expect(await valueOf('uat/billing/stripe')).toBe(`sk_${PLANTED}`);
  });

  it('refuses a bundle with a problem and writes nothing (exit 2, the problem named, no value)', async () => {
    await secret('prod/billing/settings', `not json ${PLANTED}`, {
      ...tags('prod'),
      'keystage:type': 'json',
    });
    const exported = await cli([
      'export',
      'prod/billing/settings',
      '--out',
      bundle('bad.bundle'),
      '--bundle-key',
      keyArn,
    ]);
    expect(exported.code).toBe(0);
    const run = await cli(['import', bundle('bad.bundle'), '--bundle-key', keyArn, '--map', 'prod/=bad/']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^keystage: VALIDATION_ERROR: The import wrote nothing: 1 problem in the bundle: "prod\/billing\/settings": /,
    );
    await expect(valueOf('bad/billing/settings')).rejects.toThrow();
    const unchecked = await cli([
      'import',
      bundle('bad.bundle'),
      '--bundle-key',
      keyArn,
      '--map',
      'prod/=bad/',
      '--no-validate',
    ]);
    expect(unchecked.code).toBe(0);
  });

  it('names every problem on stderr when there are more than the message lists', async () => {
    const names = Array.from(
      { length: 11 },
      (_, i) => `broken/billing/settings-${String(i).padStart(2, '0')}`,
    );
    for (const name of names) {
      await secret(name, `not json ${PLANTED}`, { ...tags('broken'), 'keystage:type': 'json' });
    }
    const exported = await cli([
      'export',
      '-e',
      'broken',
      '--out',
      bundle('broken.bundle'),
      '--bundle-key',
      keyArn,
    ]);
    expect(exported.code).toBe(0);
    const run = await cli([
      'import',
      bundle('broken.bundle'),
      '--bundle-key',
      keyArn,
      '--map',
      'broken/=fixed/',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('11 problems in the bundle');
    for (const name of names) expect(run.stderr).toContain(`keystage: warning: import: "${name}" entries[`);
  });

  it('exits 10 (DECODE_ERROR) for a wrong passphrase, having written nothing', async () => {
    const run = await cli(['import', bundle('billing.bundle'), '--map', 'prod/=wrong/'], {
      KEYSTAGE_PASSPHRASE: 'incorrect horse battery staple',
    });
    expect(run.code).toBe(10);
    expect(run.stderr).toMatch(/^keystage: DECODE_ERROR: /);
    await expect(valueOf('wrong/billing/db')).rejects.toThrow();
  });

  it('refuses stdin as the bundle and a bad --map or --concurrency with exit 2', async () => {
    for (const argv of [
      ['import', '-', '--bundle-key', keyArn],
      ['import', bundle('billing.bundle'), '--bundle-key', keyArn, '--map', 'prod/'],
      ['import', bundle('billing.bundle'), '--bundle-key', keyArn, '--concurrency', '99'],
    ]) {
      const run = await cli(argv);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^keystage: VALIDATION_ERROR: /);
    }
  });
});

describe('export and import under a real terminal (tmux)', () => {
  const opened: Terminal[] = [];
  afterAll(async () => {
    for (const terminal of opened) await terminal.close();
    await Terminal.stopServer();
  });
  const open = async (argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Terminal> => {
    const terminal = await Terminal.open(['--endpoint-url', fixture.endpoint.url, ...argv], env);
    opened.push(terminal);
    return terminal;
  };

  it('asks for the passphrase twice without echoing it, then import --overwrite asks [y/N] and writes on "y"', async () => {
    await secret('tty/billing/api', `api-${PLANTED}`, tags('tty'));
    const exporting = await open(['export', '-e', 'tty', '--out', bundle('tty.bundle')]);
    await exporting.waitFor(/Bundle passphrase \(not shown\): $/m);
    await exporting.send('-l', PASSPHRASE);
    await exporting.send('Enter');
    await exporting.waitFor(/The passphrase again: $/m);
    await exporting.send('-l', PASSPHRASE);
    await exporting.send('Enter');
    expect(await exporting.exitCode()).toBe(0);
    const exported = await exporting.screen();
    expect(exported).not.toContain(PASSPHRASE);
    expect(exported).toContain('export: 1 secret, 1 version');
    printed.push(exported);

    await secret('qa2/billing/api', 'old-value', tags('qa2'));
    const importing = await open(['import', bundle('tty.bundle'), '--map', 'tty/=qa2/', '--overwrite'], {
      KEYSTAGE_PASSPHRASE: PASSPHRASE,
    });
    const asked = await importing.waitFor(/writing a new version of 1 existing secret\? \[y\/N\]/);
    expect(asked).toContain('  new version of qa2/billing/api (from tty/billing/api)');
    await importing.send('y', 'Enter');
    expect(await importing.exitCode()).toBe(0);
    printed.push(await importing.screen());
    expect(await valueOf('qa2/billing/api')).toBe(`api-${PLANTED}`);
  });
});
