import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { buildApp, main } from '../../infra/app';
import { loadConfig, parseConfig } from '../../infra/config';
import { InfraPropsError } from '../../infra';
import { nagFindings } from '../support/nag';
import { scanTemplate } from '../support/template-scan';

const outdir = () => mkdtempSync(join(tmpdir(), 'keystage-app-'));
const EXAMPLE = join(__dirname, '..', '..', 'infra', 'config', 'example.json');

describe('the example app', () => {
  // One synthesis for the whole file: it is the slow part.
  const app = buildApp(new App({ outdir: outdir() }));
  const assembly = app.synth();
  const stacks = assembly.stacks;

  it('synthesises a secrets, a consumers and a replica key stack per environment, cdk-nag clean, with no credentials', () => {
    expect(stacks.map((s) => s.stackName).sort()).toEqual([
      'keystage-billing-production-consumers',
      'keystage-billing-production-replica-key-eu-central-1',
      'keystage-billing-production-secrets',
      'keystage-billing-staging-consumers',
      'keystage-billing-staging-replica-key-eu-central-1',
      'keystage-billing-staging-secrets',
    ]);
    // synth() threw on no finding; not even a warning is left (RELIABILITY 24).
    expect(nagFindings(app)).toEqual([]);
    expect(stacks.find((s) => s.stackName.endsWith('production-secrets'))?.environment).toMatchObject({
      account: '222222222222',
      region: 'eu-west-1',
    });
  });

  it('puts no plaintext secret in any Lambda or ECS environment, Output or Metadata (RELIABILITY 23)', () => {
    for (const stack of stacks) {
      expect({ stack: stack.stackName, findings: scanTemplate(stack.template) }).toEqual({
        stack: stack.stackName,
        findings: [],
      });
    }
  });

  it('encrypts every replica of every secret with a customer managed key of its region, deployed first', () => {
    const replicas = stacks.flatMap((stack) =>
      Object.values(
        stack.template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
      )
        .filter((resource) => resource.Type === 'AWS::SecretsManager::Secret')
        .flatMap(
          (secret) =>
            (secret.Properties.ReplicaRegions ?? []) as Array<{ Region: string; KmsKeyId?: unknown }>,
        )
        .map((replica) => ({ stack, replica })),
    );
    expect(replicas).toHaveLength(6);
    for (const { stack, replica } of replicas) {
      expect({ secrets: stack.stackName, replica: customerKeyOf(stack, replica, stacks) }).toEqual({
        secrets: stack.stackName,
        replica: { region: replica.Region, keyStackDeployedFirst: true, customerManagedKey: true },
      });
    }
  });

  it('rotates the database credential as alternating users and the API key generically, on schedule', () => {
    const template = Template.fromJSON(stacks.find((s) => s.stackName.endsWith('staging-secrets'))!.template);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 3);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: Match.objectLike({ ScheduleExpression: 'rate(30 days)', Duration: '4h' }),
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: Match.objectLike({ ScheduleExpression: 'rate(90 days)' }),
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'staging/billing/db',
      ReplicaRegions: [Match.objectLike({ Region: 'eu-central-1' })],
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }),
    });
  });
});

describe('app configuration', () => {
  it('synthesises only the environments the context names', () => {
    const app = new App({ outdir: outdir(), context: { 'keystage:environments': 'staging' } });
    buildApp(app, loadConfig(EXAMPLE));
    expect(app.node.children.filter((c) => c instanceof Stack).map((s) => s.node.id)).toEqual([
      'keystage-billing-staging-secrets',
      'keystage-billing-staging-replica-key-eu-central-1',
      'keystage-billing-staging-consumers',
    ]);
  });

  it.each([
    [{ environments: {} }, 'service'],
    [{ service: 'billing', environments: {} }, 'environments'],
    [{ service: 'billing', environments: { Prod: {} } }, 'environments'],
    [
      { service: 'billing', environments: { prod: { account: '12' } } },
      'environments.prod.rotation.windowHours',
    ],
  ])('rejects %p naming %s', (raw, path) => {
    expect(() => parseConfig(raw)).toThrow(expect.objectContaining({ prop: path }));
  });

  it('names the field that is wrong in a full config', () => {
    const raw = loadConfigRaw();
    raw.environments.staging.account = '1234';
    expect(() => parseConfig(raw)).toThrow(
      /environments\.staging\.account must be a 12-digit account id; got "1234"/,
    );
    const windowed = loadConfigRaw();
    windowed.environments.staging.rotation.windowHours = 30;
    expect(() => parseConfig(windowed)).toThrow(/windowHours must be at most 24; got 30/);
  });

  it('says that a config file does not exist, naming it', () => {
    const error = catchError(() => loadConfig('/nonexistent/keystage.json'));
    expect(error).toBeInstanceOf(InfraPropsError);
    expect(error).toMatchObject({ field: 'keystage:config' });
    expect((error as Error).message).toBe(
      'keystage config: keystage:config names a file that does not exist: /nonexistent/keystage.json.',
    );
  });

  it('says that a config file cannot be read, and why', () => {
    const directory = outdir();
    expect(() => loadConfig(directory)).toThrow(`names a file that cannot be read (EISDIR): ${directory}.`);
  });

  it('lists the configured environments when the context names an unknown one', () => {
    const app = new App({ outdir: outdir(), context: { 'keystage:environments': 'staging,prod' } });
    const error = catchError(() => buildApp(app));
    expect(error).toMatchObject({ field: 'keystage:environments' });
    expect((error as Error).message).toBe(
      `keystage app: keystage:environments must name environments of ${EXAMPLE}, which configures staging, production; got "prod".`,
    );
    expect(app.node.children.filter((c) => c instanceof Stack)).toEqual([]);
  });

  it('refuses a context that names no environment', () => {
    const app = new App({ outdir: outdir(), context: { 'keystage:environments': ' , ' } });
    expect(() => buildApp(app)).toThrow(/configures staging, production; got no environment\./);
  });
});

