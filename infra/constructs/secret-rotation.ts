import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { isKeystageError } from '../../lib/errors';
import { resolvePasswordPolicy } from '../../lib/generate/password';
import { repoRoot } from '../paths';
import { acknowledge, propsChecker, shown } from './props';

/** The bundled rotation functions (README, "Rotation functions"). */
export type RotationStrategyName =
  'generic' | 'postgres-single' | 'postgres-alternating' | 'mysql-single' | 'mysql-alternating';

const STRATEGIES: readonly RotationStrategyName[] = [
  'generic',
  'postgres-single',
  'postgres-alternating',
  'mysql-single',
  'mysql-alternating',
];

/** When rotations run (UTC). Exactly one of `every` and `cron`. */
export interface RotationScheduleProps {
  /**
   * A period of whole hours (4 to 23) or whole days (1 to 1000), rendered as
   * `rate(N hours)` or `rate(N days)`. Secrets Manager opens rate windows at midnight UTC.
   * @default - none; give this or `cron`
   */
  readonly every?: Duration;
  /**
   * A Secrets Manager `cron(0 <hours> <day-of-month> <month> <day-of-week> *)` expression:
   * windows open on the hour (minutes 0), the year is `*`, and exactly one of day-of-month
   * and day-of-week is `?`.
   * @default - none; give this or `every`
   */
  readonly cron?: string;
  /**
   * How long after it opens a rotation may start: whole hours, 1 to 24. It may not run into
   * the next UTC day nor, for an hourly rate, into the next window.
   * @default Duration.hours(4)
   */
  readonly window?: Duration;
  /**
   * With `cron`: the longest time between two window openings (a weekly cron: 7 days). A cron
   * expression's period is not derived here, so the staleness alarm (`maxInterval`) needs it.
   * @default - required with `cron`, refused with `every` (the period is `every`)
   */
  readonly expectedInterval?: Duration;
}

/** Settings the handlers read from their environment. Never a secret value. */
export interface RotationEnvironmentProps {
  /**
   * `PASSWORD_LENGTH`: length of generated passwords, 8 to 4096.
   * @default 32 (the handlers' default)
   */
  readonly passwordLength?: number;
  /**
   * `EXCLUDE_CHARACTERS`: characters generated passwords never use; replaces the default set.
   * @default - space and every symbol but `- _ .` (the handlers' default)
   */
  readonly excludeCharacters?: string;
  /**
   * `GENERIC_KIND`, generic strategy only.
   * @default 'password'
   */
  readonly genericKind?: 'password' | 'api-key' | 'symmetric-key';
  /**
   * `JSON_FIELD`, generic strategy only: rotate this field of a JSON secret.
   * @default - the whole value
   */
  readonly jsonField?: string;
  /**
   * `API_KEY_PREFIX`, generic strategy with `genericKind: 'api-key'` only: 2 to 16 lowercase
   * letters or digits, starting with a letter.
   * @default 'ks'
   */
  readonly apiKeyPrefix?: string;
  /**
   * `DB_CONNECT_TIMEOUT_MS`, database strategies only; shorter than the function timeout.
   * @default Duration.seconds(5)
   */
  readonly connectTimeout?: Duration;
  /**
   * `DB_QUERY_TIMEOUT_MS`, database strategies only; shorter than the function timeout.
   * @default Duration.seconds(10)
   */
  readonly queryTimeout?: Duration;
}

