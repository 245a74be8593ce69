import { CreateSecretCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { EXIT_CODES, exitCodeFor } from '../../../lib/cli/exit-codes';
import {
  ConfigurationError,
  ConflictError,
  SecretNotFoundError,
  ThrottledError,
  ValidationError,
} from '../../../lib/errors';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { cleanUpBuilds, genericBundle } from '../../support/rotation-fixtures';
import { spawnCli } from './cli-harness';

// The built `keystage` as its own process, stdin and stdout piped, against an endpoint in this
// test process: what a script sees.

const ROTATOR = 'arn:aws:lambda:us-east-1:000000000000:function:rotate-generic';
const PLANTED = 'planted-process-Jw8c-do-not-print';

let fixture: LocalFixture;
let url: string;

beforeAll(async () => {
  fixture = await startLocal({ rotationFunctions: [{ arn: ROTATOR, handler: genericBundle() }] });
  url = fixture.endpoint.url;
});
afterAll(async () => {
  await fixture.endpoint.close();
  cleanUpBuilds();
});

const keystage = (argv: readonly string[], stdin?: string) =>
  spawnCli(['--endpoint-url', url, ...argv], stdin === undefined ? {} : { stdin });

describe('exit codes', () => {
  it('has one for every error code: 2 for VALIDATION_ERROR, distinct codes from 3 up for the rest', () => {
    const codes = Object.entries(EXIT_CODES);
    expect(EXIT_CODES.VALIDATION_ERROR).toBe(2);
    const others = codes.filter(([code]) => code !== 'VALIDATION_ERROR').map(([, exit]) => exit);
    expect(new Set(others).size).toBe(others.length);
    expect(Math.min(...others)).toBe(3);
    expect(Math.max(...others)).toBeLessThan(64);
  });

  it('maps an error to its code, anything else to 1', () => {
    expect(exitCodeFor(new ValidationError('x', 'bad'))).toBe(2);
    expect(exitCodeFor(new ConfigurationError('AWS_REGION', 'no region'))).toBe(3);
    expect(exitCodeFor(new SecretNotFoundError('gone'))).toBe(4);
    expect(exitCodeFor(new ThrottledError('slow down'))).toBe(11);
    expect(exitCodeFor(new ConflictError('moved'))).toBe(12);
    expect(exitCodeFor(new RangeError('boom'))).toBe(1);
  });

  it('a process exits with them, printing one line on stderr and nothing on stdout', async () => {
    const missing = await keystage(['describe', 'proc/app/missing']);
    expect(missing).toMatchObject({ code: 4, stdout: '' });
    expect(missing.stderr).toMatch(/^keystage: SECRET_NOT_FOUND: [^\n]+\n$/);
    const usage = await keystage(['get']);
    expect(usage).toMatchObject({
      code: 2,
      stdout: '',
      stderr: "keystage: VALIDATION_ERROR: missing required argument 'id' (keystage get --help).\n",
    });
  });

  it('refuses an --endpoint-url that is not a URL before any call (exit 2)', async () => {
    const run = await spawnCli(['--endpoint-url', 'localhost:4599', 'list']);
    expect(run).toMatchObject({
      code: 2,
      stderr:
        'keystage: VALIDATION_ERROR: --endpoint-url takes an http or https URL, e.g. http://127.0.0.1:4599; got "localhost:4599".\n',
    });
  });

  it('exits 3 (CONFIGURATION_ERROR) when no region is configured', async () => {
    const run = await spawnCli(['--endpoint-url', url, 'describe', 'proc/app/x'], {
      env: { AWS_REGION: undefined },
    });
    expect(run.stderr).toMatch(/^keystage: CONFIGURATION_ERROR: /);
    expect(run.code).toBe(3);
  });
});

describe('a script driving keystage', () => {
  it('puts a value from a pipe and reads it back exactly with get --plain', async () => {
    await fixture.sm().send(new CreateSecretCommand({ Name: 'proc/app/token', SecretString: 'first' }));
    const put = await keystage(['put', 'proc/app/token'], `${PLANTED}\n`);
    expect(put.code).toBe(0);
    expect(put.stdout + put.stderr).not.toContain(PLANTED);
    const got = await keystage(['get', 'proc/app/token', '--plain']);
    expect(got).toMatchObject({ code: 0, stdout: PLANTED, stderr: '' });
  });

  it('rotates with --wait until the new version is AWSCURRENT', async () => {
    await fixture.sm().send(new CreateSecretCommand({ Name: 'proc/app/rotated', SecretString: PLANTED }));
    await fixture.sm().send(
      new RotateSecretCommand({
        SecretId: 'proc/app/rotated',
        RotationLambdaARN: ROTATOR,
        RotateImmediately: false,
      }),
    );
    await fixture.endpoint.rotationsIdle();
    const before = (await keystage(['get', 'proc/app/rotated', '--plain'])).stdout;
    const run = await keystage(['rotate', 'proc/app/rotated', '--wait', '--timeout', '60']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ name: 'proc/app/rotated', completed: true });
    const after = (await keystage(['get', 'proc/app/rotated', '--plain'])).stdout;
    expect(after).not.toBe(before);
    expect(run.stdout + run.stderr).not.toContain(after);
  });

  it('reads --output json from list as NDJSON, one secret a line', async () => {
    for (const name of ['n1', 'n2']) {
      await fixture.sm().send(
        new CreateSecretCommand({
          Name: `proc/ndjson/${name}`,
          SecretString: PLANTED,
          Tags: [{ Key: 'keystage:environment', Value: 'proc' }],
        }),
      );
    }
    const run = await keystage(['list', '--prefix', 'proc/ndjson/', '--output', 'json']);
    const names = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { name: string }).name);
    expect(names).toEqual(['proc/ndjson/n1', 'proc/ndjson/n2']);
    expect(run.stdout).not.toContain(PLANTED);
  });

  it('needs --yes for a destructive command when stdin is a pipe', async () => {
    await fixture.sm().send(new CreateSecretCommand({ Name: 'proc/app/kept', SecretString: PLANTED }));
    const refused = await keystage(['delete', 'proc/app/kept', '--force']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /delete proc\/app\/kept now, with every version: it cannot be recovered\n/,
    );
    expect(refused.stderr).toMatch(/pass --yes/);
    expect((await keystage(['describe', 'proc/app/kept'])).code).toBe(0);
    expect((await keystage(['delete', 'proc/app/kept', '--force', '--yes'])).code).toBe(0);
    expect((await keystage(['describe', 'proc/app/kept'])).code).toBe(4);
  });
});

