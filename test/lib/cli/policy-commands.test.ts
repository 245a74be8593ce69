import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyRule } from '../../../lib/policy';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { cleanUpBuilds, tempDir } from '../../support/rotation-fixtures';
import { runCli, type CliRun } from './cli-harness';

// `keystage policy check|render`, in process, stdin piped, against the local endpoint.

const dir = tempDir('keystage-cli-policy-');
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/billing/db-AbCdEf';
const rules: PolicyRule[] = [
  {
    id: 'billing-reads',
    effect: 'allow',
    services: ['billing'],
    secrets: ['prod/billing/**', 'ssm:/prod/billing/**'],
    operations: ['read', 'list'],
    sourceCidrs: ['10.0.0.0/8'],
    maxRequestsPerHour: 3600,
  },
  {
    id: 'no-prod-delete',
    effect: 'deny',
    secrets: ['prod/**'],
    operations: ['delete'],
    description: 'production secrets are never deleted from the CLI',
  },
];

let fixture: LocalFixture;
const policyFile = join(dir, 'policy.json');
const rbacFile = join(dir, 'rbac.json');

beforeAll(async () => {
  fixture = await startLocal();
  writeFileSync(policyFile, JSON.stringify({ rules }));
  writeFileSync(rbacFile, JSON.stringify({ environments: { development: 'dev' } }));
});
afterAll(async () => {
  await fixture.endpoint.close();
  cleanUpBuilds();
});

const cli = (argv: readonly string[]): Promise<CliRun> =>
  runCli(['--endpoint-url', fixture.endpoint.url, ...argv]);
const json = (run: CliRun): Record<string, unknown> => JSON.parse(run.stdout) as Record<string, unknown>;

const check = (...extra: string[]) =>
  cli([
    'policy',
    'check',
    'prod/billing/db',
    '--policy',
    policyFile,
    '-e',
    'prod',
    '--service',
    'billing',
    ...extra,
  ]);

describe('keystage policy check', () => {
  it('prints the decision with its rule and limit, and exits 0 when allowed', async () => {
    const run = await check('--operation', 'read', '--source-ip', '10.0.4.2');
    expect(run.code).toBe(0);
    expect(json(run)).toEqual({
      allowed: true,
      rule: 'billing-reads',
      reason: 'allowed by rule billing-reads',
      maxRequestsPerHour: 3600,
    });
  });

  it('exits 5 (as PERMISSION_DENIED) when a deny rule decides, naming it and its reason', async () => {
    const run = await check('--operation', 'delete');
    expect(run.code).toBe(5);
    expect(json(run)).toEqual({
      allowed: false,
      rule: 'no-prod-delete',
      reason: 'denied by rule no-prod-delete: production secrets are never deleted from the CLI',
    });
    expect(run.stderr).toBe('');
  });

  it('denies by default, with no rule, when no source address meets sourceCidrs', async () => {
    const run = await check('--operation', 'read');
    expect(run.code).toBe(5);
    expect(json(run)).toMatchObject({ allowed: false, rule: null });
  });

  it('evaluates the RBAC preset from an assignments file, roles from --role', async () => {
    const argv = ['policy', 'check', 'dev/web/api-key', '--rbac', rbacFile, '-e', 'dev', '--service', 'web'];
    const developer = await cli([...argv, '--role', 'developer', '--operation', 'update']);
    expect(developer.code).toBe(0);
    expect(json(developer)).toMatchObject({ allowed: true, rule: 'developer-edit' });
    const none = await cli([...argv, '--operation', 'update']);
    expect(none.code).toBe(5);
  });

  it('decides about an SSM parameter by its ssm: id', async () => {
    const run = await cli([
      'policy',
      'check',
      'ssm:/prod/billing/db_url',
      '--policy',
      policyFile,
      '-e',
      'prod',
      '--service',
      'billing',
      '--operation',
      'read',
      '--source-ip',
      '10.0.0.1',
    ]);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ allowed: true, rule: 'billing-reads' });
  });

  it('answers --query allowed --output text with true or false', async () => {
    const run = await check(
      '--operation',
      'read',
      '--source-ip',
      '10.1.1.1',
      '--query',
      'allowed',
      '--output',
      'text',
    );
    expect(run).toMatchObject({ code: 0, stdout: 'true\n' });
  });

  it('refuses an unknown operation with exit 2, naming the operations', async () => {
    const run = await check('--operation', 'write');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'keystage: VALIDATION_ERROR: --operation takes one of read, list, create, update, rotate, delete, revoke, manage; got "write".\n',
    );
  });

  it('needs the environment, and exactly one of --policy and --rbac', async () => {
    const noEnvironment = await cli([
      'policy',
      'check',
      'prod/x/y',
      '--policy',
      policyFile,
      '--service',
      'x',
      '--operation',
      'read',
    ]);
    expect(noEnvironment.code).toBe(2);
    expect(noEnvironment.stderr).toContain('-e/--environment');
    const both = await check('--operation', 'read', '--rbac', rbacFile);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--policy FILE');
  });

  it('names the rule and field of a bad policy, and a file that is not JSON or is missing', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify([{ id: 'r', effect: 'allow', secrets: ['prod/**'], operations: ['read'], color: 'x' }]),
    );
    const invalid = await cli([
      'policy',
      'check',
      'prod/a/b',
      '--policy',
      bad,
      '-e',
      'prod',
      '--service',
      'a',
      '--operation',
      'read',
    ]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(
      /^keystage: VALIDATION_ERROR: --policy: rules\[0\]\.color is not a rule field/,
    );

    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'planted-not-json-Zq1');
    const garbled = await cli([
      'policy',
      'check',
      'prod/a/b',
      '--policy',
      notJson,
      '-e',
      'prod',
      '--service',
      'a',
      '--operation',
      'read',
    ]);
    expect(garbled.code).toBe(2);
    expect(garbled.stderr).toContain('is not JSON');
    expect(garbled.stderr).not.toContain('planted-not-json');

    const missing = await cli([
      'policy',
      'check',
      'prod/a/b',
      '--policy',
      join(dir, 'none.json'),
      '-e',
      'prod',
      '--service',
      'a',
      '--operation',
      'read',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('(ENOENT)');
  });
});