export interface SecretRotationProps {
  /** The secret to rotate. */
  readonly secret: secretsmanager.ISecret;
  /** Which bundled function rotates it. */
  readonly strategy: RotationStrategyName;
  /** When it rotates. */
  readonly schedule: RotationScheduleProps;
  /**
   * The customer managed key the secret is encrypted with; the role may use it only through
   * Secrets Manager (`kms:ViaService`).
   * @default - the secret's own `encryptionKey`; none (the AWS managed key) if it has none
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The secret of the user that changes the others' passwords. Required for
   * `*-alternating`, refused for every other strategy.
   * @default - none
   */
  readonly masterSecret?: secretsmanager.ISecret;
  /**
   * The customer managed key of `masterSecret`; only with `masterSecret`.
   * @default - the master secret's own `encryptionKey`; none (the AWS managed key) if it has none
   */
  readonly masterEncryptionKey?: kms.IKey;
  /**
   * Rotate as soon as the schedule is created or changed (`RotateImmediatelyOnUpdate`).
   * @default false (the first rotation waits for the first window)
   */
  readonly rotateImmediately?: boolean;
  /**
   * Runs the function in this VPC, to reach a private database. It then needs a route to
   * Secrets Manager: a NAT gateway or a `secretsmanager` interface endpoint.
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets for the function; only with `vpc`.
   * @default - the VPC's private subnets (with egress if any, else isolated)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Security groups for the function; only with `vpc`.
   * @default - a new security group with no inbound rules and all outbound traffic allowed
   */
  readonly securityGroups?: readonly ec2.ISecurityGroup[];
  /**
   * Handler settings, rendered to environment variables.
   * @default - the handlers' defaults
   */
  readonly environment?: RotationEnvironmentProps;
  /**
   * Where the bundles are: `<bundleDir>/<strategy>/index.js`. When that file is missing (a
   * fresh clone), scripts/bundle-rotation-lambdas.mjs builds the bundles into it first.
   * @default <repository>/dist/rotation-lambdas (what `npm run build` writes)
   */
  readonly bundleDir?: string;
  /**
   * The function timeout, 1 second to 15 minutes.
   * @default Duration.minutes(1)
   */
  readonly timeout?: Duration;
}

// Secrets Manager cron: minutes 0, hours, day-of-month, month, day-of-week, year '*'.
const CRON = /^cron\(0 (\S+) (\S+) (\S+) (\S+) \*\)$/;
const API_KEY_PREFIX = /^[a-z][a-z0-9]{1,15}$/;

interface Schedule {
  readonly expression: string;
  readonly windowHours: number;
  readonly maxInterval: Duration;
}

