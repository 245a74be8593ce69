import * as sdk from '@aws-sdk/client-secrets-manager';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { cliBundle } from '../../support/local-process';
import { cleanUpBuilds, genericBundle, root, tempDir } from '../../support/rotation-fixtures';

// Runs the README's "Rotating a secret through `keystage local`" section. The AWS CLI is not
// installed here, so each `aws secretsmanager <command> --flags` line is translated to the
// SDK command and input it stands for (the CLI's kebab-case names are the API's members) and
// sent to `keystage local`, started as a child process with the README's own arguments.

const SECTION = '## Rotating a secret through `keystage local`';
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const start = readme.indexOf(SECTION);
const section = readme.slice(start, readme.indexOf('\n## ', start + SECTION.length));
const blocks = (lang: string) =>
  [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

/** Splits a shell line into words: spaces separate, '...' and "..." quote. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const [, single, double, bare] of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g))
    out.push(single ?? double ?? bare!);
  return out;
}

/** Lines of a shell block without comments and blanks. */
const commands = (block: string) =>
  block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

/** The API member a CLI flag names: --rotation-lambda-arn is RotationLambdaARN. */
const member = (flag: string) =>
  flag
    .split('-')
    .map((part) => (part === 'arn' ? 'ARN' : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('');

interface CliCall {
  readonly operation: string;
  readonly input: Record<string, unknown>;
  readonly endpointUrl: string | undefined;
  readonly query: string | undefined;
  readonly output: string | undefined;
}

/** `aws secretsmanager rotate-secret --secret-id x ...` as its operation and input. */
function cliCall(line: string): CliCall {
  const [aws, service, command, ...rest] = words(line);
  if (aws !== 'aws' || service !== 'secretsmanager' || command === undefined)
    throw new Error(`not an aws secretsmanager line: ${line}`);
  const input: Record<string, unknown> = {};
  const global: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    if (!flag.startsWith('--')) throw new Error(`unexpected word ${flag} in: ${line}`);
    const name = flag.slice(2);
    const next = rest[i + 1];
    if (next === undefined || next.startsWith('--')) {
      // Boolean flags: --rotate-immediately / --no-rotate-immediately.
      input[member(name.replace(/^no-/, ''))] = !name.startsWith('no-');
      continue;
    }
    i++;
    if (['endpoint-url', 'query', 'output', 'region'].includes(name)) global[name] = next;
    else input[member(name)] = /^[[{]/.test(next) ? JSON.parse(next) : next;
  }
  return {
    operation: member(command),
    input,
    endpointUrl: global['endpoint-url'],
    query: global.query,
    output: global.output,
  };
}

type Sender = (call: CliCall) => Promise<unknown>;

function sender(endpoint: string, env: Record<string, string>): Sender {
  const client = new sdk.SecretsManagerClient({
    endpoint,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
    maxAttempts: 1,
  });
  const classes = sdk as unknown as Record<string, new (input: object) => Parameters<typeof client.send>[0]>;
  return async ({ operation, input, query, output }) => {
    const Command = classes[`${operation}Command`];
    if (Command === undefined) throw new Error(`the SDK has no ${operation}Command`);
    const result = (await client.send(new Command(input))) as unknown as Record<string, unknown>;
    const picked = query === undefined ? result : result[query];
    return output === 'text' ? String(picked) : picked;
  };
}

/** `keystage local` in a child process, its output as lines. */
class Local {
  readonly lines: string[] = [];
  readonly child: ChildProcessWithoutNullStreams;
  #waiters: Array<{ test: (line: string) => boolean; resolve: (line: string) => void }> = [];

  constructor(args: readonly string[], cwd: string) {
    this.child = spawn(process.execPath, [cliBundle(), ...args], {
      cwd,
      // What an operator's shell would hold, credentials included: none may reach a function.
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        NODE_PATH: join(root, 'node_modules'),
        AWS_ACCESS_KEY_ID: 'AKIAOPERATORSHELL000',
        AWS_SECRET_ACCESS_KEY: 'operator-shell-secret-access-key',
      },
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.lines.push(line);
        this.#waiters = this.#waiters.filter((w) => (w.test(line) ? (w.resolve(line), false) : true));
      });
    }
  }

  /** The first line (so far or to come) that matches, within `ms`. */
  waitFor(pattern: RegExp, ms = 20_000): Promise<string> {
    const seen = this.lines.find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no line matching ${pattern} in:\n${this.lines.join('\n')}`)),
        ms,
      );
      this.#waiters.push({
        test: (line) => pattern.test(line),
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  async url(): Promise<string> {
    return /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(await this.waitFor(/listening at http/))![1]!;
  }

  /** SIGTERM, as Ctrl-C would; resolves with the exit code. */
  stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((resolve) => {
      this.child.once('exit', (code) => resolve(code));
      this.child.kill('SIGTERM');
    });
  }
}

const running: Local[] = [];
let workdir: string;

beforeAll(() => {
  // The README's relative handler path, from a working directory of its own.
  workdir = tempDir('keystage-readme-');
  const handler = join(workdir, 'dist', 'rotation-lambdas', 'generic', 'index.js');
  mkdirSync(dirname(handler), { recursive: true });
  copyFileSync(genericBundle(), handler);
});
afterEach(async () => {
  for (const local of running.splice(0)) {
    if ((await local.stop()) !== 0) local.child.kill('SIGKILL');
  }
});
afterAll(() => cleanUpBuilds());

describe('README: rotating a secret through keystage local', () => {
  it('runs the section as written: create, rotate through the generic function, read the new version', async () => {
    const [startBlock, cliBlock] = blocks('sh');
    const startLines = commands(startBlock!);
    expect(startLines[0]).toMatch(/^npm run build$/); // what made dist/; the test built its own
    const [npx, keystage, local, ...args] = words(startLines[1]!);
    expect([npx, keystage, local]).toEqual(['npx', 'keystage', 'local']);
    expect(startLines).toHaveLength(2);

    // The README's endpoint on a free port, in memory, so runs never share state.
    const endpoint = new Local(['local', ...args, '--port', '0', '--in-memory'], workdir);
    running.push(endpoint);
    const url = await endpoint.url();
    await endpoint.waitFor(
      /^rotation function: arn:aws:lambda:us-east-1:000000000000:function:rotate-generic -> /,
    );

    const [exportLine, ...awsLines] = commands(cliBlock!);
    const env = Object.fromEntries(
      words(exportLine!.replace(/^export /, '')).map(
        (assignment) => assignment.split('=') as [string, string],
      ),
    );
    expect(env).toEqual({
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    const send = sender(url, env);
    const results: Record<string, unknown> = {};
    for (const line of awsLines) {
      const call = cliCall(line);
      // The README's endpoint is the default port; the test's is wherever the child listens.
      expect(call.endpointUrl).toBe('http://127.0.0.1:4599');
      const result = await send(call);
      results[call.operation] = result;
      if (call.operation === 'RotateSecret') {
        const { ARN, VersionId } = result as { ARN: string; VersionId: string };
        // As the operator watches the endpoint's terminal for the end of the rotation.
        await endpoint.waitFor(new RegExp(`^rotation ${ARN} ${VersionId}: (succeeded|failed)`));
      }
    }
    expect(Object.keys(results)).toEqual([
      'CreateSecret',
      'RotateSecret',
      'DescribeSecret',
      'GetSecretValue',
    ]);

    const { ARN, VersionId } = results.RotateSecret as { ARN: string; VersionId: string };
    const initial = (results.CreateSecret as { VersionId: string }).VersionId;
    expect(results.DescribeSecret).toEqual({
      [VersionId]: expect.arrayContaining(['AWSCURRENT']),
      [initial]: ['AWSPREVIOUS'],
    });
    const value = results.GetSecretValue as string;
    expect(value).toMatch(/^[A-Za-z0-9._-]{32}$/);
    expect(value).not.toBe('initial-token');

    const log = endpoint.lines.join('\n');
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      expect(log).toMatch(new RegExp(`rotation ${ARN} ${VersionId}: ${step} ok in \\d+ ms`));
      expect(log).toContain(`[rotate-generic ${step}] `);
    }
    expect(log).toContain(`rotation ${ARN} ${VersionId}: succeeded`);
    expect(log).not.toContain(value);
    expect(log).not.toContain('initial-token');
    expect(log).not.toContain('operator-shell-secret-access-key');

    const described = (await sender(url, env)({ ...cliCall(awsLines[2]!), query: undefined })) as {
      NextRotationDate: Date;
      LastRotatedDate: Date;
    };
    expect(described.NextRotationDate.getTime() - described.LastRotatedDate.getTime()).toBe(30 * 86_400_000);
    expect(await endpoint.stop()).toBe(0);
  });

  it('runs the --rotation-config file as written, with its environment', async () => {
    const [config] = blocks('json');
    writeFileSync(join(workdir, 'rotation.json'), config!);
    expect(section).toContain('`--rotation-config rotation.json`');
    const endpoint = new Local(
      ['local', '--rotation-config', 'rotation.json', '--port', '0', '--in-memory'],
      workdir,
    );
    running.push(endpoint);
    const url = await endpoint.url();
    const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
    const send = sender(url, env);
    const arn = (JSON.parse(config!) as { functions: Array<{ arn: string }> }).functions[0]!.arn;
    await send({
      ...cliCall('aws secretsmanager create-secret --name configured --secret-string v1'),
      query: undefined,
    });
    const { VersionId } = (await send(
      cliCall(`aws secretsmanager rotate-secret --secret-id configured --rotation-lambda-arn ${arn}`),
    )) as { VersionId: string };
    await endpoint.waitFor(new RegExp(`${VersionId}: (succeeded|failed)`));
    const value = await send(
      cliCall(
        'aws secretsmanager get-secret-value --secret-id configured --query SecretString --output text',
      ),
    );
    expect(value).toHaveLength(48);
  });

  it('stops with a VALIDATION_ERROR naming the field, exit 2, when a function cannot be loaded', async () => {
    const endpoint = new Local(
      [
        'local',
        '--port',
        '0',
        '--in-memory',
        '--rotation-function',
        'arn:aws:lambda:us-east-1:000000000000:function:x=missing/index.js',
      ],
      workdir,
    );
    running.push(endpoint);
    const exit = new Promise<number | null>((resolve) => endpoint.child.once('exit', resolve));
    expect(await exit).toBe(2);
    expect(endpoint.lines.join('\n')).toMatch(
      /^keystage: VALIDATION_ERROR: rotationFunctions\[0\]\.handler: no file at .*missing\/index\.js/m,
    );
  });
});
