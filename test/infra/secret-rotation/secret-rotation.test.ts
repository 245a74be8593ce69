import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { InfraPropsError, RotationStrategy, SecretRotation, type SecretRotationProps } from '../../../infra';
import { repoRoot } from '../../../infra/paths';
import { expectNagClean, nagApp } from '../../support/nag';
import { scanTemplate } from '../../support/template-scan';
import { fixture, rotation, statementsOf, variablesOf, type Fixture } from './fixture';

const DEFAULT_BUNDLES = join(repoRoot(), 'dist', 'rotation-lambdas');

/** An alternating-users rotation with the fixture's master secret. */
function alternating(factory: 'postgresAlternating' | 'mysqlAlternating' = 'postgresAlternating') {
  return rotation((f) => ({ strategy: RotationStrategy[factory]({ masterSecret: f.master }) }));
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

    it.each([
      ['postgresSingle', 'postgres-single'],
      ['mysqlSingle', 'mysql-single'],
    ] as const)('deploys the %s strategy as the %s bundle', (factory, bundle) => {
      const fromAsset = jest.spyOn(lambda.Code, 'fromAsset');
      rotation({ strategy: RotationStrategy[factory]() });
      expect(fromAsset).toHaveBeenCalledWith(join(DEFAULT_BUNDLES, bundle));
      fromAsset.mockRestore();
    });

    it('renders the database settings to the variables the handlers read, with the RDS CA bundle', () => {
      const { template } = rotation({
        strategy: RotationStrategy.postgresSingle({
          passwordLength: 40,
          excludeCharacters: ' /@"\'\\',
          connectTimeout: Duration.seconds(3),
          queryTimeout: Duration.seconds(8),
        }),
      });
      expect(variablesOf(template)).toEqual({
        PASSWORD_LENGTH: '40',
        EXCLUDE_CHARACTERS: ' /@"\'\\',
        DB_CONNECT_TIMEOUT_MS: '3000',
        DB_QUERY_TIMEOUT_MS: '8000',
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      });
    });

    it('renders the generic settings, and no CA bundle for a function that reaches no database', () => {
      const { template } = rotation({
        strategy: RotationStrategy.generic({ kind: 'api-key', jsonField: 'apiKey', apiKeyPrefix: 'acme' }),
      });
      expect(variablesOf(template)).toEqual({
        GENERIC_KIND: 'api-key',
        JSON_FIELD: 'apiKey',
        API_KEY_PREFIX: 'acme',
      });
    });

    it('puts no secret value, and no reference to one, in its environment (RELIABILITY 23)', () => {
      const { template, stack, secret, master } = alternating('mysqlAlternating');
      expect(scanTemplate(template.toJSON())).toEqual([]);
      const variables = JSON.stringify(variablesOf(template));
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
      rotation({ strategy: RotationStrategy.generic() });
      const after = statSync(bundle);
      // A build renames a new directory into place: a new inode and a new modification time.
      expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
      expect(readdirSync(DEFAULT_BUNDLES).filter((name) => name.startsWith('.build-'))).toEqual([]);
    });

    it('builds every bundle into bundleDir when its strategy has none (a fresh clone)', () => {
      const bundleDir = mkdtempSync(join(tmpdir(), 'keystage-bundles-'));
      try {
        const fromAsset = jest.spyOn(lambda.Code, 'fromAsset');
        rotation({ strategy: RotationStrategy.mysqlSingle(), bundleDir });
        expect(fromAsset).toHaveBeenCalledWith(join(bundleDir, 'mysql-single'));
        fromAsset.mockRestore();
        expect(readdirSync(bundleDir).sort()).toEqual([
          'certificate',
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
        strategy: RotationStrategy.generic(),
        schedule: { every: Duration.days(7) },
      });
      const managed = new SecretRotation(f.stack, 'Managed', {
        secret: plain,
        strategy: RotationStrategy.generic(),
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
        strategy: RotationStrategy.generic(),
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
    it.each(['postgresAlternating', 'mysqlAlternating'] as const)(
      '%s reads the master secret, decrypting it with its key through Secrets Manager only',
      (factory) => {
        const { template, stack, r, master, masterKey } = alternating(factory);
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
      },
    );

    it('adds no second key statement when the master secret shares the secret’s key', () => {
      const f = fixture();
      const sharedMaster = new secretsmanager.Secret(f.stack, 'SharedMaster', { encryptionKey: f.key });
      const r = new SecretRotation(f.stack, 'R', {
        secret: f.secret,
        encryptionKey: f.key,
        strategy: RotationStrategy.mysqlAlternating({
          masterSecret: sharedMaster,
          masterEncryptionKey: f.key,
        }),
        schedule: { every: Duration.days(30) },
      });
      const statements = statementsOf(Template.fromStack(f.stack), f.stack, r.role) as Array<{
        Action: unknown;
      }>;
      expect(statements.filter((s) => JSON.stringify(s.Action).includes('kms:'))).toHaveLength(1);
    });

    it('reads no master secret with a single-user strategy', () => {
      const { template } = rotation();
      const reads = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
        (policy) =>
          (policy as { Properties: { PolicyDocument: { Statement: Array<{ Action: unknown }> } } }).Properties
            .PolicyDocument.Statement,
      );
      expect(reads.filter((s) => s.Action === 'secretsmanager:GetSecretValue')).toEqual([]);
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

    it('rotates on deployment only when asked to', () => {
      rotation({ rotateImmediately: true }).template.hasResourceProperties(
        'AWS::SecretsManager::RotationSchedule',
        { RotateImmediatelyOnUpdate: true },
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
        strategy: RotationStrategy.postgresSingle(),
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
        strategy: RotationStrategy.postgresSingle(),
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
      [
        'a strategy name instead of a RotationStrategy (the props before RotationStrategy)',
        () => ({ strategy: 'postgres-alternating' as never }),
        'strategy',
        /must be a RotationStrategy .*got "postgres-alternating"\./,
      ],
      [
        'a query timeout as long as the function timeout',
        () => ({
          timeout: Duration.seconds(30),
          strategy: RotationStrategy.postgresSingle({ queryTimeout: Duration.seconds(30) }),
        }),
        'strategy.queryTimeout',
        /shorter than the timeout \(30 seconds\); got 30 seconds\./,
      ],
      [
        'a connect timeout longer than the default function timeout',
        () => ({ strategy: RotationStrategy.mysqlSingle({ connectTimeout: Duration.minutes(2) }) }),
        'strategy.connectTimeout',
        /shorter than the timeout \(1 minute\); got 2 minutes\./,
      ],
      ['a timeout over 15 minutes', () => ({ timeout: Duration.minutes(20) }), 'timeout', /20 minutes/],
      ['a timeout under a second', () => ({ timeout: Duration.millis(500) }), 'timeout', /got 500 millis\./],
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
          strategy: RotationStrategy.postgresSingle(),
          schedule: { every: Duration.days(30) },
          ...props(f),
        });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InfraPropsError);
      expect(error).toMatchObject({
        construct: 'SecretRotation',
        prop,
        field: prop,
        code: 'VALIDATION_ERROR',
      });
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
        strategy: RotationStrategy.generic(),
        schedule: { cron: 'cron(0 4 ? * SUN *)', expectedInterval: Duration.days(7) },
      });
      new SecretRotation(f.stack, 'MasterRotation', {
        secret: f.master,
        strategy: RotationStrategy.postgresSingle(),
        schedule: { every: Duration.days(30) },
        vpc,
      });
      new SecretRotation(f.stack, 'Alternating', {
        secret: f.secret,
        strategy: RotationStrategy.postgresAlternating({ masterSecret: f.master }),
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
