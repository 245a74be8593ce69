import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { repoRoot } from '../paths';
import { acknowledge, propsChecker, shown } from './props';

export type RotationStrategyName =
  'generic' | 'postgres-single' | 'postgres-alternating' | 'mysql-single' | 'mysql-alternating';

const STRATEGIES: readonly RotationStrategyName[] = [
  'generic',
  'postgres-single',
  'postgres-alternating',
  'mysql-single',
  'mysql-alternating',
];

/** When rotations run. Exactly one of `every` and `cron`. */
export interface RotationScheduleProps {
  /** A period of whole hours (at least 4) or whole days (at most 1000). */
  readonly every?: Duration;
  /** A Secrets Manager `cron(...)` expression (six fields). */
  readonly cron?: string;
  /**
   * How many hours the rotation may take to start after its time, 1..24.
   * @default Duration.hours(4)
   */
  readonly window?: Duration;
  /**
   * For `cron`: the longest time between two rotations, for staleness alarms.
   * @default required with cron; the period with every
   */
  readonly expectedInterval?: Duration;
}

/** Environment the handlers read; never a secret. */
export interface RotationEnvironmentProps {
  /** @default 32 */
  readonly passwordLength?: number;
  /** @default keystage's safe set */
  readonly excludeCharacters?: string;
  /** generic only. @default 'password' */
  readonly genericKind?: 'password' | 'api-key' | 'symmetric-key';
  /** generic only. @default the whole value */
  readonly jsonField?: string;
  /** generic only. @default 'ks' */
  readonly apiKeyPrefix?: string;
  /** @default Duration.seconds(5) */
  readonly connectTimeout?: Duration;
  /** @default Duration.seconds(10) */
  readonly queryTimeout?: Duration;
}

export interface SecretRotationProps {
  readonly secret: secretsmanager.ISecret;
  readonly strategy: RotationStrategyName;
  readonly schedule: RotationScheduleProps;
  /**
   * The key the secret is encrypted with.
   * @default the secret's own encryptionKey, or the AWS managed key
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * For alternating users: the secret of the user that manages the others.
   * @default none (required for *-alternating, refused otherwise)
   */
  readonly masterSecret?: secretsmanager.ISecret;
  /** @default the master secret's own encryptionKey, or the AWS managed key */
  readonly masterEncryptionKey?: kms.IKey;
  /**
   * Rotate once as soon as the schedule is deployed.
   * @default false
   */
  readonly rotateImmediately?: boolean;
  /** @default not in a VPC (database strategies usually need one) */
  readonly vpc?: ec2.IVpc;
  /** @default the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default a new security group with outbound access only */
  readonly securityGroups?: readonly ec2.ISecurityGroup[];
  /** @default the handler defaults */
  readonly environment?: RotationEnvironmentProps;
  /**
   * Where the bundled handlers are (`<bundleDir>/<strategy>/index.js`); built when missing.
   * @default <repository>/dist/rotation-lambdas
   */
  readonly bundleDir?: string;
  /** @default Duration.minutes(1) */
  readonly timeout?: Duration;
}

const CRON = /^cron\((\S+ ){5}\S+\)$/;

