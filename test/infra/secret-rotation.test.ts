import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { InfraPropsError, SecretRotation, type SecretRotationProps } from '../../infra';
import { repoRoot } from '../../infra/paths';
import { expectNagClean, nagApp } from '../support/nag';
import { scanTemplate } from '../support/template-scan';

const ENV = { account: '123456789012', region: 'us-east-1' };
const DEFAULT_BUNDLES = join(repoRoot(), 'dist', 'rotation-lambdas');

/** A stack with a KMS key and two secrets encrypted with it (the app and the master user). */
function fixture(app: App = new App()) {
  const stack = new Stack(app, 'Test', { env: ENV });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const masterKey = new kms.Key(stack, 'MasterKey', { enableKeyRotation: true });
  const secret = new secretsmanager.Secret(stack, 'Db', { encryptionKey: key });
  const master = new secretsmanager.Secret(stack, 'Master', { encryptionKey: masterKey });
  return { app, stack, key, masterKey, secret, master };
}

type Fixture = ReturnType<typeof fixture>;

function rotation(props: Partial<SecretRotationProps> = {}) {
  const f = fixture();
  const r = new SecretRotation(f.stack, 'Rotation', {
    secret: f.secret,
    strategy: 'postgres-single',
    schedule: { every: Duration.days(30) },
    ...props,
  });
  return {
    ...f,
    r,
    /** Synthesises on first use: add constructs before reading it. */
    get template() {
      return Template.fromStack(f.stack);
    },
  };
}

/** The statements of the IAM policy attached to `role`. */
function statementsOf(template: Template, stack: Stack, role: iam.IRole): unknown[] {
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [stack.resolve(role.roleName)] },
    }),
  ) as Array<{ Properties: { PolicyDocument: { Statement: unknown[] } } }>;
  expect(policies).toHaveLength(1);
  return policies[0]!.Properties.PolicyDocument.Statement;
}

