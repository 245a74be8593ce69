import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { tempDir } from '../../support/rotation-fixtures';
import { runCli, type CliRun } from './cli-harness';

// template list|describe|apply|validate in process against the local endpoint.

const TAG = 'Pl4nted7emplateValue0k';
const SECRET_KEY = `sk_test_${TAG}`;
const PUBLISHABLE_KEY = `pk_test_${TAG}`;
/** Standard base64 of a 24-byte key, as Stripe issues them. */
const WEBHOOK = `whsec_${TAG}${'A'.repeat(10)}`;
const LIVE_KEY = `sk_live_${TAG}`;
const dir = tempDir('keystage-cli-template-');
const file = (name: string): string => join(dir, name);

let fixture: LocalFixture;
const printed: string[] = [];

async function cli(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const run = await runCli(['--endpoint-url', fixture.endpoint.url, ...argv], { env });
  printed.push(run.stdout, run.stderr);
  return run;
}

const lines = (run: CliRun): Array<Record<string, unknown>> =>
  run.stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const statuses = (run: CliRun): Array<[unknown, unknown]> =>
  lines(run).map((line) => [line.secret, line.status]);

const valueOf = async (id: string): Promise<string | undefined> =>
  (await fixture.sm().send(new GetSecretValueCommand({ SecretId: id }))).SecretString;

beforeAll(async () => {
  fixture = await startLocal();
  writeFileSync(
    file('stripe.json'),
    JSON.stringify({ stripe_secret_key: SECRET_KEY, stripe_webhook_secret: WEBHOOK }),
  );
  writeFileSync(
    file('live.json'),
    JSON.stringify({ stripe_secret_key: LIVE_KEY, stripe_webhook_secret: WEBHOOK }),
  );
  writeFileSync(file('broken.json'), `{"stripe_secret_key": "${SECRET_KEY}",`);
});

afterAll(async () => {
  await fixture.endpoint.close();
});

afterAll(() => {
  for (const text of printed) expect(text).not.toContain(TAG);
});