describe('keystage group', () => {
  const rotatable = async (name: string) => {
    await fixture.sm().send(new CreateSecretCommand({ Name: name, SecretString: PLANTED }));
    await fixture
      .sm()
      .send(
        new RotateSecretCommand({ SecretId: name, RotationLambdaARN: ROTATOR, RotateImmediately: false }),
      );
  };

  it('defines a group, lists it, and rotates it all or nothing, printing the run id first', async () => {
    await rotatable('proc/pay/a');
    await rotatable('proc/pay/b');
    await fixture.endpoint.rotationsIdle();
    const defined = await keystage(['group', 'define', 'payments', 'proc/pay/a', 'proc/pay/b']);
    expect(JSON.parse(defined.stdout)).toMatchObject({
      group: 'payments',
      members: ['proc/pay/a', 'proc/pay/b'],
    });
    const members = await keystage([
      'group',
      'members',
      'payments',
      '--query',
      '[].name',
      '--output',
      'text',
    ]);
    expect(members.stdout).toBe('proc/pay/a\tproc/pay/b\n');

    const run = await keystage(['group', 'rotate', 'payments', '--timeout', '60']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /^group rotate payments: run id [0-9a-f-]{36} \(keystage group rotate payments --run-id /,
    );
    const outcomes = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { name: string; outcome: string });
    expect(outcomes.map(({ name, outcome }) => [name, outcome])).toEqual([
      ['proc/pay/a', 'rotated'],
      ['proc/pay/b', 'rotated'],
    ]);
    expect(run.stdout + run.stderr).not.toContain(PLANTED);
  });

  it('resumes a run by --run-id without rotating again what it rotated', async () => {
    const runId = 'cli-resume-1';
    const first = await keystage(['group', 'rotate', 'payments', '--run-id', runId, '--timeout', '60']);
    expect(first.code).toBe(0);
    const again = await keystage(['group', 'rotate', 'payments', '--run-id', runId, '--timeout', '60']);
    const resumed = again.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { resumed: boolean; outcome: string });
    expect(resumed).toEqual([
      expect.objectContaining({ outcome: 'rotated', resumed: true }),
      expect.objectContaining({ outcome: 'rotated', resumed: true }),
    ]);
  });
});