describe('keystage policy render', () => {
  it('renders an IAM policy and lists what IAM cannot say, the ssm: pattern included', async () => {
    const run = await cli(['policy', 'render', '--policy', policyFile, '--iam', '--account', '123456789012']);
    expect(run.code).toBe(0);
    const result = json(run) as {
      kind: string;
      document: { Statement: { Sid: string; Resource: unknown }[] };
      unrendered: { rule: string; field: string }[];
    };
    expect(result.kind).toBe('iam');
    expect(result.document.Statement.map((s) => s.Sid)).toEqual([
      'Allow0billingreads',
      'Allow0billingreadsAny',
      'Deny1noproddelete',
    ]);
    expect(JSON.stringify(result.document)).not.toContain('ssm:');
    expect(result.unrendered.map(({ rule, field }) => `${rule}.${field}`)).toEqual([
      'billing-reads.secrets[1]',
      'billing-reads.maxRequestsPerHour',
      'billing-reads.operations',
    ]);
  });

  it("renders a secret's resource policy that ValidateResourcePolicy passes (--validate)", async () => {
    const run = await cli(['policy', 'render', '--policy', policyFile, '--resource-arn', ARN, '--validate']);
    expect(run.code).toBe(0);
    const result = json(run) as {
      kind: string;
      validation: unknown;
      document: { Statement: { Sid: string }[] };
    };
    expect(result).toMatchObject({
      kind: 'resource',
      secretArn: ARN,
      validation: { passed: true, errors: [] },
    });
    expect(result.document.Statement.map((s) => s.Sid)).toEqual([
      'Allow0billingreads',
      'Deny1noproddelete',
      'DenyOutsideAccount',
    ]);
  });

  it('fails with the mapped SDK error (exit 14), printing no document, when the endpoint does not answer', async () => {
    const closed = await startLocal();
    await closed.endpoint.close();
    const run = await runCli([
      '--endpoint-url',
      closed.endpoint.url,
      'policy',
      'render',
      '--policy',
      policyFile,
      '--resource-arn',
      ARN,
      '--validate',
    ]);
    expect(run.code).toBe(14);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^keystage: SERVICE_ERROR: /);
  });

  it('lists the rules that do not apply to the secret', async () => {
    const other = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:dev/web/key-AbCdEf';
    const run = await cli(['policy', 'render', '--policy', policyFile, '--resource-arn', other]);
    expect(json(run)).toMatchObject({
      notApplicable: [{ rule: 'billing-reads' }, { rule: 'no-prod-delete' }],
    });
  });

  it('takes one of --iam and --resource-arn, and --validate with a resource policy only', async () => {
    const neither = await cli(['policy', 'render', '--policy', policyFile]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('--resource-arn ARN');
    const iamValidate = await cli(['policy', 'render', '--policy', policyFile, '--iam', '--validate']);
    expect(iamValidate.code).toBe(2);
    expect(iamValidate.stderr).toContain('--validate checks resource policies');
  });

  it('shows examples in its help', async () => {
    const run = await cli(['policy', 'render', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Examples:\n  $ keystage policy render --policy policy.json --iam');
  });
});

describe('the governance, crypto and distribution commands', () => {
  it.each([
    ['policy', 'check'],
    ['policy', 'render'],
    ['audit', 'report'],
    ['audit', 'metrics'],
    ['audit', 'verify'],
    ['split'],
    ['combine'],
    ['distribute', 'key'],
    ['distribute', 'issue'],
    ['distribute', 'open'],
    ['distribute', 'revoke'],
    ['distribute', 'status'],
  ])('%s %s shows examples of itself in its help', async (...words: string[]) => {
    const run = await cli([...words, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Examples:\n  $ keystage ${words.join(' ')} `);
  });
});
