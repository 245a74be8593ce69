import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge, propsChecker, shown } from '../props';
import { defaultBundleDir, rotationBundle } from './rotation-bundle';
import { grantRotate, grantRotationFunction, wildcardReason } from './rotation-grants';
import { renderSchedule, type RenderedSchedule, type RotationScheduleProps } from './rotation-schedule';
import { RotationStrategy } from './rotation-strategy';

export interface SecretRotationProps {
  /** The secret to rotate. */
  readonly secret: secretsmanager.ISecret;
  /**
   * Which bundled function rotates it, with its settings and, for alternating users, the master
   * secret: `RotationStrategy.postgresAlternating({ masterSecret })`.
   */
  readonly strategy: RotationStrategy;
  /** When it rotates. */
  readonly schedule: RotationScheduleProps;
  /**
   * The customer managed key the secret is encrypted with; the role may use it only through
   * Secrets Manager (`kms:ViaService`).
   * @default - the secret's own `encryptionKey`; none (the AWS managed key) if it has none
   */
  readonly encryptionKey?: kms.IKey;
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
   * Where the bundles are: `<bundleDir>/<strategy name>/index.js`. When that file is missing (a
   * fresh clone), scripts/bundle-rotation-lambdas.mjs builds the bundles into it first.
   * @default <repository>/dist/rotation-lambdas (what `npm run build` writes)
   */
  readonly bundleDir?: string;
  /**
   * The function timeout, 1 second to 15 minutes; longer than the strategy's database timeouts.
   * @default Duration.minutes(1)
   */
  readonly timeout?: Duration;
}

/** Checks the props that are not the schedule's, before anything is created. */
function validate(props: SecretRotationProps): Duration {
  const check = propsChecker('SecretRotation');
  if (!(props.strategy instanceof RotationStrategy)) {
    check.fail(
      'strategy',
      'must be a RotationStrategy (RotationStrategy.generic(), .postgresSingle(), .postgresAlternating({ masterSecret }), ' +
        `.mysqlSingle(), .mysqlAlternating({ masterSecret }), .certificate({ caSecret })); got ${shown(props.strategy)}.`,
    );
  }
  if (props.vpc === undefined) {
    if (props.vpcSubnets !== undefined) check.fail('vpcSubnets', 'needs vpc; got subnets without one.');
    if (props.securityGroups !== undefined) {
      check.fail('securityGroups', 'needs vpc; got security groups without one.');
    }
  }
  const timeout = props.timeout ?? Duration.minutes(1);
  const timeoutMs = timeout.toMilliseconds({ integral: false });
  if (timeoutMs < 1000 || timeoutMs > 900_000) {
    check.fail('timeout', `must be from 1 second to 15 minutes; got ${shown(timeout)}.`);
  }
  // A database wait as long as the function would end it before the step can report why.
  for (const option of ['connectTimeout', 'queryTimeout'] as const) {
    const value = props.strategy[option];
    if (value !== undefined && value.toMilliseconds({ integral: false }) >= timeoutMs) {
      check.fail(
        `strategy.${option}`,
        `must be shorter than the timeout (${timeout.toHumanString()}); got ${shown(value)}.`,
      );
    }
  }
  return timeout;
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
 *   strategy: RotationStrategy.postgresAlternating({ masterSecret: master.secret }),
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
  /** How it rotates. */
  readonly strategy: RotationStrategy;

  constructor(scope: Construct, id: string, props: SecretRotationProps) {
    super(scope, id);
    const timeout = validate(props);
    const { expression, windowHours, maxInterval }: RenderedSchedule = renderSchedule(props.schedule);
    const { strategy } = props;
    const stack = Stack.of(this);
    this.secret = props.secret;
    this.strategy = strategy;
    this.scheduleExpression = expression;
    this.maxInterval = maxInterval;
    const code = rotationBundle(props.bundleDir ?? defaultBundleDir(), strategy.name);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `keystage ${strategy.name} rotation of one secret`,
    });
    const securityGroups =
      props.vpc === undefined
        ? undefined
        : (props.securityGroups ?? [
            new ec2.SecurityGroup(this, 'SecurityGroup', {
              vpc: props.vpc,
              description: `keystage ${strategy.name} rotation: no inbound, outbound to the database and Secrets Manager`,
              allowAllOutbound: true,
            }),
          ]);
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(code),
      role: this.role,
      timeout,
      memorySize: 256,
      description: `keystage ${strategy.name} rotation`,
      environment: { ...strategy.environment },
      logGroup,
      ...(props.vpc === undefined
        ? {}
        : { vpc: props.vpc, securityGroups: [...securityGroups!], vpcSubnets: props.vpcSubnets }),
    });

    grantRotationFunction(this.role, {
      secret: props.secret,
      key: props.encryptionKey ?? props.secret.encryptionKey,
      masterSecret: strategy.masterSecret,
      masterKey: strategy.masterEncryptionKey ?? strategy.masterSecret?.encryptionKey,
      ...(strategy.caSecret === undefined
        ? {}
        : {
            caSecret: strategy.caSecret,
            ...((strategy.caEncryptionKey ?? strategy.caSecret.encryptionKey) === undefined
              ? {}
              : { caKey: strategy.caEncryptionKey ?? strategy.caSecret.encryptionKey }),
          }),
      logGroup,
      inVpc: props.vpc !== undefined,
    });
    acknowledge(this.role, 'AwsSolutions-IAM5[Resource::*]', wildcardReason(props.vpc !== undefined));

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
   * @example
   * rotation.grantRotate(operatorRole);
   */
  grantRotate(grantee: iam.IGrantable): iam.Grant {
    return grantRotate(grantee, this.secret, this.function);
  }
}
