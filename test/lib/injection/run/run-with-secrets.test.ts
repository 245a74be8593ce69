import {
  CreateSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { AuditEntry } from '../../../../lib/audit/audit-event';
import { SecretsClient } from '../../../../lib/client/secrets-client';
import {
  CONCEALED,
  RotationWatcher,
  runWithSecrets,
  type RunWithSecretsOptions,
  type RunningCommand,
} from '../../../../lib/injection';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';

const PLANTED = 'planted-Pa55word-7d1c';
const API_KEY = 'sk_test_planted_4f9a0b2c';
const DB = 'prod/billing/db';
const KEY = 'prod/billing/api-key';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Collects what the child printed. */
class Collected {
  readonly chunks: Buffer[] = [];
  write(chunk: Uint8Array): boolean {
    this.chunks.push(Buffer.from(chunk));
    return true;
  }
  once(): this {
    return this;
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Waits until `read()` matches `pattern` (or fails after `ms`). */
async function until(read: () => string, pattern: RegExp, ms = 10_000): Promise<RegExpExecArray> {
  const end = Date.now() + ms;
  for (;;) {
    const match = pattern.exec(read());
    if (match !== null) return match;
    if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}; output so far:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A child that prints a digest of each variable it got, then stays up until SIGTERM. */
const SERVER = `
const { createHash } = require('node:crypto');
const digest = (name) => createHash('sha256').update(process.env[name] ?? '').digest('hex');
process.on('SIGHUP', () => console.log('got SIGHUP'));
process.on('SIGINT', () => { console.log('got SIGINT'); process.exit(130); });
process.on('SIGTERM', () => { console.log('stopping'); process.exit(0); });
setInterval(() => {}, 1000);
// Only once the handlers are in place: a test signals as soon as it reads this line.
console.log('started pid=' + process.pid + ' db=' + digest('DB_PASSWORD') + ' key=' + digest('API_KEY'));
`;

let fixture: LocalFixture;
let sm: SecretsManagerClient;
let running: RunningCommand[] = [];
const watchers: RotationWatcher[] = [];

beforeAll(async () => {
  fixture = await startLocal();
  sm = fixture.sm();
  await sm.send(
    new CreateSecretCommand({
      Name: DB,
      SecretString: JSON.stringify({ username: 'billing_app', password: PLANTED }),
    }),
  );
  await sm.send(new CreateSecretCommand({ Name: KEY, SecretString: API_KEY }));
});

afterEach(async () => {
  await Promise.all(running.map((run) => run.stop()));
  running = [];
  for (const watcher of watchers.splice(0)) watcher.close();
});

afterAll(async () => {
  await fixture.endpoint.close();
});

interface Run {
  readonly run: RunningCommand;
  readonly stdout: Collected;
  readonly stderr: Collected;
  readonly events: AuditEntry[];
  readonly client: SecretsClient;
}

async function run(script: string, options: Partial<RunWithSecretsOptions> = {}): Promise<Run> {
  const events: AuditEntry[] = [];
  const client =
    options.client ??
    new SecretsClient({
      secretsManager: fixture.sm(),
      kms: fixture.kms(),
      audit: { record: (event) => void events.push(event) },
    });
  const stdout = new Collected();
  const stderr = new Collected();
  const started = await runWithSecrets({
    client,
    env: { DB_PASSWORD: `${DB}#password`, API_KEY: KEY },
    command: process.execPath,
    args: ['-e', script],
    stdout,
    stderr,
    stdin: 'ignore',
    onRotation: 'none',
    ...options,
  });
  running.push(started);
  return { run: started, stdout, stderr, events, client };
}

describe('runWithSecrets', () => {
  describe('environment', () => {
    it('starts the child with each value (whole or one JSON field) in its variable', async () => {
      const { run: started, stdout } = await run(SERVER);
      const match = await until(() => stdout.text, /started pid=(\d+) db=(\w+) key=(\w+)/);
      expect(match[2]).toBe(sha(PLANTED));
      expect(match[3]).toBe(sha(API_KEY));
      expect(Number(match[1])).toBe(started.pid);
      const shown = JSON.stringify(started) + inspect(started, { showHidden: true, depth: 10 });
      expect(shown).toContain('DB_PASSWORD');
      expect(shown).not.toContain(PLANTED);
      expect(shown).not.toContain(API_KEY);
    });

    it('sets the variables over the base environment', async () => {
      const { stdout } = await run(
        'console.log(process.env.KEEP + " " + (process.env.API_KEY === undefined ? "unset" : "set"))',
        { baseEnv: { KEEP: 'kept', API_KEY: 'overridden-by-the-secret' } },
      );
      await until(() => stdout.text, /kept set/);
    });

    it('reads through the client: every value is an audited read, never a value in the trail', async () => {
      const { run: started, events } = await run('');
      await started.exited;
      expect(events.map((event) => [event.action, event.secret_name, event.success])).toEqual([
        ['getJson', DB, true],
        ['get', KEY, true],
      ]);
      expect(JSON.stringify(events)).not.toContain(PLANTED);
    });
  });

  describe('masking', () => {
    it('conceals the values the child prints, on stdout and stderr, in several forms', async () => {
      const {
        run: started,
        stdout,
        stderr,
      } = await run(`
        const password = process.env.DB_PASSWORD;
        console.log('password=' + password);
        console.log(JSON.stringify({ config: { password, key: process.env.API_KEY } }));
        console.error('basic ' + Buffer.from(password).toString('base64'));
        console.error('url postgres://app:' + encodeURIComponent(password) + '@db/billing');
      `);
      await started.exited;
      const all = stdout.text + stderr.text;
      expect(stdout.text).toContain(`password=${CONCEALED}\n`);
      expect(stderr.text).toContain(`url postgres://app:${CONCEALED}@db/billing`);
      expect(all).not.toContain(PLANTED);
      expect(all).not.toContain(API_KEY);
      expect(all).not.toContain(Buffer.from(PLANTED).toString('base64').slice(0, 16));
    });

    it('conceals a value the child writes in pieces, over time', async () => {
      const { run: started, stdout } = await run(`
        const password = process.env.DB_PASSWORD;
        const pieces = [password.slice(0, 3), password.slice(3, 9), password.slice(9)];
        let i = 0;
        process.stdout.write('before ');
        const next = () => {
          if (i < pieces.length) { process.stdout.write(pieces[i++]); setTimeout(next, 30); }
          else process.stdout.write(' after\\n');
        };
        next();
      `);
      await started.exited;
      expect(stdout.text).toBe(`before ${CONCEALED} after\n`);
    });

    it('passes output through unchanged where no value is', async () => {
      const { run: started, stdout } = await run(`process.stdout.write('x'.repeat(100000) + '\\nplan\\n')`);
      await started.exited;
      expect(stdout.text).toBe(`${'x'.repeat(100000)}\nplan\n`);
    });
  });

  describe('exit', () => {
    it("ends with the child's exit status", async () => {
      const { run: started } = await run('process.exit(7)');
      await expect(started.exited).resolves.toEqual({ code: 7, signal: null, exitCode: 7 });
      expect(started.pid).toBeUndefined();
    });

    it('ends with 128 + n when signal n ended the child', async () => {
      const { run: started } = await run("process.kill(process.pid, 'SIGKILL')");
      await expect(started.exited).resolves.toEqual({ code: null, signal: 'SIGKILL', exitCode: 137 });
    });
  });

  describe('signals', () => {
    it.each(['SIGHUP', 'SIGINT', 'SIGTERM'] as const)('passes %s on to the child', async (signal) => {
      const { run: started, stdout } = await run(SERVER);
      await until(() => stdout.text, /started/);
      process.emit(signal, signal);
      await until(() => stdout.text, signal === 'SIGTERM' ? /stopping/ : new RegExp(`got ${signal}`));
      if (signal === 'SIGHUP') expect(started.pid).toBeDefined();
      else await expect(started.exited).resolves.toMatchObject({ exitCode: signal === 'SIGINT' ? 130 : 0 });
    });

    it('stops listening for signals when the child ends', async () => {
      const before = process.listenerCount('SIGTERM');
      const { run: started } = await run(SERVER);
      expect(process.listenerCount('SIGTERM')).toBe(before + 1);
      await started.stop();
      expect(process.listenerCount('SIGTERM')).toBe(before);
    });

    it('kills a child that ignores SIGTERM after stopTimeoutMs', async () => {
      const { run: started, stdout } = await run(
        "process.on('SIGTERM', () => console.log('ignored')); console.log('up'); setInterval(() => {}, 1000);",
        { stopTimeoutMs: 300 },
      );
      await until(() => stdout.text, /up/);
      await expect(started.stop()).resolves.toMatchObject({ signal: 'SIGKILL', exitCode: 137 });
      expect(stdout.text).toContain('ignored');
    });
  });

  describe('rotation', () => {
    async function watched(onRotation: RunWithSecretsOptions['onRotation'], name: string, first: string) {
      await sm.send(new CreateSecretCommand({ Name: name, SecretString: first }));
      const client = new SecretsClient({ secretsManager: fixture.sm(), kms: fixture.kms() });
      const watcher = new RotationWatcher(client, { intervalMs: 3_600_000 });
      watchers.push(watcher);
      const started = await run(SERVER, {
        client,
        watcher,
        onRotation,
        env: { API_KEY: name },
        stopTimeoutMs: 2_000,
      });
      await until(() => started.stdout.text, new RegExp(`started pid=\\d+ db=\\w+ key=${sha(first)}`));
      const rotate = async (next: string) => {
        await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: next }));
        await expect(watcher.refreshNow(name)).resolves.toMatchObject({ changed: true });
      };
      return { ...started, watcher, rotate };
    }

    it('restarts the child gracefully with the new value when the secret rotates', async () => {
      const {
        run: started,
        stdout,
        rotate,
      } = await watched('restart', 'prod/billing/rotating', 'key-before-rotation');
      const firstPid = started.pid;
      await rotate('key-after-rotation');
      const match = await until(
        () => stdout.text,
        new RegExp(`started pid=(\\d+) db=\\w+ key=${sha('key-after-rotation')}`),
      );
      expect(stdout.text).toContain('stopping');
      expect(Number(match[1])).not.toBe(firstPid);
      expect(started.pid).toBe(Number(match[1]));
      expect(started.restarts).toBe(1);
      // The run goes on with the new child; its exit is the run's.
      await expect(started.stop()).resolves.toMatchObject({ exitCode: 0 });
    });

    it('sends the chosen signal instead, and keeps the same child', async () => {
      const {
        run: started,
        stdout,
        rotate,
      } = await watched('signal:SIGHUP', 'prod/billing/reloading', 'reload-one-value');
      const pid = started.pid;
      await rotate('reload-two-value');
      await until(() => stdout.text, /got SIGHUP/);
      expect(started.pid).toBe(pid);
      expect(started.restarts).toBe(0);
    });

    it('conceals the new value from then on, even when it leaves the child alone', async () => {
      const name = 'prod/billing/left-alone';
      await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'alone-value-one' }));
      const client = new SecretsClient({ secretsManager: fixture.sm(), kms: fixture.kms() });
      const watcher = new RotationWatcher(client, { intervalMs: 3_600_000 });
      watchers.push(watcher);
      const dir = mkdtempSync(join(tmpdir(), 'keystage-run-'));
      const file = join(dir, 'fetched');
      try {
        // The child fetches the rotated value itself (as it would from the agent) when told to.
        const { run: started, stdout } = await run(
          `process.on('SIGUSR2', () => console.log('fetched ' + require('node:fs').readFileSync(${JSON.stringify(file)}, 'utf8')));
           console.log('up'); setInterval(() => {}, 1000);`,
          { client, watcher, onRotation: 'none', env: { API_KEY: name } },
        );
        await until(() => stdout.text, /up/);
        await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'alone-value-two' }));
        await expect(watcher.refreshNow(name)).resolves.toMatchObject({ changed: true });
        writeFileSync(file, 'alone-value-two');
        expect(started.signal('SIGUSR2')).toBe(true);
        await until(() => stdout.text, /fetched/);
        expect(stdout.text).toContain(`fetched ${CONCEALED}\n`);
        expect(stdout.text).not.toContain('alone-value-two');
        expect(started.restarts).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('reads an SSM parameter once and watches only the secrets', async () => {
      const ssm = new SSMClient({
        endpoint: fixture.endpoint.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      });
      await ssm.send(
        new PutParameterCommand({
          Name: '/prod/billing/db_url',
          Value: 'postgres://db.internal/billing',
          Type: 'SecureString',
        }),
      );
      const client = new SecretsClient({ secretsManager: fixture.sm(), kms: fixture.kms(), ssm });
      const watcher = new RotationWatcher(client, { intervalMs: 3_600_000 });
      watchers.push(watcher);
      const { run: started, stdout } = await run(
        'console.log(process.env.DB_URL.length, process.env.API_KEY.length)',
        {
          client,
          watcher,
          onRotation: 'restart',
          env: { DB_URL: 'ssm:/prod/billing/db_url', API_KEY: KEY },
        },
      );
      await started.exited;
      expect(stdout.text).toBe(`${'postgres://db.internal/billing'.length} ${API_KEY.length}\n`);
      ssm.destroy();
    });

    it('does nothing when only labels the child does not use moved', async () => {
      const { run: started, watcher } = await watched(
        'restart',
        'prod/billing/same-value',
        'same-value-kept',
      );
      await sm.send(
        new PutSecretValueCommand({ SecretId: 'prod/billing/same-value', SecretString: 'same-value-kept' }),
      );
      await watcher.refreshNow('prod/billing/same-value');
      expect(started.restarts).toBe(0);
    });
  });

  describe('bad input', () => {
    const bad: ReadonlyArray<readonly [string, Partial<RunWithSecretsOptions>, string]> = [
      ['a variable name with a dash', { env: { 'DB-PASSWORD': DB } }, 'env.DB-PASSWORD'],
      ['a reference with an empty field', { env: { DB_PASSWORD: `${DB}#` } }, 'env.DB_PASSWORD'],
      ['no variables', { env: {} }, 'env'],
      ['an unknown rotation action', { onRotation: 'reload' as never }, 'onRotation'],
      ['an unknown signal', { onRotation: 'signal:SIGNOPE' as never }, 'onRotation'],
      ['an unknown option', { restart: true } as never, 'restart'],
      ['an empty command', { command: '' }, 'command'],
    ];

    it.each(bad)('refuses %s before reading anything', async (_what, options, field) => {
      const events: AuditEntry[] = [];
      const client = new SecretsClient({
        secretsManager: fixture.sm(),
        kms: fixture.kms(),
        audit: { record: (event) => void events.push(event) },
      });
      await expect(run('', { client, ...options })).rejects.toMatchObject({
        code: 'VALIDATION_ERROR',
        field,
      });
      expect(events).toEqual([]);
    });

    it('refuses a field the secret does not have, naming its fields and no value, and starts nothing', async () => {
      const error = await run('console.log("started")', { env: { DB_PASSWORD: `${DB}#pasword` } }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ code: 'DECODE_ERROR' });
      expect((error as Error).message).toContain('"username", "password"');
      expect((error as Error).message).not.toContain(PLANTED);
    });

    it('refuses a program that cannot be started', async () => {
      await expect(run('', { command: 'keystage-no-such-program', args: [] })).rejects.toMatchObject({
        code: 'VALIDATION_ERROR',
        field: 'command',
        message: expect.stringContaining('ENOENT'),
      });
    });

    it('fails on a secret that cannot be read, and starts nothing', async () => {
      await expect(
        run('console.log("started")', { env: { API_KEY: 'prod/billing/missing' } }),
      ).rejects.toMatchObject({
        code: 'SECRET_NOT_FOUND',
      });
    });
  });
});