describe('keystage template apply', () => {
  const apply = ['template', 'apply', '--template', 'stripe', '-e', 'staging', '--service', 'billing'];
  const env = { STRIPE_PK: PUBLISHABLE_KEY };

  it('plans with --dry-run: every secret would-create, nothing written', async () => {
    const run = await cli(
      [
        ...apply,
        '--values-file',
        file('stripe.json'),
        '--value-env',
        'stripe_publishable_key=STRIPE_PK',
        '--dry-run',
      ],
      env,
    );
    expect(run.code).toBe(0);
    expect(statuses(run)).toEqual([
      ['stripe_secret_key', 'would-create'],
      ['stripe_publishable_key', 'would-create'],
      ['stripe_webhook_secret', 'would-create'],
    ]);
    expect(run.stderr).toContain('--dry-run: 3 would-create');
    await expect(valueOf('staging/billing/stripe_secret_key')).rejects.toThrow();
  });

  it('refuses a live key in staging: invalid, the others skipped, nothing written, exit 1', async () => {
    const run = await cli(
      [...apply, '--values-file', file('live.json'), '--value-env', 'stripe_publishable_key=STRIPE_PK'],
      env,
    );
    expect(run.code).toBe(1);
    expect(statuses(run)).toEqual([
      ['stripe_secret_key', 'invalid'],
      ['stripe_publishable_key', 'skipped'],
      ['stripe_webhook_secret', 'skipped'],
    ]);
    await expect(valueOf('staging/billing/stripe_webhook_secret')).rejects.toThrow();
  });

  it('reports missing-value for a required secret with no value (exit 1)', async () => {
    const run = await cli([...apply, '--values-file', file('stripe.json'), '--dry-run']);
    expect(run.code).toBe(1);
    expect(statuses(run)).toContainEqual(['stripe_publishable_key', 'missing-value']);
  });

  it('creates from a file and a variable, tagged with the template; run again, every secret exists', async () => {
    const run = await cli(
      [...apply, '--values-file', file('stripe.json'), '--value-env', 'stripe_publishable_key=STRIPE_PK'],
      env,
    );
    expect(run.code).toBe(0);
    expect(statuses(run).map(([, status]) => status)).toEqual(['created', 'created', 'created']);
    expect(await valueOf('staging/billing/stripe_publishable_key')).toBe(PUBLISHABLE_KEY);
    const described = await fixture
      .sm()
      .send(new DescribeSecretCommand({ SecretId: 'staging/billing/stripe_secret_key' }));
    expect(described.Tags).toEqual(expect.arrayContaining([{ Key: 'keystage:template', Value: 'stripe' }]));

    const again = await cli([...apply, '--values-file', file('stripe.json')]);
    expect(again.code).toBe(0);
    expect(statuses(again).map(([, status]) => status)).toEqual(['exists', 'exists', 'exists']);
  });

  it.each([
    ['a values file that is not JSON', ['--values-file', file('broken.json')], 'is not valid JSON.'],
    ['a values file that is not there', ['--values-file', file('nowhere.json')], 'cannot read'],
    [
      'a variable that is not set',
      ['--value-env', 'stripe_secret_key=UNSET_VARIABLE'],
      'UNSET_VARIABLE is not set.',
    ],
    [
      '--value-env without =VARIABLE',
      ['--value-env', 'stripe_secret_key'],
      '--value-env takes SECRET=VARIABLE',
    ],
    ['an unknown template', ['--template', 'stripe-typo'], 'No template named "stripe-typo"'],
  ])('refuses %s with exit 2, naming the mistake and no value', async (_what, extra, message) => {
    const run = await cli([...apply, ...extra]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });

  it('applies a template of your own from --template-file, taking its name from the file', async () => {
    writeFileSync(
      file('acme.json'),
      JSON.stringify({
        name: 'acme',
        description: 'Acme API',
        secrets: [{ name: 'acme_token', kind: 'generic', description: 'Acme token', generate: true }],
      }),
    );
    const run = await cli([
      'template',
      'apply',
      '--template-file',
      file('acme.json'),
      '-e',
      'dev',
      '--service',
      'api',
    ]);
    expect(run.code).toBe(0);
    expect(lines(run)).toEqual([
      expect.objectContaining({ secret: 'acme_token', status: 'created', generated: true }),
    ]);
  });
});

describe('keystage template validate', () => {
  it('finds nothing wrong with what apply created (exit 0)', async () => {
    const run = await cli(['template', 'validate', '-e', 'staging', '--service', 'billing']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('template validate staging/billing: stripe; 3 checked, 0 findings\n');
  });

  it('flags a live key in staging, naming the rule and not the value (exit 1)', async () => {
    await fixture
      .sm()
      .send(
        new PutSecretValueCommand({ SecretId: 'staging/billing/stripe_secret_key', SecretString: LIVE_KEY }),
      );
    const run = await cli(['template', 'validate', '-e', 'staging', '--service', 'billing']);
    expect(run.code).toBe(1);
    expect(lines(run)).toEqual([
      expect.objectContaining({ name: 'staging/billing/stripe_secret_key', template: 'stripe' }),
    ]);
  });

  it('reports a service with no template, and needs --service (exit 2)', async () => {
    const none = await cli(['template', 'validate', '-e', 'prod', '--service', 'empty']);
    expect(none.code).toBe(1);
    expect(lines(none)[0]).toMatchObject({ name: 'prod/empty' });
    expect((await cli(['template', 'validate', '-e', 'prod'])).code).toBe(2);
  });
});

describe('keystage template list and describe', () => {
  it('lists the built-in templates and describes one', async () => {
    const list = await cli(['template', 'list']);
    expect(list.code).toBe(0);
    expect(lines(list).map((line) => line.name)).toEqual(
      expect.arrayContaining(['stripe', 'sendgrid', 'twilio']),
    );
    const described = await cli(['template', 'describe', 'stripe']);
    expect(described.code).toBe(0);
    expect(JSON.parse(described.stdout)).toMatchObject({ name: 'stripe', serverValues: expect.any(Array) });
  });
});
