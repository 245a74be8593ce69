import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { cliBundle } from '../../../support/local-process';
import { TOKEN, call, withToken } from './agent-fixture';

const PLANTED = 'agent-cli-planted-0a7c';
const NAME = 'prod/billing/agent-cli';

interface Keystage {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function keystage(argv: readonly string[], env: NodeJS.ProcessEnv): Keystage {
  const child = spawn(process.execPath, [cliBundle(), ...argv], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_EC2_METADATA_DISABLED: 'true',
      ...env,
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

async function listening(running: Keystage): Promise<string> {
  const end = Date.now() + 15_000;
  for (;;) {
    const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(running.stdout());
    if (match !== null) return match[1]!;
    if (running.child.exitCode !== null || Date.now() > end) {
      throw new Error(`keystage agent did not start:\n${running.stdout()}${running.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let fixture: LocalFixture;
const started: Keystage[] = [];

beforeAll(async () => {
  cliBundle();
  fixture = await startLocal();
  await fixture.sm().send(new CreateSecretCommand({ Name: NAME, SecretString: PLANTED }));
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

function agent(args: readonly string[], env: NodeJS.ProcessEnv = { AWS_TOKEN: TOKEN }): Keystage {
  const running = keystage(['agent', '--endpoint-url', fixture.endpoint.url, '--port', '0', ...args], env);
  started.push(running);
  return running;
}

describe('keystage agent', () => {
  it('serves secrets over HTTP until SIGTERM, refusing requests without the token', async () => {
    const running = agent(['--interval', '1']);
    const url = await listening(running);
    const answer = await call(url, `/secretsmanager/get?secretId=${NAME}`, withToken());
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ Name: NAME, SecretString: PLANTED });
    const refused = await call(url, `/v1/${NAME}`);
    expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: 'Bad Token' });

    // A rotation is served within a watcher interval (1 s here), without refreshNow.
    await fixture
      .sm()
      .send(new PutSecretValueCommand({ SecretId: NAME, SecretString: `${PLANTED}-rotated` }));
    const end = Date.now() + 10_000;
    let value = '';
    while (Date.now() < end) {
      value = (JSON.parse((await call(url, `/v1/${NAME}`, withToken())).body) as { SecretString: string })
        .SecretString;
      if (value === `${PLANTED}-rotated`) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(value).toBe(`${PLANTED}-rotated`);

    running.child.kill('SIGTERM');
    await expect(running.exited).resolves.toEqual({ code: 0, signal: null });
    expect(running.stdout() + running.stderr()).not.toContain(PLANTED);
    expect(running.stdout() + running.stderr()).not.toContain(TOKEN);
  });

  it('reads the token from --token-file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keystage-agent-cli-'));
    try {
      writeFileSync(join(dir, 'token'), `${TOKEN}\n`, { mode: 0o600 });
      const running = agent(['--no-watch', '--token-file', join(dir, 'token')], {});
      const url = await listening(running);
      expect((await call(url, `/v1/${NAME}`, withToken())).status).toBe(200);
      writeFileSync(join(dir, 'empty'), '');
      const empty = agent(['--no-watch', '--token-file', join(dir, 'empty')], {});
      await expect(empty.exited).resolves.toEqual({ code: 3, signal: null });
      expect(empty.stderr()).toMatch(
        /CONFIGURATION_ERROR: The SSRF token file .* \(from the token given\) is empty/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start without a token, with exit code 3 and what to set', async () => {
    const running = agent([], {});
    await expect(running.exited).resolves.toEqual({ code: 3, signal: null });
    expect(running.stderr()).toMatch(
      /CONFIGURATION_ERROR: No SSRF token: none of AWS_TOKEN, AWS_SESSION_TOKEN/,
    );
  });

  it('refuses bad options with exit code 2', async () => {
    const running = agent(['--max-connections', '0']);
    await expect(running.exited).resolves.toEqual({ code: 2, signal: null });
    expect(running.stderr()).toMatch(/--max-connections must be an integer from 1 to 1000, got 0/);
  });
});