/** Checks every prop before anything is created; returns the rendered schedule. */
function validate(props: SecretRotationProps): Schedule {
  const check = propsChecker('SecretRotation');
  if (!STRATEGIES.includes(props.strategy)) {
    check.fail('strategy', `must be one of ${STRATEGIES.join(', ')}; got ${shown(props.strategy)}.`);
  }
  const alternating = props.strategy.endsWith('-alternating');
  if (alternating && props.masterSecret === undefined) {
    check.fail('masterSecret', `is required for ${props.strategy}: alternating users need a master user.`);
  }
  if (!alternating && props.masterSecret !== undefined) {
    check.fail('masterSecret', `is only for alternating users; got one with ${props.strategy}.`);
  }
  if (props.masterEncryptionKey !== undefined && props.masterSecret === undefined) {
    check.fail('masterEncryptionKey', 'is the key of masterSecret; got one without masterSecret.');
  }
  if (props.vpc === undefined) {
    if (props.vpcSubnets !== undefined) check.fail('vpcSubnets', 'needs vpc; got subnets without one.');
    if (props.securityGroups !== undefined) {
      check.fail('securityGroups', 'needs vpc; got security groups without one.');
    }
  }
  const timeout = props.timeout ?? Duration.minutes(1);
  const timeoutMs = timeout.toMilliseconds();
  if (timeoutMs < 1000 || timeoutMs > 900_000) {
    check.fail('timeout', `must be from 1 second to 15 minutes; got ${shown(timeout)}.`);
  }

  const env = props.environment ?? {};
  if (!Token.isUnresolved(env.excludeCharacters) && !Token.isUnresolved(env.passwordLength)) {
    try {
      resolvePasswordPolicy({
        ...(env.passwordLength === undefined ? {} : { length: env.passwordLength }),
        ...(env.excludeCharacters === undefined ? {} : { excludeCharacters: env.excludeCharacters }),
      });
    } catch (error) {
      if (!isKeystageError(error, 'VALIDATION_ERROR')) throw error;
      const length = error.message.startsWith('length');
      const prop = length ? 'environment.passwordLength' : 'environment.excludeCharacters';
      const value = length ? env.passwordLength : env.excludeCharacters;
      check.fail(prop, `is not a usable password policy (${error.message}); got ${shown(value)}.`);
    }
  }
  if (props.strategy !== 'generic') {
    for (const name of ['genericKind', 'jsonField', 'apiKeyPrefix'] as const) {
      if (env[name] !== undefined) {
        check.fail(
          `environment.${name}`,
          `is for the generic strategy only; got one with ${props.strategy}.`,
        );
      }
    }
  } else {
    for (const name of ['connectTimeout', 'queryTimeout'] as const) {
      if (env[name] !== undefined) {
        check.fail(`environment.${name}`, 'is for database strategies only; got one with generic.');
      }
    }
  }
  if (env.genericKind !== undefined && !['password', 'api-key', 'symmetric-key'].includes(env.genericKind)) {
    check.fail(
      'environment.genericKind',
      `must be password, api-key or symmetric-key; got ${shown(env.genericKind)}.`,
    );
  }
  if (env.apiKeyPrefix !== undefined && env.genericKind !== 'api-key') {
    check.fail('environment.apiKeyPrefix', `needs genericKind api-key; got ${shown(env.genericKind)}.`);
  }
  check.matches(
    'environment.apiKeyPrefix',
    env.apiKeyPrefix,
    API_KEY_PREFIX,
    '2 to 16 lowercase letters or digits, starting with a letter',
  );
  check.matches('environment.jsonField', env.jsonField, /^.{1,256}$/s, 'a field name of 1 to 256 characters');
  for (const name of ['connectTimeout', 'queryTimeout'] as const) {
    const value = env[name];
    if (value === undefined) continue;
    const ms = value.toMilliseconds();
    if (!Number.isInteger(ms) || ms < 1 || ms >= timeoutMs) {
      check.fail(
        `environment.${name}`,
        `must be a whole number of milliseconds shorter than the timeout (${timeout.toHumanString()}); got ${shown(value)}.`,
      );
    }
  }

  const { every, cron, expectedInterval } = props.schedule;
  if ((every === undefined) === (cron === undefined)) {
    const got = every === undefined ? 'neither' : 'both';
    check.fail('schedule', `needs exactly one of every and cron; got ${got}.`);
  }
  const window = props.schedule.window ?? Duration.hours(4);
  const windowHours = window.toHours({ integral: false });
  if (!Number.isInteger(windowHours) || windowHours < 1 || windowHours > 24) {
    check.fail('schedule.window', `must be whole hours from 1 to 24; got ${shown(window)}.`);
  }
  if (every !== undefined) {
    if (expectedInterval !== undefined) {
      check.fail('schedule.expectedInterval', 'is only for cron; with every the period is every.');
    }
    const hours = every.toHours({ integral: false });
    const valid =
      hours > 0 &&
      (hours % 24 === 0 ? hours / 24 <= 1000 : Number.isInteger(hours) && hours >= 4 && hours < 24);
    if (!valid) {
      check.fail(
        'schedule.every',
        `must be whole hours from 4 to 23 or whole days from 1 to 1000; got ${shown(every)}.`,
      );
    }
    if (hours < 24 && windowHours > hours) {
      check.fail(
        'schedule.window',
        `must not run into the next window (every ${hours} hours); got ${shown(window)}.`,
      );
    }
    const expression =
      hours % 24 === 0 ? `rate(${plural(hours / 24, 'day')})` : `rate(${plural(hours, 'hour')})`;
    return { expression, windowHours, maxInterval: Duration.hours(hours + windowHours) };
  }
  if (!Token.isUnresolved(cron)) {
    const fields = CRON.exec(cron!);
    if (fields === null || (fields[2] === '?') === (fields[4] === '?')) {
      check.fail(
        'schedule.cron',
        'must be cron(0 <hours> <day-of-month> <month> <day-of-week> *) with exactly one of ' +
          `day-of-month and day-of-week "?"; got ${shown(cron)}.`,
      );
    }
    const hour = /^\d+$/.test(fields![1]!) ? Number(fields![1]) : undefined;
    if (hour !== undefined && (hour > 23 || hour + windowHours > 24)) {
      check.fail('schedule.window', `must end by midnight UTC (opens at ${hour}:00); got ${shown(window)}.`);
    }
  }
  if (expectedInterval === undefined) {
    check.fail(
      'schedule.expectedInterval',
      'is required with cron: it sets maxInterval for staleness alarms.',
    );
  }
  if (expectedInterval!.toHours({ integral: false }) < 4) {
    check.fail('schedule.expectedInterval', `must be at least 4 hours; got ${shown(expectedInterval)}.`);
  }
  return {
    expression: cron!,
    windowHours,
    maxInterval: Duration.hours(expectedInterval!.toHours({ integral: false }) + windowHours),
  };
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * The ARN to put in a policy: the full ARN, or for a secret known by name or partial ARN the
 * partial ARN and `-??????`, which matches exactly the six characters Secrets Manager appends.
 */
function policyArn(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}

/**
 * `<bundleDir>/<strategy>`, built first when its index.js is missing. The script bundles all
 * functions into a staging directory that is renamed into place, so parallel builds (jest
 * workers, say) never leave a half-written bundle where another process reads it.
 */
function bundleFor(bundleDir: string, strategy: RotationStrategyName): string {
  const dir = join(bundleDir, strategy);
  if (existsSync(join(dir, 'index.js'))) return dir;
  const root = repoRoot();
  const script = join(root, 'scripts', 'bundle-rotation-lambdas.mjs');
  if (!existsSync(script)) {
    propsChecker('SecretRotation').fail(
      'bundleDir',
      `has no ${strategy}/index.js and there is no ${script} to build it with; got ${shown(bundleDir)}.`,
    );
  }
  mkdirSync(bundleDir, { recursive: true });
  const staging = mkdtempSync(join(bundleDir, '.build-'));
  try {
    execFileSync(process.execPath, [script, '--outdir', staging], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (const name of readdirSync(staging)) {
      const target = join(bundleDir, name);
      if (existsSync(join(target, 'index.js'))) continue;
      try {
        renameSync(join(staging, name), target);
      } catch (error) {
        // Another build won the race: its bundle is complete, so keep it.
        if (!existsSync(join(target, 'index.js'))) throw error;
      }
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

/**
 * Rotation of one secret by a keystage bundled rotation function: the function (Node.js,
 * arm64, optionally in a VPC) with its own log group, a role with inline least-privilege
 * statements only, the invoke permission for Secrets Manager from this account, and the
 * rotation schedule, which depends on that permission so its first rotation never races it.
 *
 * @example
 * const rotation = new SecretRotation(stack, 'DbRotation', {
 *   secret: db.secret,
 *   strategy: 'postgres-single',
 *   schedule: { every: Duration.days(30), window: Duration.hours(4) },
 *   vpc,
 * });
 * new RotationMonitoring(stack, 'Monitoring', {
 *   secrets: [{ secret: db.secret, maxAge: rotation.maxInterval }],
 * });
 */
export class SecretRotation extends Construct {
  /** The rotation function. */
  readonly function: lambda.Function;
  /** The function's execution role. */
  readonly role: iam.Role;
  /** The `AWS::SecretsManager::RotationSchedule`. */
  readonly schedule: secretsmanager.CfnRotationSchedule;
  /** `rate(N days)`, `rate(N hours)` or the cron expression. */
  readonly scheduleExpression: string;
  /**
   * The longest a secret may go without rotating: the period (or, for cron, the
   * `expectedInterval`) plus the window. Give it to RotationMonitoring as `maxAge`.
   */
  readonly maxInterval: Duration;
  /** The secret this rotates. */
  readonly secret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: SecretRotationProps) {
    super(scope, id);
    const { expression, windowHours, maxInterval } = validate(props);
    const stack = Stack.of(this);
    this.secret = props.secret;
    this.scheduleExpression = expression;
    this.maxInterval = maxInterval;
    const database = props.strategy !== 'generic';
    const code = bundleFor(
      resolve(props.bundleDir ?? join(repoRoot(), 'dist', 'rotation-lambdas')),
      props.strategy,
    );

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `keystage ${props.strategy} rotation of one secret`,
    });
    const securityGroups =
      props.vpc === undefined
        ? undefined
        : (props.securityGroups ?? [
            new ec2.SecurityGroup(this, 'SecurityGroup', {
              vpc: props.vpc,
              description: `keystage ${props.strategy} rotation: no inbound, outbound to the database and Secrets Manager`,
              allowAllOutbound: true,
            }),
          ]);
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(code),
      role: this.role,
      timeout: props.timeout ?? Duration.minutes(1),
      memorySize: 256,
      description: `keystage ${props.strategy} rotation`,
      environment: renderEnvironment(props.environment ?? {}, database),
      logGroup,
      ...(props.vpc === undefined
        ? {}
        : { vpc: props.vpc, securityGroups: [...securityGroups!], vpcSubnets: props.vpcSubnets }),
    });

    // The calls the rotation protocol makes, on this secret only (AWS's documented rotation
    // policy). policyArn() gives the full ARN, or `<partial ARN>-??????` for a secret known by
    // name, which still matches this secret and no other.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        resources: [policyArn(props.secret)],
      }),
    );
    if (props.masterSecret !== undefined) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [policyArn(props.masterSecret)],
        }),
      );
    }
    const viaSecretsManager = {
      StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` },
    };
    const key = props.encryptionKey ?? props.secret.encryptionKey;
    if (key !== undefined) {
      // Decrypt to read versions, GenerateDataKey for PutSecretValue, only via Secrets Manager.
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
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] }),
    );
    if (props.vpc !== undefined) {
      // What AWSLambdaVPCAccessExecutionRole grants for the function's network interfaces,
      // without its logs:* part. Lambda needs them on *: the interface ids do not exist yet.
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
    }
    acknowledge(
      this.role,
      'AwsSolutions-IAM5[Resource::*]',
      props.vpc === undefined
        ? 'secretsmanager:GetRandomPassword acts on no resource, so IAM can only grant it on *.'
        : 'secretsmanager:GetRandomPassword acts on no resource, and Lambda creates, describes and deletes ' +
            'the VPC network interfaces (not yet existing, so unnamed) with ec2 actions IAM grants only on *.',
    );

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
    // Secrets Manager checks that it may invoke the function when the schedule is created.
    this.schedule.node.addDependency(permission);
  }

  /**
   * Lets `grantee` start a rotation of this secret (`secretsmanager:RotateSecret`), and only
   * while this function is the secret's rotation function
   * (`secretsmanager:resource/AllowRotationLambdaArn`).
   */
  grantRotate(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:RotateSecret'],
      resourceArns: [policyArn(this.secret)],
      conditions: {
        StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': this.function.functionArn },
      },
    });
  }
}

/** The variables the handlers read (README, "Rotation functions"): settings only. */
function renderEnvironment(env: RotationEnvironmentProps, database: boolean): Record<string, string> {
  const variables: Record<string, string> = {};
  if (env.passwordLength !== undefined) variables.PASSWORD_LENGTH = String(env.passwordLength);
  if (env.excludeCharacters !== undefined) variables.EXCLUDE_CHARACTERS = env.excludeCharacters;
  if (env.genericKind !== undefined) variables.GENERIC_KIND = env.genericKind;
  if (env.jsonField !== undefined) variables.JSON_FIELD = env.jsonField;
  if (env.apiKeyPrefix !== undefined) variables.API_KEY_PREFIX = env.apiKeyPrefix;
  if (env.connectTimeout !== undefined) {
    variables.DB_CONNECT_TIMEOUT_MS = String(env.connectTimeout.toMilliseconds());
  }
  if (env.queryTimeout !== undefined)
    variables.DB_QUERY_TIMEOUT_MS = String(env.queryTimeout.toMilliseconds());
  // TLS to the database verifies against the runtime's CA bundle, which holds the RDS CAs.
  if (database) variables.NODE_EXTRA_CA_CERTS = '/var/runtime/ca-cert.pem';
  return variables;
}
