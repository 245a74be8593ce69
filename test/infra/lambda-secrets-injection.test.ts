import { App, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { LambdaSecretsInjection, type LambdaSecretsInjectionProps } from '../../infra';
import { acknowledge } from '../../infra/constructs/props';
import { expectNagClean, nagApp } from '../support/nag';
import { propsError } from '../support/props-error';
import { scanTemplate } from '../support/template-scan';

const ENV = { account: '123456789012', region: 'us-east-1' };
const API_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/billing/api-AbCdEf';
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
/** AWS's published layer, version 1.0.103, in us-east-1. */
const LAYER_X86 = 'arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:4';
const LAYER_ARM =
  'arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:4';
const EXTENSION_SETTINGS = [
  'PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED',
  'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT',
  'PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL',
  'SECRETS_MANAGER_TTL',
];

type Json = Record<string, unknown>;

/**
 * A stack with a function (its own role and log group, no managed policy), a secret created
 * here with its own key, one imported by complete ARN with its key, one imported by name.
 */
function fixture(
  app: App = new App(),
  options: { stackProps?: StackProps; fn?: Partial<lambda.FunctionProps> } = {},
) {
  const stack = new Stack(app, 'Test', options.stackProps ?? { env: ENV });
  const logGroup = new logs.LogGroup(stack, 'FnLogs', {
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(stack, 'FnRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => 1;'),
    role,
    logGroup,
    ...options.fn,
  });
  const dbKey = new kms.Key(stack, 'DbKey', { enableKeyRotation: true });
  const database = new secretsmanager.Secret(stack, 'Database', { encryptionKey: dbKey });
  const apiKey = secretsmanager.Secret.fromSecretCompleteArn(stack, 'ApiKey', API_ARN);
  const importedKey = kms.Key.fromKeyArn(stack, 'ImportedKey', KEY_ARN);
  const byName = secretsmanager.Secret.fromSecretNameV2(stack, 'ByName', 'prod/billing/legacy');
  return { stack, fn, role, dbKey, database, apiKey, importedKey, byName };
}

type Fixture = ReturnType<typeof fixture>;

function inject(f: Fixture, props: Partial<LambdaSecretsInjectionProps> = {}) {
  return new LambdaSecretsInjection(f.stack, 'Inject', {
    function: f.fn,
    secrets: {
      DB_SECRET_ARN: { secret: f.database },
      API_KEY_SECRET_ARN: { secret: f.apiKey, encryptionKey: f.importedKey },
      LEGACY_SECRET_ARN: { secret: f.byName },
    },
    ...props,
  });
}

/** The function's environment variables and layers, as synthesised. */
function functionProperties(stack: Stack, template: Template, fn: lambda.IFunction) {
  const functions = template.findResources('AWS::Lambda::Function') as Record<
    string,
    { Properties: { Environment?: { Variables: Json }; Layers?: unknown[] } }
  >;
  const id = stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
  const properties = functions[id]!.Properties;
  return { variables: properties.Environment?.Variables ?? {}, layers: properties.Layers };
}

/** The statements of the AWS::IAM::Policy attached to `role`. */
function statementsOf(stack: Stack, template: Template, role: iam.IRole): Json[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{
    Properties: { Roles: unknown[]; PolicyDocument: { Statement: Json[] } };
  }>;
  const ref = JSON.stringify(stack.resolve(role.roleName));
  return policies
    .filter((policy) => policy.Properties.Roles.some((r) => JSON.stringify(r) === ref))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

/**
 * True when a synthesised environment value can only be a reference to a secret: a literal
 * Secrets Manager ARN, or a CloudFormation reference/join that builds one. A value, a
 * dynamic reference (`{{resolve:...}}`) or anything else is false.
 */
function isSecretArnReference(value: unknown): boolean {
  if (typeof value === 'string')
    return /^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/.test(value);
  if (value === null || typeof value !== 'object') return false;
  const node = value as Json;
  if (Object.keys(node).length !== 1) return false;
  if (typeof node.Ref === 'string') return true;
  const join = node['Fn::Join'] as [string, unknown[]] | undefined;
  if (join !== undefined) {
    const text = join[1].map((part) => (typeof part === 'string' ? part : '')).join('');
    return !text.includes('{{resolve:') && /:secretsmanager:[^:]*:\d{12}:secret:/.test(text);
  }
  return false;
}

describe('LambdaSecretsInjection', () => {
  describe('environment', () => {
    it("sets each variable to its secret's ARN", () => {
      const f = fixture();
      inject(f);
      const { variables } = functionProperties(f.stack, Template.fromStack(f.stack), f.fn);
      expect(variables).toEqual({
        DB_SECRET_ARN: f.stack.resolve(f.database.secretArn),
        API_KEY_SECRET_ARN: API_ARN,
        LEGACY_SECRET_ARN: f.stack.resolve(f.byName.secretArn),
      });
    });

    it('holds nothing but secret ARNs and the extension settings: no value, no dynamic reference', () => {
      const f = fixture();
      inject(f, { extension: {} });
      const template = Template.fromStack(f.stack);
      const { variables } = functionProperties(f.stack, template, f.fn);
      const references = Object.entries(variables).filter(([name]) => !EXTENSION_SETTINGS.includes(name));
      expect(references.map(([name]) => name).sort()).toEqual([
        'API_KEY_SECRET_ARN',
        'DB_SECRET_ARN',
        'LEGACY_SECRET_ARN',
      ]);
      for (const [name, value] of references)
        expect({ name, ok: isSecretArnReference(value) }).toEqual({ name, ok: true });
      for (const name of EXTENSION_SETTINGS) expect(variables[name]).toMatch(/^(true|false|\d+|warn)$/);
      expect(scanTemplate(template.toJSON())).toEqual([]);
    });

    it('the ARN check itself refuses a value and a dynamic reference', () => {
      expect(isSecretArnReference('hunter2')).toBe(false);
      expect(isSecretArnReference('{{resolve:secretsmanager:prod/billing/api:SecretString:key}}')).toBe(
        false,
      );
      expect(
        isSecretArnReference({
          'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: 'S' }, ':SecretString}}']],
        }),
      ).toBe(false);
      expect(isSecretArnReference(API_ARN)).toBe(true);
    });
  });

  describe('extension', () => {
    it('adds no layer and no extension setting by default', () => {
      const f = fixture();
      inject(f);
      const { variables, layers } = functionProperties(f.stack, Template.fromStack(f.stack), f.fn);
      expect(layers).toBeUndefined();
      expect(Object.keys(variables).filter((name) => EXTENSION_SETTINGS.includes(name))).toEqual([]);
    });

    it("adds AWS's layer for the region and architecture with the documented settings and their defaults", () => {
      const f = fixture();
      const injection = inject(f, { extension: {} });
      const { variables, layers } = functionProperties(f.stack, Template.fromStack(f.stack), f.fn);
      expect(layers).toEqual([LAYER_X86]);
      expect(injection.extensionLayer?.layerVersionArn).toBe(LAYER_X86);
      expect(variables).toMatchObject({
        PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED: 'true',
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2773',
        SECRETS_MANAGER_TTL: '300',
      });
    });

    it('takes the cache TTL and port, turns the cache off at 0 and picks the Arm64 layer on arm64', () => {
      const f = fixture(new App(), { fn: { architecture: lambda.Architecture.ARM_64 } });
      inject(f, { extension: { cacheTtl: Duration.seconds(0), port: 8080 } });
      const { variables, layers } = functionProperties(f.stack, Template.fromStack(f.stack), f.fn);
      expect(layers).toEqual([LAYER_ARM]);
      expect(variables).toMatchObject({
        PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED: 'false',
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '8080',
        SECRETS_MANAGER_TTL: '0',
      });
    });

    it("uses the same layer and variable names as CDK's own paramsAndSecrets", () => {
      const f = fixture();
      inject(f, { extension: { cacheTtl: Duration.minutes(2) } });
      const reference = new lambda.Function(f.stack, 'Reference', {
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => 1;'),
        paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(
          lambda.ParamsAndSecretsVersions.V1_0_103,
          {
            secretsManagerTtl: Duration.minutes(2),
            logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
          },
        ),
      });
      const template = Template.fromStack(f.stack);
      const ours = functionProperties(f.stack, template, f.fn);
      const cdk = functionProperties(f.stack, template, reference);
      expect(ours.layers).toEqual(cdk.layers);
      for (const name of EXTENSION_SETTINGS)
        expect({ name, value: ours.variables[name] }).toEqual({ name, value: cdk.variables[name] });
    });

    it('takes a given layer version instead', () => {
      const f = fixture();
      const layer = lambda.LayerVersion.fromLayerVersionArn(
        f.stack,
        'Pinned',
        'arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:12',
      );
      inject(f, { extension: { layerVersion: layer } });
      const { layers } = functionProperties(f.stack, Template.fromStack(f.stack), f.fn);
      expect(layers).toEqual([layer.layerVersionArn]);
    });

    it('looks the layer up per region at deploy time in a region-agnostic stack', () => {
      const f = fixture(new App(), { stackProps: {} });
      inject(f, { secrets: { API_KEY_SECRET_ARN: { secret: f.apiKey } }, extension: {} });
      const { layers } = functionProperties(f.stack, Template.fromStack(f.stack), f.fn);
      expect(layers).toEqual([
        { 'Fn::FindInMap': [expect.any(String), { Ref: 'AWS::Region' }, expect.any(String)] },
      ]);
    });
  });

  describe('grants', () => {
    it('lets the function read exactly those secrets and decrypt only through Secrets Manager', () => {
      const f = fixture();
      inject(f);
      const template = Template.fromStack(f.stack);
      const statements = statementsOf(f.stack, template, f.role);
      expect(statements).toEqual([
        expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
        {
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Effect: 'Allow',
          Resource: [
            f.stack.resolve(f.database.secretArn),
            API_ARN,
            // Imported by name: the 6-character suffix AWS appends, and nothing more.
            f.stack.resolve(`${f.byName.secretArn}-??????`),
          ],
        },
        {
          Action: 'kms:Decrypt',
          Effect: 'Allow',
          Resource: [f.stack.resolve(f.dbKey.keyArn), KEY_ARN],
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
        },
      ]);
      // No key policy names the function: its grants are all on its own role.
      expect(JSON.stringify(template.findResources('AWS::KMS::Key'))).not.toContain(
        JSON.stringify(f.stack.resolve(f.role.roleArn)),
      );
    });

    it('grantRead gives another principal the same access', () => {
      const f = fixture();
      const injection = inject(f, {
        secrets: { API_KEY_SECRET_ARN: { secret: f.apiKey, encryptionKey: f.importedKey } },
      });
      const other = new iam.Role(f.stack, 'Other', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      });
      const grant = injection.grantRead(other);
      expect(grant.success).toBe(true);
      expect(statementsOf(f.stack, Template.fromStack(f.stack), other)).toEqual([
        expect.objectContaining({
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: API_ARN,
        }),
        expect.objectContaining({ Action: 'kms:Decrypt', Resource: KEY_ARN }),
      ]);
    });
  });

  describe('props', () => {
    let attempt = 0;
    const build = (f: Fixture, props: Partial<LambdaSecretsInjectionProps>) => () =>
      new LambdaSecretsInjection(f.stack, `Bad${(attempt += 1)}`, {
        function: f.fn,
        secrets: { API_KEY_SECRET_ARN: { secret: f.apiKey } },
        ...props,
      });

    it('refuses a name Lambda would not take, naming the prop and the value', () => {
      const f = fixture();
      const error = propsError(build(f, { secrets: { 'api-key': { secret: f.apiKey } } }));
      expect(error.prop).toBe('secrets.api-key');
      expect(error.message).toBe(
        'LambdaSecretsInjection: secrets.api-key must be an environment variable name Lambda accepts (A-Z first, then A-Z, 0-9, _; 2 or more); got "api-key".',
      );
      for (const name of ['X', '_TOKEN', '9LIVES', 'apiKey'])
        expect(propsError(build(f, { secrets: { [name]: { secret: f.apiKey } } })).prop).toBe(
          `secrets.${name}`,
        );
    });

    it('refuses names reserved by Lambda or read by the extension', () => {
      const f = fixture();
      for (const name of [
        'AWS_REGION',
        'AWS_SECRET_ARN',
        'LAMBDA_TASK_ROOT',
        'SECRETS_MANAGER_TTL',
        'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT',
      ]) {
        const error = propsError(build(f, { secrets: { [name]: { secret: f.apiKey } } }));
        expect(error.message).toMatch(
          new RegExp(`secrets.${name} uses a name reserved by Lambda or the extension`),
        );
      }
    });

    it('refuses a name the function already has', () => {
      const f = fixture(new App(), {
        fn: { environment: { API_KEY_SECRET_ARN: 'arn:aws:secretsmanager:x' } },
      });
      expect(propsError(build(f, {})).message).toMatch(
        /secrets.API_KEY_SECRET_ARN is already an environment variable of Test\/Fn/,
      );
    });

    it('refuses an empty map', () => {
      const f = fixture();
      expect(propsError(build(f, { secrets: {} })).message).toBe(
        'LambdaSecretsInjection: secrets must name at least one variable; got {}.',
      );
    });

    it('refuses a cache TTL outside 0..300 whole seconds and a port outside 1..65535', () => {
      const f = fixture();
      const ttl = propsError(build(f, { extension: { cacheTtl: Duration.minutes(6) } }));
      expect(ttl.message).toBe(
        "LambdaSecretsInjection: extension.cacheTtl must be a whole number of seconds from 0 to 300 (the extension's limit); got 6 minutes.",
      );
      expect(propsError(build(f, { extension: { cacheTtl: Duration.millis(1500) } })).prop).toBe(
        'extension.cacheTtl',
      );
      expect(propsError(build(f, { extension: { port: 0 } })).prop).toBe('extension.port');
      expect(propsError(build(f, { extension: { port: 65_536 } })).prop).toBe('extension.port');
      expect(propsError(build(f, { extension: { port: 2773.5 } })).prop).toBe('extension.port');
    });

    it("refuses the extension on a function that has it already through CDK's paramsAndSecrets", () => {
      const f = fixture(new App(), {
        fn: {
          paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(
            lambda.ParamsAndSecretsVersions.V1_0_103,
          ),
        },
      });
      expect(propsError(build(f, { extension: {} })).prop).toBe('extension');
    });

    it('asks for a layer version where AWS publishes none that CDK knows', () => {
      const f = fixture(new App(), {
        stackProps: { env: { account: '123456789012', region: 'ap-southeast-7' } },
      });
      const error = propsError(build(f, { extension: {} }));
      expect(error.prop).toBe('extension.layerVersion');
      expect(error.message).toMatch(/no AWS-published layer is known for ap-southeast-7 and x86_64/);
    });
  });

  describe('cdk-nag AwsSolutions (RELIABILITY 24)', () => {
    it('reports a finding nobody acknowledged on this stack (the check is live)', () => {
      const app = nagApp();
      const f = fixture(app);
      inject(f, { extension: {} });
      expect(() => app.synth()).toThrow(/AwsSolutions-SMG4/);
    });

    it('finds nothing unacknowledged in a function wired with secrets and the extension', () => {
      const app = nagApp();
      const f = fixture(app);
      inject(f, { extension: {} });
      acknowledge(
        f.database,
        'AwsSolutions-SMG4',
        'Test scaffolding: this secret only feeds the injection under test; rotating it is SecretRotation, tested on its own.',
      );
      expectNagClean(app);
    });
  });
});