/** Builds the handler bundles once per process when they are missing (a fresh clone). */
function ensureBundle(bundleDir: string, strategy: string, defaultDir: string): string {
  const dir = join(bundleDir, strategy);
  if (!existsSync(join(dir, 'index.js')) && bundleDir === defaultDir) {
    execFileSync(process.execPath, [join(repoRoot(), 'scripts', 'bundle-rotation-lambdas.mjs')], {
      cwd: repoRoot(),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  if (!existsSync(join(dir, 'index.js'))) {
    throw new Error(`SecretRotation: no bundle at ${dir}/index.js; run npm run build.`);
  }
  return dir;
}

/**
 * Rotation of one secret by keystage's bundled rotation function: the function (Node.js,
 * arm64, optionally in a VPC), a least-privilege role, the invoke permission for Secrets
 * Manager from this account, and the schedule, which depends on the permission so the
 * first rotation never races it.
 */
export class SecretRotation extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly schedule: secretsmanager.CfnRotationSchedule;
  readonly scheduleExpression: string;
  /** The longest a secret may go without rotating: the period plus the window. */
  readonly maxInterval: Duration;
  readonly secret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: SecretRotationProps) {
    super(scope, id);
    const check = propsChecker('SecretRotation');
    if (!STRATEGIES.includes(props.strategy)) {
      check.fail('strategy', `must be one of ${STRATEGIES.join(', ')}; got ${shown(props.strategy)}.`);
    }
    const alternating = props.strategy.endsWith('-alternating');
    if (alternating && props.masterSecret === undefined) {
      check.fail(
        'masterSecret',
        `is required for ${props.strategy}: alternating users need a user that manages them.`,
      );
    }
    if (!alternating && props.masterSecret !== undefined) {
      check.fail('masterSecret', `is only for alternating users; ${props.strategy} does not use it.`);
    }
    const { every, cron } = props.schedule;
    if ((every === undefined) === (cron === undefined)) {
      check.fail('schedule', 'needs exactly one of every and cron.');
    }
    let expression: string;
    let period: Duration;
    if (every !== undefined) {
      const hours = every.toHours({ integral: false });
      if (!Number.isInteger(hours) || hours < 4 || hours > 1000 * 24) {
        check.fail('schedule.every', `must be whole hours from 4 hours to 1000 days; got ${shown(every)}.`);
      }
      expression = hours % 24 === 0 ? `rate(${hours / 24} days)` : `rate(${hours} hours)`;
      period = every;
    } else {
      if (!Token.isUnresolved(cron!) && !CRON.test(cron!)) {
        check.fail('schedule.cron', `must be a cron(...) expression with six fields; got ${shown(cron)}.`);
      }
      if (props.schedule.expectedInterval === undefined) {
        check.fail('schedule.expectedInterval', 'is required with cron, for the staleness alarm.');
      }
      expression = cron!;
      period = props.schedule.expectedInterval!;
    }
    const window = props.schedule.window ?? Duration.hours(4);
    const windowHours = window.toHours({ integral: false });
    if (!Number.isInteger(windowHours) || windowHours < 1 || windowHours > 24) {
      check.fail('schedule.window', `must be whole hours from 1 to 24; got ${shown(window)}.`);
    }
    check.integer('environment.passwordLength', props.environment?.passwordLength, 8, 4096);

    const stack = Stack.of(this);
    this.secret = props.secret;
    this.scheduleExpression = expression;
    this.maxInterval = Duration.hours(period.toHours({ integral: false }) + windowHours);

    const defaultDir = join(repoRoot(), 'dist', 'rotation-lambdas');
    const code = ensureBundle(props.bundleDir ?? defaultDir, props.strategy, defaultDir);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `keystage ${props.strategy} rotation of one secret`,
    });
    const database = props.strategy !== 'generic';
    const env = props.environment ?? {};
    const variables: Record<string, string> = {
      ...(env.passwordLength === undefined ? {} : { PASSWORD_LENGTH: String(env.passwordLength) }),
      ...(env.excludeCharacters === undefined ? {} : { EXCLUDE_CHARACTERS: env.excludeCharacters }),
      ...(env.genericKind === undefined ? {} : { GENERIC_KIND: env.genericKind }),
      ...(env.jsonField === undefined ? {} : { JSON_FIELD: env.jsonField }),
      ...(env.apiKeyPrefix === undefined ? {} : { API_KEY_PREFIX: env.apiKeyPrefix }),
      ...(env.connectTimeout === undefined
        ? {}
        : { DB_CONNECT_TIMEOUT_MS: String(env.connectTimeout.toMilliseconds()) }),
      ...(env.queryTimeout === undefined
        ? {}
        : { DB_QUERY_TIMEOUT_MS: String(env.queryTimeout.toMilliseconds()) }),
      // The runtime's CA bundle, with the RDS certificate authorities, for TLS to the database.
      ...(database ? { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' } : {}),
    };
    const securityGroups =
      props.vpc === undefined
        ? undefined
        : [
            ...(props.securityGroups ?? [
              new ec2.SecurityGroup(this, 'SecurityGroup', {
                vpc: props.vpc,
                description: `keystage ${props.strategy} rotation: outbound only`,
                allowAllOutbound: true,
              }),
            ]),
          ];
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(code),
      role: this.role,
      timeout: props.timeout ?? Duration.minutes(1),
      memorySize: 256,
      description: `keystage ${props.strategy} rotation`,
      environment: variables,
      logGroup,
      ...(props.vpc === undefined
        ? {}
        : {
            vpc: props.vpc,
            vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            securityGroups,
          }),
    });

    // What the protocol calls, on this secret only (the AWS rotation policy, nothing more).
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        resources: [props.secret.secretArn],
      }),
    );
    if (props.masterSecret !== undefined) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [props.masterSecret.secretArn],
        }),
      );
    }
    const viaSecretsManager = {
      StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` },
    };
    const key = props.encryptionKey ?? props.secret.encryptionKey;
    if (key !== undefined) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [key.keyArn],
          conditions: viaSecretsManager,
        }),
      );
    }
    const masterKey = props.masterEncryptionKey ?? props.masterSecret?.encryptionKey;
    if (masterKey !== undefined && masterKey !== key) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [masterKey.keyArn],
          conditions: viaSecretsManager,
        }),
      );
    }
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    if (props.vpc !== undefined) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DeleteNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
      acknowledge(
        this.role,
        'AwsSolutions-IAM5[Resource::*]',
        'Lambda needs the EC2 network-interface actions on * to attach to the VPC, and GetRandomPassword has no resource.',
      );
    }
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] }),
    );
    if (props.vpc === undefined) {
      acknowledge(
        this.role,
        'AwsSolutions-IAM5[Resource::*]',
        'secretsmanager:GetRandomPassword has no resource; it can only be granted on *.',
      );
    }

    const permission = new lambda.CfnPermission(this, 'InvokePermission', {
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: stack.account,
    });
    this.schedule = new secretsmanager.CfnRotationSchedule(this, 'Schedule', {
      secretId: props.secret.secretArn,
      rotationLambdaArn: this.function.functionArn,
      rotateImmediatelyOnUpdate: props.rotateImmediately ?? false,
      rotationRules: { scheduleExpression: expression, duration: `${windowHours}h` },
    });
    // Secrets Manager checks it may invoke the function when the schedule is created.
    this.schedule.addResourceDependency(permission);
  }

  /**
   * Lets `grantee` start rotations of this secret, and only with this function
   * (`secretsmanager:resource/AllowRotationLambdaArn`).
   */
  grantRotate(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:RotateSecret'],
      resourceArns: [this.secret.secretArn],
      conditions: {
        StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': this.function.functionArn },
      },
    });
  }
}
