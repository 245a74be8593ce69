import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { EcsSecretsInjection, type EcsSecretsInjectionProps, type EcsSecretSource } from '../../infra';
import { acknowledge } from '../../infra/constructs/props';
import { matches } from '../support/event-pattern';
import { expectNagClean, nagApp } from '../support/nag';
import { propsError } from '../support/props-error';
import { scanTemplate } from '../support/template-scan';

const ENV = { account: '123456789012', region: 'us-east-1' };
const API_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/billing/api-AbCdEf';
const OTHER_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/billing/other-GhIjKl';
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

type Json = Record<string, unknown>;

/**
 * A stack with what a consumer of secrets has: a VPC with flow logs, a Fargate cluster with
 * Container Insights, a task definition whose container logs to CloudWatch, a service, a
 * secret created here (with its own key) and one imported by its complete ARN.
 */
function fixture(app: App = new App(), options: { environment?: Record<string, string> } = {}) {
  const stack = new Stack(app, 'Test', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    flowLogs: { all: { trafficType: ec2.FlowLogTrafficType.ALL } },
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', {
    vpc,
    containerInsightsV2: ecs.ContainerInsights.ENABLED,
  });
  const task = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
  const logGroup = new logs.LogGroup(stack, 'AppLogs', {
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const container = task.addContainer('App', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:20-alpine'),
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app', logGroup }),
    ...(options.environment === undefined ? {} : { environment: options.environment }),
  });
  const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition: task });
  const dbKey = new kms.Key(stack, 'DbKey', { enableKeyRotation: true });
  const database = new secretsmanager.Secret(stack, 'Database', {
    encryptionKey: dbKey,
    generateSecretString: {
      secretStringTemplate: JSON.stringify({ username: 'app' }),
      generateStringKey: 'password',
    },
  });
  const apiKey = secretsmanager.Secret.fromSecretCompleteArn(stack, 'ApiKey', API_ARN);
  const importedKey = kms.Key.fromKeyArn(stack, 'ImportedKey', KEY_ARN);
  const flag = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Flag', {
    parameterName: '/prod/billing/flag',
  });
  return { stack, vpc, cluster, task, container, service, dbKey, database, apiKey, importedKey, flag };
}

type Fixture = ReturnType<typeof fixture>;

/** The usual wiring: a JSON field of a local secret, an imported secret, an SSM SecureString. */
function inject(f: Fixture, props: Partial<EcsSecretsInjectionProps> = {}) {
  return new EcsSecretsInjection(f.stack, 'Inject', {
    container: f.container,
    service: f.service,
    secrets: {
      DB_PASSWORD: { secret: f.database, field: 'password' },
      API_KEY: { secret: f.apiKey, encryptionKey: f.importedKey },
      FLAG: { parameter: f.flag, encryptionKey: f.importedKey },
    },
    ...props,
  });
}

function containerDefinitions(template: Template): Json[] {
  const definitions = Object.values(template.findResources('AWS::ECS::TaskDefinition')) as Array<{
    Properties: { ContainerDefinitions: Json[] };
  }>;
  return definitions.flatMap((definition) => definition.Properties.ContainerDefinitions);
}

