import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app';
import { loadConfig, parseConfig } from '../../infra/config';
import { scanTemplate } from '../support/template-scan';

const outdir = () => mkdtempSync(join(tmpdir(), 'keystage-app-'));
const EXAMPLE = join(__dirname, '..', '..', 'infra', 'config', 'example.json');

describe('the example app', () => {
  // One synthesis for the whole file: it is the slow part.
  const app = buildApp(new App({ outdir: outdir() }));
  const assembly = app.synth();
  const stacks = assembly.stacks;

  it('synthesises a secrets and a consumers stack per environment, cdk-nag clean, with no credentials', () => {
    expect(stacks.map((s) => s.stackName).sort()).toEqual([
      'keystage-billing-production-consumers',
      'keystage-billing-production-secrets',
      'keystage-billing-staging-consumers',
      'keystage-billing-staging-secrets',
    ]);
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

  it('reports an unreadable config file', () => {
    expect(() => loadConfig('/nonexistent/keystage.json')).toThrow(/cannot be read/);
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
