import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../../lib/errors';
import { runLocal } from '../../../lib/cli/local-command';
import { exitCodeFor, main } from '../../../lib/cli/main';
import { quietSdkRuntimeWarning } from '../../../lib/cli/sdk-warning';
import { cliBundle } from '../../support/local-process';

const root = join(__dirname, '..', '..', '..');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

/** What main() wrote to stdout and stderr, and what it returned. */
async function captured(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => out.push(String(chunk)) > 0);
  const stderr = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk) => err.push(String(chunk)) > 0);
  try {
    const code = await main(argv, (line) => out.push(`${line}\n`));
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/** The ValidationError main() refuses `argv` with. */
async function refusal(argv: readonly string[]): Promise<ValidationError> {
  const error: unknown = await captured(argv).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ValidationError)) throw new Error(`main(${JSON.stringify(argv)}) did not refuse`);
  return error;
}

describe('keystage', () => {
  it.each([['--help'], ['-h'], ['help']])('prints the usage on stdout for %s, exit 0', async (flag) => {
    const { code, stdout, stderr } = await captured([flag]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^usage: keystage <command>/);
    expect(stdout).toMatch(/\n {2}local {3}.*\n {2}tour {4}/);
  });

  it('prints the usage on stderr and exits 2 without a command', async () => {
    const { code, stdout, stderr } = await captured([]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(/^usage: keystage <command>/);
  });

  it.each([['--version'], ['-v']])('prints its version for %s', async (flag) => {
    await expect(captured([flag])).resolves.toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('says an unknown command is not a keystage command and names the commands', async () => {
    const error = await refusal(['frobnicate']);
    expect(error.field).toBe('command');
    expect(error.message).toBe(
      '"frobnicate" is not a keystage command; the commands are get, put, create, list, describe, versions, diff, ' +
        'rollback, rotate, revoke, restore, delete, undelete, tag, untag, generate, group, template, policy, audit, ' +
        'split, combine, distribute, env, export, import, backup, run, agent, inject, local, tour, console, ' +
        'completion (keystage --help).',
    );
  });

  it('exits 2 for a usage mistake (VALIDATION_ERROR) and 1 for any other failure', () => {
    expect(exitCodeFor(new ValidationError('--port', 'bad'))).toBe(2);
    expect(exitCodeFor(new TypeError('boom'))).toBe(1);
  });
});

describe('keystage local', () => {
  it.each([['--help'], ['-h']])('prints its help on stdout for %s, exit 0', async (flag) => {
    const { code, stdout, stderr } = await captured(['local', flag]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^usage: keystage local /);
    for (const option of [
      '--port N',
      '--data-dir DIR',
      '--in-memory',
      '--rotation-function ARN=PATH',
      '--rotation-config FILE',
    ]) {
      expect(stdout).toContain(option);
    }
  });

  it('prints its help for keystage help local', async () => {
    const { code, stdout } = await captured(['help', 'local']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: keystage local /);
  });

  it.each([
    ['an unknown option', ['--colour'], '--colour'],
    ['a value for a boolean option', ['--in-memory=yes'], '--in-memory'],
    ['a missing value', ['--port'], '--port'],
    ['an option where a value belongs', ['--data-dir', '--in-memory'], '--data-dir'],
    ['a stray argument', ['extra'], 'arguments'],
    ['an empty port', ['--port', ''], '--port'],
    ['a port that is not a number', ['--port', 'abc'], '--port'],
    ['a fractional port', ['--port', '4599.5'], '--port'],
    ['a port over 65535', ['--port', '65536'], '--port'],
    ['an empty data directory', ['--data-dir', ''], '--data-dir'],
    ['--data-dir with --in-memory', ['--data-dir', 'state', '--in-memory'], '--in-memory'],
  ])('refuses %s before starting, naming the flag', async (_what, args, field) => {
    await expect(refusal(['local', ...args])).resolves.toMatchObject({ code: 'VALIDATION_ERROR', field });
  });

  it('says what to do about --data-dir with --in-memory', async () => {
    const error = await refusal(['local', '--data-dir', 'state', '--in-memory']);
    expect(error.message).toBe(
      '--data-dir and --in-memory exclude each other: --in-memory keeps nothing on disk, --data-dir "state" says where to keep it. Pass one of them.',
    );
  });

  it('serves the SDK, prints the exports (AWS_DEFAULT_REGION too), and stops cleanly on SIGTERM', async () => {
    const lines: string[] = [];
    const exits: number[] = [];
    const sigintBefore = process.listeners('SIGINT');
    const endpoint = await runLocal(
      { port: 0, inMemory: true },
      (line) => lines.push(line),
      (code) => exits.push(code),
    );
    const text = lines.join('\n');
    expect(text).toContain(`listening at ${endpoint.url}`);
    expect(text).toContain(`export AWS_ENDPOINT_URL=${endpoint.url}`);
    expect(text).toContain('export AWS_REGION=us-east-1');
    expect(text).toContain('export AWS_DEFAULT_REGION=us-east-1');

    const sm = new SecretsManagerClient({
      endpoint: endpoint.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    await expect(sm.send(new ListSecretsCommand({}))).resolves.toMatchObject({ SecretList: [] });

    process.emit('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exits).toEqual([0]);
    await expect(sm.send(new ListSecretsCommand({}))).rejects.toThrow();
    for (const listener of process.listeners('SIGINT')) {
      if (!sigintBefore.includes(listener)) process.removeListener('SIGINT', listener);
    }
  });
});

describe('keystage tour', () => {
  it('refuses options it does not have', async () => {
    await expect(refusal(['tour', '--fast'])).resolves.toMatchObject({ field: '--fast' });
  });
});

describe('keystage as a process', () => {
  const keystage = (args: readonly string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [cliBundle(), ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', ...env },
      timeout: 30_000,
    });

  it('prints a usage mistake as one line on stderr and exits 2', () => {
    const result = keystage(['local', '--port', '']);
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 2,
      stdout: '',
      stderr:
        'keystage: VALIDATION_ERROR: --port takes a port number from 0 to 65535 (0: any free port); got "".\n',
    });
  });

  it('prints no AWS SDK runtime warning, where a plain SDK client on this Node.js gets one', () => {
    const control = spawnSync(
      process.execPath,
      [
        '-e',
        "new (require('@aws-sdk/client-secrets-manager').SecretsManagerClient)({ region: 'us-east-1' })",
      ],
      { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
    );
    const tour = keystage(['tour']);
    const warned = (text: string) => text.includes('NodeVersionSupportWarning');
    expect(warned(control.stderr)).toBe(Number(process.versions.node.split('.')[0]) < 22);
    expect({ status: tour.status, warned: warned(tour.stderr) }).toEqual({ status: 0, warned: false });
  });
});

describe('quietSdkRuntimeWarning', () => {
  it("sets the SDK's own switch when the environment has none", () => {
    const env: NodeJS.ProcessEnv = {};
    quietSdkRuntimeWarning(env);
    expect(env).toEqual({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  });

  it('leaves the warning on when the environment asks for it', () => {
    const env: NodeJS.ProcessEnv = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' };
    quietSdkRuntimeWarning(env);
    expect(env).toEqual({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' });
  });
});