describe('SecretRotation', () => {
  describe('function', () => {
    it('runs the bundled handler for its strategy on Node.js arm64, with its own log group', () => {
      const fromAsset = jest.spyOn(lambda.Code, 'fromAsset');
      const { template, stack, r } = rotation();
      expect(fromAsset).toHaveBeenCalledWith(join(DEFAULT_BUNDLES, 'postgres-single'));
      fromAsset.mockRestore();
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Timeout: 60,
        Role: stack.resolve(r.role.roleArn),
        LoggingConfig: { LogGroup: Match.anyValue() },
      });
      template.hasResource('AWS::Logs::LogGroup', {
        Properties: { RetentionInDays: 90 },
        DeletionPolicy: 'Retain',
      });
    });

    it('renders the database settings to the variables the handlers read, with the RDS CA bundle', () => {
      const { template } = rotation({
        environment: {
          passwordLength: 40,
          excludeCharacters: ' /@"\'\\',
          connectTimeout: Duration.seconds(3),
          queryTimeout: Duration.seconds(8),
        },
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectEquals({
            PASSWORD_LENGTH: '40',
            EXCLUDE_CHARACTERS: ' /@"\'\\',
            DB_CONNECT_TIMEOUT_MS: '3000',
            DB_QUERY_TIMEOUT_MS: '8000',
            NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
          }),
        },
      });
    });

    it('renders the generic settings, and no CA bundle for a function that reaches no database', () => {
      const { template } = rotation({
        strategy: 'generic',
        environment: { genericKind: 'api-key', jsonField: 'apiKey', apiKeyPrefix: 'acme' },
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectEquals({
            GENERIC_KIND: 'api-key',
            JSON_FIELD: 'apiKey',
            API_KEY_PREFIX: 'acme',
          }),
        },
      });
    });

    it('puts no secret value, and no reference to one, in its environment (RELIABILITY 23)', () => {
      const { template, stack, secret, master } = alternating('mysql-alternating');
      expect(scanTemplate(template.toJSON())).toEqual([]);
      const [fn] = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{
        Properties: { Environment: { Variables: Record<string, unknown> } };
      }>;
      const variables = JSON.stringify(fn!.Properties.Environment.Variables);
      for (const forbidden of [
        '{{resolve:',
        'SecretString',
        JSON.stringify(stack.resolve(secret.secretArn)),
        JSON.stringify(stack.resolve(master.secretArn)),
      ]) {
        expect(variables).not.toContain(forbidden);
      }
    });

    it('reuses bundles that exist and does not build them again', () => {
      rotation(); // builds them if this process is the first to need them
      const bundle = join(DEFAULT_BUNDLES, 'generic', 'index.js');
      const before = statSync(bundle);
      rotation({ strategy: 'generic' });
      const after = statSync(bundle);
      // A build renames a new directory into place: a new inode and a new modification time.
      expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
      expect(readdirSync(DEFAULT_BUNDLES).filter((name) => name.startsWith('.build-'))).toEqual([]);
    });

    it('builds every bundle into bundleDir when its strategy has none (a fresh clone)', () => {
      const bundleDir = mkdtempSync(join(tmpdir(), 'keystage-bundles-'));
      try {
        const fromAsset = jest.spyOn(lambda.Code, 'fromAsset');
        rotation({ strategy: 'mysql-single', bundleDir });
        expect(fromAsset).toHaveBeenCalledWith(join(bundleDir, 'mysql-single'));
        fromAsset.mockRestore();
        expect(readdirSync(bundleDir).sort()).toEqual([
          'generic',
          'mysql-alternating',
          'mysql-single',
          'postgres-alternating',
          'postgres-single',
        ]);
        for (const name of readdirSync(bundleDir))
          expect(existsSync(join(bundleDir, name, 'index.js'))).toBe(true);
      } finally {
        rmSync(bundleDir, { recursive: true, force: true });
      }
    });
  });

  describe('role', () => {
    it('has no managed policy and only inline least-privilege statements on this secret and its key', () => {
      const { template, stack, r, secret, key } = rotation();
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
        },
        ManagedPolicyArns: Match.absent(),
      });
      const logGroup = r.function.logGroup;
      expect(statementsOf(template, stack, r.role)).toEqual([
        {
          Effect: 'Allow',
          Action: [
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetSecretValue',
            'secretsmanager:PutSecretValue',
            'secretsmanager:UpdateSecretVersionStage',
          ],
          Resource: stack.resolve(secret.secretArn),
        },
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: stack.resolve(key.keyArn),
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
        },
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: stack.resolve(logGroup.logGroupArn),
        },
        { Effect: 'Allow', Action: 'secretsmanager:GetRandomPassword', Resource: '*' },
      ]);
    });

    it('uses the secret’s own key when none is given, and no key statement for the AWS managed key', () => {
      const f = fixture();
      const plain = new secretsmanager.Secret(f.stack, 'Plain');
      const own = new SecretRotation(f.stack, 'Own', {
        secret: f.secret,
        strategy: 'generic',
        schedule: { every: Duration.days(7) },
      });
      const managed = new SecretRotation(f.stack, 'Managed', {
        secret: plain,
        strategy: 'generic',
        schedule: { every: Duration.days(7) },
      });
      const template = Template.fromStack(f.stack);
      expect(statementsOf(template, f.stack, own.role)).toContainEqual(
        expect.objectContaining({ Resource: f.stack.resolve(f.key.keyArn) }),
      );
      const actions = JSON.stringify(statementsOf(template, f.stack, managed.role));
      expect(actions).not.toContain('kms:');
    });

    it('names a secret known only by name with its partial ARN and exactly the six-character suffix', () => {
      const f = fixture();
      const byName = secretsmanager.Secret.fromSecretNameV2(f.stack, 'ByName', 'prod/billing/api');
      const r = new SecretRotation(f.stack, 'R', {
        secret: byName,
        strategy: 'generic',
        schedule: { every: Duration.days(7) },
      });
      const [first] = statementsOf(Template.fromStack(f.stack), f.stack, r.role) as Array<{
        Resource: unknown;
      }>;
      expect(first!.Resource).toEqual(f.stack.resolve(`${byName.secretArn}-??????`));
      expect(JSON.stringify(first!.Resource)).toContain(':secret:prod/billing/api-??????');
    });
  });

  describe('alternating users', () => {
    it('reads the master secret, decrypting it with its key through Secrets Manager only', () => {
      const { template, stack, r, master, masterKey } = alternating();
      expect(statementsOf(template, stack, r.role)).toEqual(
        expect.arrayContaining([
          {
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: stack.resolve(master.secretArn),
          },
          {
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: stack.resolve(masterKey.keyArn),
            Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
          },
        ]),
      );
    });

    it('adds no second key statement when the master secret shares the secret’s key', () => {
      const f = fixture();
      const sharedMaster = new secretsmanager.Secret(f.stack, 'SharedMaster', { encryptionKey: f.key });
      const r = new SecretRotation(f.stack, 'R', {
        secret: f.secret,
        encryptionKey: f.key,
        strategy: 'mysql-alternating',
        masterSecret: sharedMaster,
        masterEncryptionKey: f.key,
        schedule: { every: Duration.days(30) },
      });
      const statements = statementsOf(Template.fromStack(f.stack), f.stack, r.role) as Array<{
        Action: unknown;
      }>;
      expect(statements.filter((s) => JSON.stringify(s.Action).includes('kms:'))).toHaveLength(1);
    });
  });

  describe('invoke permission and schedule', () => {
    it('lets only Secrets Manager, from this account, invoke the function', () => {
      const { template, stack, r } = rotation();
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: stack.resolve(r.function.functionArn),
        Principal: 'secretsmanager.amazonaws.com',
        SourceAccount: '123456789012',
      });
    });

    it('creates the schedule only after the permission, with this function and a rate and window', () => {
      const { template, stack, r, secret } = rotation();
      const permissions = template.findResources('AWS::Lambda::Permission', {
        Properties: { Principal: 'secretsmanager.amazonaws.com' },
      });
      expect(Object.keys(permissions)).toHaveLength(1);
      const schedules = Object.values(
        template.findResources('AWS::SecretsManager::RotationSchedule'),
      ) as Array<{
        DependsOn?: string[];
        Properties: Record<string, unknown>;
      }>;
      expect(schedules).toHaveLength(1);
      expect(schedules[0]!.DependsOn).toEqual(expect.arrayContaining(Object.keys(permissions)));
      expect(schedules[0]!.Properties).toEqual({
        SecretId: stack.resolve(secret.secretArn),
        RotationLambdaARN: stack.resolve(r.function.functionArn),
        RotateImmediatelyOnUpdate: false,
        RotationRules: { ScheduleExpression: 'rate(30 days)', Duration: '4h' },
      });
      expect(r.scheduleExpression).toBe('rate(30 days)');
      expect(r.maxInterval.toHours()).toBe(30 * 24 + 4);
    });

    it.each([
      [{ every: Duration.days(1) }, 'rate(1 day)', '4h', 24 + 4],
      [{ every: Duration.hours(6), window: Duration.hours(2) }, 'rate(6 hours)', '2h', 6 + 2],
      [{ every: Duration.hours(4), window: Duration.hours(4) }, 'rate(4 hours)', '4h', 4 + 4],
      [{ every: Duration.days(1000), window: Duration.hours(24) }, 'rate(1000 days)', '24h', 1000 * 24 + 24],
      [
        { cron: 'cron(0 4 ? * SUN *)', window: Duration.hours(2), expectedInterval: Duration.days(7) },
        'cron(0 4 ? * SUN *)',
        '2h',
        7 * 24 + 2,
      ],
      [
        { cron: 'cron(0 */6 * * ? *)', window: Duration.hours(1), expectedInterval: Duration.hours(6) },
        'cron(0 */6 * * ? *)',
        '1h',
        6 + 1,
      ],
    ])(
      'renders schedule %p as %s with window %s and a maxInterval of %d hours',
      (schedule, expression, window, hours) => {
        const { template, r } = rotation({ schedule });
        template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
          RotationRules: { ScheduleExpression: expression, Duration: window },
        });
        expect(r.scheduleExpression).toBe(expression);
        expect(r.maxInterval.toHours()).toBe(hours);
      },
    );

    it('rotates on deployment only when asked to', () => {
      rotation({ rotateImmediately: true }).template.hasResourceProperties(
        'AWS::SecretsManager::RotationSchedule',
        {
          RotateImmediatelyOnUpdate: true,
        },
      );
    });

    it('uses the Lambda rotation function it deploys, not a hosted one', () => {
      rotation().template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        HostedRotationLambda: Match.absent(),
        RotationLambdaARN: Match.anyValue(),
      });
    });
  });

  describe('VPC', () => {
    function inVpc(props: Partial<SecretRotationProps> = {}) {
      const f = fixture();
      const vpc = ec2.Vpc.fromVpcAttributes(f.stack, 'Vpc', {
        vpcId: 'vpc-12345678',
        availabilityZones: ['us-east-1a', 'us-east-1b'],
        privateSubnetIds: ['subnet-11111111', 'subnet-22222222'],
      });
      const r = new SecretRotation(f.stack, 'R', {
        secret: f.secret,
        strategy: 'postgres-single',
        schedule: { every: Duration.days(30) },
        vpc,
        ...props,
      });
      return { ...f, vpc, r, template: Template.fromStack(f.stack) };
    }

    it('runs in the private subnets with a new security group that admits nothing', () => {
      const { template, stack, r } = inVpc();
      const groups = template.findResources('AWS::EC2::SecurityGroup');
      expect(Object.keys(groups)).toHaveLength(1);
      const [groupId] = Object.keys(groups);
      template.hasResourceProperties('AWS::Lambda::Function', {
        VpcConfig: {
          SubnetIds: ['subnet-11111111', 'subnet-22222222'],
          SecurityGroupIds: [{ 'Fn::GetAtt': [groupId, 'GroupId'] }],
        },
      });
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        VpcId: 'vpc-12345678',
        SecurityGroupIngress: Match.absent(),
        SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })],
      });
      template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
      expect(statementsOf(template, stack, r.role)).toContainEqual({
        Effect: 'Allow',
        Action: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        Resource: '*',
      });
      template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    });

    it('uses the security groups and subnets it is given instead', () => {
      const f = fixture();
      const vpc = ec2.Vpc.fromVpcAttributes(f.stack, 'Vpc', {
        vpcId: 'vpc-12345678',
        availabilityZones: ['us-east-1a', 'us-east-1b'],
        privateSubnetIds: ['subnet-11111111', 'subnet-22222222'],
      });
      const group = ec2.SecurityGroup.fromSecurityGroupId(f.stack, 'Group', 'sg-12345678');
      new SecretRotation(f.stack, 'R', {
        secret: f.secret,
        strategy: 'postgres-single',
        schedule: { every: Duration.days(30) },
        vpc,
        vpcSubnets: { subnets: [vpc.privateSubnets[1]!] },
        securityGroups: [group],
      });
      const template = Template.fromStack(f.stack);
      template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
      template.hasResourceProperties('AWS::Lambda::Function', {
        VpcConfig: { SubnetIds: ['subnet-22222222'], SecurityGroupIds: ['sg-12345678'] },
      });
    });

    it('has no network-interface permissions outside a VPC', () => {
      const { template } = rotation();
      expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('ec2:');
      template.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.absent() });
    });
  });

  describe('grantRotate', () => {
    it('allows RotateSecret on this secret only while this function is its rotation function', () => {
      const { stack, r, secret } = rotation();
      const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
      r.grantRotate(operator);
      expect(statementsOf(Template.fromStack(stack), stack, operator)).toEqual([
        {
          Effect: 'Allow',
          Action: 'secretsmanager:RotateSecret',
          Resource: stack.resolve(secret.secretArn),
          Condition: {
            StringEquals: {
              'secretsmanager:resource/AllowRotationLambdaArn': stack.resolve(r.function.functionArn),
            },
          },
        },
      ]);
    });
  });

  describe('props', () => {
    it.each<[string, (f: Fixture) => Partial<SecretRotationProps>, string, RegExp]>([
      ['an unknown strategy', () => ({ strategy: 'oracle' as never }), 'strategy', /"oracle"/],
      [
        'an alternating strategy without a master secret',
        () => ({ strategy: 'postgres-alternating' }),
        'masterSecret',
        /required for postgres-alternating/,
      ],
      [
        'a master secret with a single-user strategy',
        (f) => ({ strategy: 'mysql-single', masterSecret: f.master }),
        'masterSecret',
        /mysql-single/,
      ],
      [
        'a master key without a master secret',
        (f) => ({ masterEncryptionKey: f.masterKey }),
        'masterEncryptionKey',
        /without masterSecret/,
      ],
      [
        'both every and cron',
        () => ({ schedule: { every: Duration.days(1), cron: 'cron(0 4 * * ? *)' } }),
        'schedule',
        /got both/,
      ],
      ['neither every nor cron', () => ({ schedule: {} }), 'schedule', /got neither/],
      [
        'every 2 hours',
        () => ({ schedule: { every: Duration.hours(2) } }),
        'schedule.every',
        /got 2 hours\./,
      ],
      [
        'every 90 minutes',
        () => ({ schedule: { every: Duration.minutes(90) } }),
        'schedule.every',
        /got 1 hour 30 minutes\./,
      ],
      [
        'every 30 hours',
        () => ({ schedule: { every: Duration.hours(30) } }),
        'schedule.every',
        /got 1 day 6 hours\./,
      ],
      [
        'every 1001 days',
        () => ({ schedule: { every: Duration.days(1001) } }),
        'schedule.every',
        /1001 days/,
      ],
      [
        'a window over 24 hours',
        () => ({ schedule: { every: Duration.days(1), window: Duration.hours(25) } }),
        'schedule.window',
        /got 1 day 1 hour\./,
      ],
      [
        'a window of part of an hour',
        () => ({ schedule: { every: Duration.days(1), window: Duration.minutes(30) } }),
        'schedule.window',
        /30 minutes/,
      ],
      [
        'a window longer than an hourly period',
        () => ({ schedule: { every: Duration.hours(6), window: Duration.hours(8) } }),
        'schedule.window',
        /next window/,
      ],
      [
        'a cron window past midnight',
        () => ({
          schedule: {
            cron: 'cron(0 22 ? * SUN *)',
            window: Duration.hours(4),
            expectedInterval: Duration.days(7),
          },
        }),
        'schedule.window',
        /midnight/,
      ],
      ...(
        [
          'every sunday',
          'cron(0 4 * * * *)',
          'cron(0 4 ? * ? *)',
          'cron(15 4 ? * SUN *)',
          'cron(0 4 ? * SUN 2030)',
          'cron(0 4 ? * SUN)',
          'rate(7 days)',
        ] as const
      ).map(
        (cron) =>
          [
            `the cron expression ${cron}`,
            () => ({ schedule: { cron, expectedInterval: Duration.days(7) } }),
            'schedule.cron',
            new RegExp(cron.replace(/[()*?]/g, '\\$&')),
          ] as [string, (f: Fixture) => Partial<SecretRotationProps>, string, RegExp],
      ),
      [
        'cron without expectedInterval',
        () => ({ schedule: { cron: 'cron(0 4 ? * SUN *)' } }),
        'schedule.expectedInterval',
        /required with cron/,
      ],
      [
        'expectedInterval with every',
        () => ({ schedule: { every: Duration.days(7), expectedInterval: Duration.days(7) } }),
        'schedule.expectedInterval',
        /only for cron/,
      ],
      [
        'a password length of 4',
        () => ({ environment: { passwordLength: 4 } }),
        'environment.passwordLength',
        /got 4/,
      ],
      [
        'excluding every character',
        () => ({
          environment: {
            excludeCharacters:
              'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
          },
        }),
        'environment.excludeCharacters',
        /excludeCharacters/,
      ],
      [
        'a generic setting with a database strategy',
        () => ({ environment: { genericKind: 'api-key' } }),
        'environment.genericKind',
        /postgres-single/,
      ],
      [
        'a database timeout with the generic strategy',
        () => ({ strategy: 'generic', environment: { connectTimeout: Duration.seconds(2) } }),
        'environment.connectTimeout',
        /generic/,
      ],
      [
        'an API key prefix without api-key',
        () => ({ strategy: 'generic', environment: { apiKeyPrefix: 'acme' } }),
        'environment.apiKeyPrefix',
        /needs genericKind api-key/,
      ],
      [
        'an API key prefix that is not lowercase',
        () => ({ strategy: 'generic', environment: { genericKind: 'api-key', apiKeyPrefix: 'Acme!' } }),
        'environment.apiKeyPrefix',
        /"Acme!"/,
      ],
      [
        'a query timeout as long as the function timeout',
        () => ({ timeout: Duration.seconds(30), environment: { queryTimeout: Duration.seconds(30) } }),
        'environment.queryTimeout',
        /30 seconds/,
      ],
      ['a timeout over 15 minutes', () => ({ timeout: Duration.minutes(20) }), 'timeout', /20 minutes/],
      [
        'subnets without a VPC',
        () => ({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }),
        'vpcSubnets',
        /needs vpc/,
      ],
      ['security groups without a VPC', () => ({ securityGroups: [] }), 'securityGroups', /needs vpc/],
    ])('refuses %s, naming the prop and the value, before creating anything', (_what, props, prop, value) => {
      const f = fixture();
      let error: unknown;
      try {
        new SecretRotation(f.stack, 'Rotation', {
          secret: f.secret,
          strategy: 'postgres-single',
          schedule: { every: Duration.days(30) },
          ...props(f),
        });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InfraPropsError);
      expect(error).toMatchObject({ construct: 'SecretRotation', prop });
      expect((error as Error).message).toMatch(value);
      const template = Template.fromStack(f.stack);
      template.resourceCountIs('AWS::Lambda::Function', 0);
      template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    });
  });

  describe('cdk-nag AwsSolutions (RELIABILITY 24)', () => {
    it('finds nothing unacknowledged, with or without a VPC, single or alternating', () => {
      const app = nagApp();
      const f = fixture(app);
      const vpc = ec2.Vpc.fromVpcAttributes(f.stack, 'Vpc', {
        vpcId: 'vpc-12345678',
        availabilityZones: ['us-east-1a'],
        privateSubnetIds: ['subnet-11111111'],
      });
      new SecretRotation(f.stack, 'Generic', {
        secret: new secretsmanager.Secret(f.stack, 'Api', { encryptionKey: f.key }),
        strategy: 'generic',
        schedule: { cron: 'cron(0 4 ? * SUN *)', expectedInterval: Duration.days(7) },
      });
      new SecretRotation(f.stack, 'MasterRotation', {
        secret: f.master,
        strategy: 'postgres-single',
        schedule: { every: Duration.days(30) },
        vpc,
      });
      new SecretRotation(f.stack, 'Alternating', {
        secret: f.secret,
        strategy: 'postgres-alternating',
        masterSecret: f.master,
        schedule: { every: Duration.days(30) },
        vpc,
      });
      expectNagClean(app);
    });

    it('acknowledges only the wildcard resource finding, on the role, with its reason', () => {
      const { r } = rotation({ vpc: undefined });
      const acknowledged = r.role.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .map((entry) => entry.data as Record<string, string>);
      expect(acknowledged).toEqual([
        { 'Annotation::AwsSolutions-IAM5[Resource::*]': expect.stringMatching(/GetRandomPassword/) },
      ]);
    });
  });
});

/** An alternating-users rotation with the fixture's master secret. */
function alternating(strategy: 'postgres-alternating' | 'mysql-alternating' = 'postgres-alternating') {
  const f = fixture();
  const r = new SecretRotation(f.stack, 'Rotation', {
    secret: f.secret,
    strategy,
    masterSecret: f.master,
    schedule: { every: Duration.days(30) },
  });
  return { ...f, r, template: Template.fromStack(f.stack) };
}