/** The statements of the AWS::IAM::Policy attached to `role`. */
function statementsOf(stack: Stack, template: Template, roleRef: unknown): Json[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{
    Properties: { Roles: unknown[]; PolicyDocument: { Statement: Json[] } };
  }>;
  const attached = policies.filter((policy) =>
    policy.Properties.Roles.some((role) => JSON.stringify(role) === JSON.stringify(stack.resolve(roleRef))),
  );
  return attached.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

/** The event pattern of the stack's one rule. */
function onlyEventPattern(template: Template): Json {
  const rules = Object.values(template.findResources('AWS::Events::Rule')) as Array<{
    Properties: { EventPattern: Json };
  }>;
  expect(rules).toHaveLength(1);
  return rules[0]!.Properties.EventPattern;
}

/** A RotationSucceeded service event as EventBridge delivers it (CloudTrail). */
function rotationSucceeded(detail: Json): Json {
  return {
    source: 'aws.secretsmanager',
    'detail-type': 'AWS Service Event via CloudTrail',
    detail: { eventSource: 'secretsmanager.amazonaws.com', eventName: 'RotationSucceeded', ...detail },
  };
}

describe('EcsSecretsInjection', () => {
  describe('container secrets', () => {
    it('references a JSON field as <arn>:<field>::, a whole secret by ARN and an SSM parameter by ARN', () => {
      const f = fixture();
      inject(f);
      Template.fromStack(f.stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: [
          Match.objectLike({
            Name: 'App',
            Secrets: [
              {
                Name: 'DB_PASSWORD',
                ValueFrom: { 'Fn::Join': ['', [f.stack.resolve(f.database.secretArn), ':password::']] },
              },
              { Name: 'API_KEY', ValueFrom: API_ARN },
              {
                Name: 'FLAG',
                ValueFrom: {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':ssm:us-east-1:123456789012:parameter/prod/billing/flag',
                    ],
                  ],
                },
              },
            ],
          }),
        ],
      });
    });

    it('leaves plain variables plain and puts no secret value in any Environment entry', () => {
      const f = fixture(new App(), { environment: { MODE: 'prod' } });
      inject(f);
      const template = Template.fromStack(f.stack);
      const [definition] = containerDefinitions(template);
      expect(definition!.Environment).toEqual([{ Name: 'MODE', Value: 'prod' }]);
      const secretNames = (definition!.Secrets as Array<{ Name: string }>).map((entry) => entry.Name);
      expect(secretNames).toEqual(['DB_PASSWORD', 'API_KEY', 'FLAG']);
      expect(scanTemplate(template.toJSON())).toEqual([]);
    });
  });

  describe('execution role', () => {
    it('may read exactly the injected secrets and parameter, and decrypt only through Secrets Manager or SSM', () => {
      const f = fixture();
      inject(f);
      const template = Template.fromStack(f.stack);
      const statements = statementsOf(f.stack, template, f.task.obtainExecutionRole().roleName);
      const read = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
      expect(statements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Action: read, Resource: f.stack.resolve(f.database.secretArn) }),
          expect.objectContaining({ Action: read, Resource: API_ARN }),
          {
            Action: 'kms:Decrypt',
            Effect: 'Allow',
            Resource: KEY_ARN,
            Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
          },
          {
            Action: 'kms:Decrypt',
            Effect: 'Allow',
            Resource: KEY_ARN,
            Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } },
          },
          expect.objectContaining({
            Action: expect.arrayContaining(['ssm:GetParameters']),
            Resource: f.stack.resolve(f.flag.parameterArn),
          }),
        ]),
      );
      // Nothing broader than the listed resources, and no wildcard action.
      for (const statement of statements) {
        expect(statement.Resource).not.toEqual('*');
        expect(JSON.stringify(statement.Action)).not.toMatch(/:\*|"\*"/);
      }
    });

    it("decrypts the local secret's own key through Secrets Manager only (the key policy names the execution role)", () => {
      const f = fixture();
      inject(f);
      Template.fromStack(f.stack).hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'kms:Decrypt',
              Principal: { AWS: f.stack.resolve(f.task.obtainExecutionRole().roleArn) },
              Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
            }),
          ]),
        },
      });
    });
  });

  describe('redeployment', () => {
    it('forces a new deployment when a rotation of one of its secrets succeeds, for either ARN spelling', () => {
      const f = fixture();
      inject(f, { secrets: { API_KEY: { secret: f.apiKey }, OTHER: { secret: f.apiKey, field: 'x' } } });
      const pattern = onlyEventPattern(Template.fromStack(f.stack));
      expect(pattern).toMatchObject({
        source: ['aws.secretsmanager'],
        'detail-type': expect.arrayContaining(['AWS Service Event via CloudTrail']),
        detail: { eventSource: ['secretsmanager.amazonaws.com'], eventName: ['RotationSucceeded'] },
      });
      expect(matches(pattern, rotationSucceeded({ additionalEventData: { SecretId: API_ARN } }))).toBe(true);
      expect(matches(pattern, rotationSucceeded({ responseElements: { arn: API_ARN } }))).toBe(true);
      expect(matches(pattern, rotationSucceeded({ responseElements: { aRN: API_ARN } }))).toBe(true);
      expect(matches(pattern, rotationSucceeded({ serviceEventDetails: { aRN: API_ARN } }))).toBe(true);
      // Another secret, or a failed rotation of ours: no redeployment.
      expect(matches(pattern, rotationSucceeded({ additionalEventData: { SecretId: OTHER_ARN } }))).toBe(
        false,
      );
      expect(
        matches(pattern, {
          ...rotationSucceeded({ additionalEventData: { SecretId: API_ARN } }),
          detail: {
            eventSource: 'secretsmanager.amazonaws.com',
            eventName: 'RotationFailed',
            additionalEventData: { SecretId: API_ARN },
          },
        }),
      ).toBe(false);
    });

    it("lists each rotating secret's ARN once, the local one as its reference", () => {
      const f = fixture();
      inject(f);
      const template = Template.fromStack(f.stack);
      template.resourceCountIs('AWS::Events::Rule', 1);
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          detail: Match.objectLike({
            $or: Match.arrayWith([
              { additionalEventData: { SecretId: [f.stack.resolve(f.database.secretArn), API_ARN] } },
            ]),
          }),
        },
      });
    });

    it('targets a function that calls UpdateService with forceNewDeployment on exactly this service', () => {
      const f = fixture();
      const injection = inject(f);
      const template = Template.fromStack(f.stack);
      const fn = injection.redeployFunction!;
      template.hasResourceProperties('AWS::Events::Rule', {
        Targets: [
          Match.objectLike({
            Arn: f.stack.resolve(fn.functionArn),
            RetryPolicy: { MaximumRetryAttempts: 4 },
          }),
        ],
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        FunctionName: f.stack.resolve(fn.functionArn),
        SourceArn: f.stack.resolve(injection.redeployRule!.ruleArn),
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Code: { ZipFile: Match.stringLikeRegexp('forceNewDeployment: true') },
        Environment: {
          Variables: {
            CLUSTER: f.stack.resolve(f.cluster.clusterName),
            SERVICE: f.stack.resolve(f.service.serviceName),
          },
        },
      });
      expect(statementsOf(f.stack, template, fn.role!.roleName)).toEqual([
        { Action: 'ecs:UpdateService', Effect: 'Allow', Resource: f.stack.resolve(f.service.serviceArn) },
        {
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: f.stack.resolve(fn.logGroup.logGroupArn),
        },
      ]);
      // Its role has no managed policy: nothing but the two statements above.
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
        }),
        ManagedPolicyArns: Match.absent(),
      });
    });

    it("on 'current-version-change', redeploys whenever AWSCURRENT moves (native Secret Label Updated event)", () => {
      const f = fixture();
      inject(f, { secrets: { API_KEY: { secret: f.apiKey } }, redeployOn: 'current-version-change' });
      const pattern = onlyEventPattern(Template.fromStack(f.stack));
      expect(pattern).toEqual({
        source: ['aws.secretsmanager'],
        'detail-type': ['Secret Label Updated'],
        resources: [API_ARN],
        detail: { labelUpdated: ['AWSCURRENT'] },
      });
      const labelUpdated = (resource: string, label: string) => ({
        source: 'aws.secretsmanager',
        'detail-type': 'Secret Label Updated',
        resources: [resource],
        detail: { name: 'prod/billing/api', labelUpdated: label, versionId: 'a1b2c3d4' },
      });
      expect(matches(pattern, labelUpdated(API_ARN, 'AWSCURRENT'))).toBe(true);
      expect(matches(pattern, labelUpdated(API_ARN, 'CANARY'))).toBe(false);
      expect(matches(pattern, labelUpdated(OTHER_ARN, 'AWSCURRENT'))).toBe(false);
    });

    it('creates no rule and no function without a service', () => {
      const f = fixture();
      const injection = inject(f, { service: undefined });
      const template = Template.fromStack(f.stack);
      template.resourceCountIs('AWS::Events::Rule', 0);
      template.resourceCountIs('AWS::Lambda::Function', 0);
      expect(injection.redeployRule).toBeUndefined();
      expect(injection.redeployFunction).toBeUndefined();
    });
  });

  describe('props', () => {
    let attempt = 0;
    const secretsOf = (f: Fixture, secrets: Record<string, EcsSecretSource>) => () =>
      new EcsSecretsInjection(f.stack, `Bad${(attempt += 1)}`, { container: f.container, secrets });

    it('refuses a name that is not an environment variable name, naming the prop and the value', () => {
      const f = fixture();
      const error = propsError(secretsOf(f, { 'db-password': { secret: f.database } }));
      expect(error.prop).toBe('secrets.db-password');
      expect(error.message).toBe(
        'EcsSecretsInjection: secrets.db-password must be an environment variable name (A-Z, 0-9, _, not starting with a digit); got "db-password".',
      );
      expect(propsError(secretsOf(f, { '1PASSWORD': { secret: f.database } })).prop).toBe(
        'secrets.1PASSWORD',
      );
      expect(propsError(secretsOf(f, { password: { secret: f.database } })).prop).toBe('secrets.password');
    });

    it('refuses a name the container already has as a plain variable or a secret', () => {
      const f = fixture(new App(), { environment: { MODE: 'prod' } });
      const plain = propsError(secretsOf(f, { MODE: { secret: f.database } }));
      expect(plain.prop).toBe('secrets.MODE');
      expect(plain.message).toMatch(/already a plain environment variable of container App; got "MODE"/);
      f.container.addSecret('TOKEN', ecs.Secret.fromSecretsManager(f.apiKey));
      expect(propsError(secretsOf(f, { TOKEN: { secret: f.database } })).message).toMatch(/already a secret/);
    });

    it('refuses an empty map', () => {
      const f = fixture();
      const error = propsError(secretsOf(f, {}));
      expect(error.prop).toBe('secrets');
      expect(error.message).toBe('EcsSecretsInjection: secrets must name at least one variable; got {}.');
    });

    it('refuses a secret known only by name or partial ARN, and a field with a colon or empty', () => {
      const f = fixture();
      const byName = secretsmanager.Secret.fromSecretNameV2(f.stack, 'ByName', 'prod/billing/api');
      expect(propsError(secretsOf(f, { API_KEY: { secret: byName } })).prop).toBe('secrets.API_KEY.secret');
      expect(propsError(secretsOf(f, { A: { secret: f.database, field: 'a:b' } })).prop).toBe(
        'secrets.A.field',
      );
      expect(propsError(secretsOf(f, { A: { secret: f.database, field: '' } })).prop).toBe('secrets.A.field');
    });

    it('refuses a service that runs another task definition, or that nothing could redeploy', () => {
      const f = fixture();
      const otherTask = new ecs.FargateTaskDefinition(f.stack, 'OtherTask');
      otherTask.addContainer('Other', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/x/y') });
      const other = new ecs.FargateService(f.stack, 'Other', {
        cluster: f.cluster,
        taskDefinition: otherTask,
      });
      const wrong = propsError(
        () =>
          new EcsSecretsInjection(f.stack, 'A', {
            container: f.container,
            service: other,
            secrets: { DB: { secret: f.database } },
          }),
      );
      expect(wrong.prop).toBe('service');
      const onlySsm = propsError(
        () =>
          new EcsSecretsInjection(f.stack, 'B', {
            container: f.container,
            service: f.service,
            secrets: { FLAG: { parameter: f.flag } },
          }),
      );
      expect(onlySsm.prop).toBe('service');
      const noService = propsError(
        () =>
          new EcsSecretsInjection(f.stack, 'C', {
            container: f.container,
            redeployOn: 'rotation',
            secrets: { DB: { secret: f.database } },
          }),
      );
      expect(noService.prop).toBe('redeployOn');
    });

    it('fails synthesis when the container gets one of the names again afterwards', () => {
      const f = fixture();
      inject(f, { service: undefined });
      f.container.addEnvironment('DB_PASSWORD', 'not-here');
      expect(() => Template.fromStack(f.stack)).toThrow(/DB_PASSWORD was given to container App again/);
    });
  });

  describe('cdk-nag AwsSolutions (RELIABILITY 24)', () => {
    it('reports a finding nobody acknowledged on this stack (the check is live)', () => {
      const app = nagApp();
      const f = fixture(app, { environment: { MODE: 'prod' } });
      inject(f);
      expect(() => app.synth()).toThrow(/AwsSolutions-ECS2/);
    });

    it('finds nothing unacknowledged in a service wired with secrets and redeployment', () => {
      const app = nagApp();
      const f = fixture(app);
      inject(f);
      acknowledge(
        f.database,
        'AwsSolutions-SMG4',
        'Test scaffolding: this secret only feeds the injection under test; rotating it is SecretRotation, tested on its own.',
      );
      expectNagClean(app);
    });
  });
});