describe('running the app (node dist/infra/app.js)', () => {
  function run(context: Record<string, string>): { code: number; stderr: string[] } {
    const stderr: string[] = [];
    const code = main(new App({ outdir: outdir(), context }), (line) => stderr.push(line));
    return { code, stderr };
  }

  it('says in one line, without a stack trace, that the config file is missing', () => {
    expect(run({ 'keystage:config': 'missing.json' })).toEqual({
      code: 1,
      stderr: [
        `keystage config: keystage:config names a file that does not exist: ${join(process.cwd(), 'missing.json')}.\n`,
      ],
    });
  });

  it('says in one line which environments exist when the one asked for does not', () => {
    const { code, stderr } = run({ 'keystage:environments': 'prod' });
    expect({ code, lines: stderr.join('').split('\n') }).toEqual({
      code: 1,
      lines: [expect.stringMatching(/configures staging, production; got "prod"\.$/), ''],
    });
  });

  it('synthesises and exits 0 when the config is good', () => {
    expect(run({ 'keystage:environments': 'staging' })).toEqual({ code: 0, stderr: [] });
  });
});

describe('the template scan', () => {
  it('finds a dynamic secret reference in a Lambda environment, a secret value in an output, and a literal credential', () => {
    const findings = scanTemplate({
      Resources: {
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Environment: {
              Variables: {
                DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:x-AbCdEf',
                DB_PASSWORD: '{{resolve:secretsmanager:prod/db:SecretString:password}}',
                API_TOKEN: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
              },
            },
          },
        },
        Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { SecretString: 'hunter2' } },
      },
      Outputs: { Leak: { Value: { 'Fn::Join': ['', ['{{resolve:ssm-secure:/prod/db}}']] } } },
    });
    expect(findings.map((f) => f.where).sort()).toEqual(
      [
        'Fn.Environment.Variables.API_TOKEN',
        'Fn.Environment.Variables.DB_PASSWORD',
        'Outputs.Leak.Value.Fn::Join[1][0]',
        'Secret.SecretString',
      ].sort(),
    );
  });
});

function loadConfigRaw(): {
  environments: { staging: { account: string; rotation: { windowHours: number } } };
} {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return JSON.parse(JSON.stringify(require(EXAMPLE))) as ReturnType<typeof loadConfigRaw>;
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

/** `Fn::Join` of literals and the partition, as the example app's ARNs are, to a string. */
function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join === undefined) throw new Error(`not a string or Fn::Join: ${JSON.stringify(value)}`);
  return join[1]
    .map((part) => (JSON.stringify(part) === '{"Ref":"AWS::Partition"}' ? 'aws' : joined(part)))
    .join(join[0]);
}

/**
 * Where a replica's KmsKeyId leads: the alias ARN must be of the replica's region and the
 * stack's account, and a stack of that account and region that the secrets stack depends on
 * must create the alias on a customer managed key (an AWS::KMS::Key of its own).
 */
function customerKeyOf(
  stack: CloudFormationStackArtifact,
  replica: { Region: string; KmsKeyId?: unknown },
  all: CloudFormationStackArtifact[],
) {
  const arn = replica.KmsKeyId === undefined ? '' : joined(replica.KmsKeyId);
  const [, , service, region, account, resource] = arn.split(':');
  const owner = all.find(
    (other) =>
      other.environment.region === region &&
      other.environment.account === account &&
      Object.values(
        other.template.Resources as Record<string, { Type: string; Properties: { AliasName?: string } }>,
      ).some((r) => r.Type === 'AWS::KMS::Alias' && r.Properties.AliasName === resource),
  );
  const resources = (owner?.template.Resources ?? {}) as Record<
    string,
    { Type: string; Properties: { AliasName?: string; TargetKeyId?: { 'Fn::GetAtt'?: [string, string] } } }
  >;
  const alias = Object.values(resources).find(
    (r) => r.Type === 'AWS::KMS::Alias' && r.Properties.AliasName === resource,
  );
  const target = alias?.Properties.TargetKeyId?.['Fn::GetAtt']?.[0];
  return {
    region:
      service === 'kms' && account === stack.environment.account
        ? region
        : `not a KMS key of this account: ${arn}`,
    keyStackDeployedFirst:
      owner !== undefined && stack.dependencies.some((dependency) => dependency.id === owner.id),
    customerManagedKey: target !== undefined && resources[target]?.Type === 'AWS::KMS::Key',
  };
}
