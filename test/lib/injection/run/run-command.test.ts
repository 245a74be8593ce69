import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { CONCEALED } from '../../../../lib/injection';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { cliBundle } from '../../../support/local-process';

const PLANTED = 'cli-planted-Pa55-e81b';
const DB = 'prod/billing/cli-db';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A `keystage` process: what it printed so far, and how it ended. */
interface Keystage {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function keystage(argv: readonly string[]): Keystage {
  const child = spawn(process.execPath, [cliBundle(), ...argv], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function until(read: () => string, pattern: RegExp, ms = 15_000): Promise<RegExpExecArray> {
  const end = Date.now() + ms;
  for (;;) {
    const match = pattern.exec(read());
    if (match !== null) return match;
    if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}; output so far:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A child that says it is up, reports the signals it gets, and exits 0 on SIGTERM. */
const SERVER = `
const { createHash } = require('node:crypto');
process.on('SIGHUP', () => console.log('got SIGHUP'));
process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(0); });
setInterval(() => {}, 1000);
// Only once the handlers are in place: a test signals as soon as it reads this line.
console.log('up db=' + createHash('sha256').update(process.env.DB_PASSWORD).digest('hex'));
`;

let fixture: LocalFixture;
const started: Keystage[] = [];

beforeAll(async () => {
  cliBundle();
  fixture = await startLocal();
  await fixture.sm().send(
    new CreateSecretCommand({
      Name: DB,
      SecretString: JSON.stringify({ username: 'billing_app', password: PLANTED }),
    }),
  );
});

afterEach(async () => {
  for (const running of started.splice(0)) {
    if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
    await running.exited;
  }
});

afterAll(async () => {
  await fixture.endpoint.close();
});

function run(args: readonly string[], script: string): Keystage {
  const running = keystage([
    'run',
    '--endpoint-url',
    fixture.endpoint.url,
    ...args,
    '--',
    process.execPath,
    '-e',
    script,
  ]);
  started.push(running);
  return running;
}

describe('keystage run', () => {
  it('masks the values the child prints and exits with its exit status', async () => {
    const running = run(
      ['--env', `DB_PASSWORD=${DB}#password`, '--on-rotation', 'none'],
      'console.log("password=" + process.env.DB_PASSWORD); console.error(JSON.stringify({ p: process.env.DB_PASSWORD })); process.exit(3);',
    );
    await expect(running.exited).resolves.toEqual({ code: 3, signal: null });
    expect(running.stdout()).toBe(`password=${CONCEALED}\n`);
    expect(running.stderr()).toContain(JSON.stringify({ p: CONCEALED }));
    expect(running.stdout() + running.stderr()).not.toContain(PLANTED);
  });

  it('passes SIGTERM on to the child and exits as it does', async () => {
    const running = run(['--env', `DB_PASSWORD=${DB}#password`, '--on-rotation', 'none'], SERVER);
    await until(running.stdout, /up db=/);
    running.child.kill('SIGTERM');
    await expect(running.exited).resolves.toEqual({ code: 0, signal: null });
    expect(running.stdout()).toContain('got SIGTERM');
  });

  it('passes SIGHUP on and keeps running; a child ended by SIGINT gives 130', async () => {
    const running = run(['--env', `DB_PASSWORD=${DB}#password`, '--on-rotation', 'none'], SERVER);
    await until(running.stdout, /up db=/);
    running.child.kill('SIGHUP');
    await until(running.stdout, /got SIGHUP/);
    expect(running.child.exitCode).toBeNull();
    // The child has no SIGINT handler: SIGINT ends it, and keystage reports 128 + 2.
    running.child.kill('SIGINT');
    await expect(running.exited).resolves.toEqual({ code: 130, signal: null });
  });

  it('restarts the child with the new value when the secret rotates', async () => {
    const name = 'prod/billing/cli-rotating';
    const sm = fixture.sm();
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'cli-value-before' }));
    const running = run(['--env', `DB_PASSWORD=${name}`, '--interval', '1'], SERVER);
    await until(running.stdout, new RegExp(`up db=${sha('cli-value-before')}`));
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'cli-value-after' }));
    await until(running.stdout, new RegExp(`up db=${sha('cli-value-after')}`));
    expect(running.stdout()).toContain('got SIGTERM');
    expect(running.stderr()).toMatch(/run: secret rotated .*"action":"restart"/);
    expect(running.stderr()).not.toContain('cli-value-after');
    running.child.kill('SIGTERM');
    await expect(running.exited).resolves.toEqual({ code: 0, signal: null });
  });

  it.each([
    [['--on-rotation', 'none'], 2, /--env/],
    [['--env', 'DB-PASSWORD=x', '--on-rotation', 'none'], 2, /environment variable name/],
    [['--env', `DB_PASSWORD=${DB}#password`, '--on-rotation', 'reload'], 2, /--on-rotation/],
    [['--env', `DB_PASSWORD=${DB}#password`, '--interval', 'soon'], 2, /--interval/],
    [['--env', `DB_PASSWORD=${DB}#password`, '--interval', '0.5'], 2, /--interval must be at least 1 second/],
    [['--env', 'DB_PASSWORD=prod/billing/missing', '--on-rotation', 'none'], 4, /SECRET_NOT_FOUND/],
  ])('refuses %j with exit code %i and starts nothing', async (args, code, message) => {
    const running = run(args, 'console.log("child started")');
    await expect(running.exited).resolves.toEqual({ code, signal: null });
    expect(running.stderr()).toMatch(message);
    expect(running.stdout()).not.toContain('child started');
  });
});
