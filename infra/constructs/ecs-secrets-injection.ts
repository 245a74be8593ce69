import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { propsChecker, shown } from './props';
import { viaService, type KeyService } from './via-service';

/** One JSON field (or the whole value) of a Secrets Manager secret. */
export interface EcsSecretsManagerSource {
  /** The secret, known by its complete ARN (ECS `valueFrom` needs the 6-character suffix). */
  readonly secret: secretsmanager.ISecret;
  /**
   * The JSON key whose value the variable gets (`<arn>:<field>::` in the task definition).
   * @default - the whole secret value
   */
  readonly field?: string;
  /**
   * The key the secret is encrypted with, when the ISecret does not carry it (an imported
   * secret): the execution role may use it through Secrets Manager only.
   * @default - the secret's own `encryptionKey`, if any (CDK grants that one already)
   */
  readonly encryptionKey?: kms.IKey;
}

/** An SSM Parameter Store parameter, usually a SecureString. */
export interface EcsSsmParameterSource {
  readonly parameter: ssm.IParameter;
  /**
   * The customer managed key of a SecureString: the execution role may use it through SSM only.
   * @default - the parameter's own `encryptionKey` if any, else the AWS managed key `aws/ssm`
   */
  readonly encryptionKey?: kms.IKey;
}

/** Where a container secret comes from. */
export type EcsSecretSource = EcsSecretsManagerSource | EcsSsmParameterSource;

/**
 * What counts as "the value changed" for a redeployment.
 * - `rotation`: a rotation of the secret succeeded (CloudTrail `RotationSucceeded`, delivered
 *   by EventBridge as an "AWS Service Event via CloudTrail", best effort).
 * - `current-version-change`: AWSCURRENT moved to another version for any reason: a
 *   rotation, a manual PutSecretValue, a rollback (Secrets Manager's native
 *   `Secret Label Updated` event, which needs no CloudTrail).
 */
export type EcsRedeployTrigger = 'rotation' | 'current-version-change';

export interface EcsSecretsInjectionProps {
  /** The container that receives the variables. */
  readonly container: ecs.ContainerDefinition;
  /** Environment variable name -> where its value comes from. At least one. */
  readonly secrets: Readonly<Record<string, EcsSecretSource>>;
  /**
   * The service (running the container's task definition) to redeploy when one of the
   * Secrets Manager secrets changes: ECS reads `secrets` only when a task starts, so running
   * tasks keep the old value until a new deployment.
   * @default - no redeployment: tasks pick up new values only when they are replaced
   */
  readonly service?: ecs.BaseService;
  /**
   * Which change of a secret redeploys `service`. Used only with `service`.
   * @default 'rotation'
   */
  readonly redeployOn?: EcsRedeployTrigger;
}

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** The inline redeploy function: one UpdateService call with forceNewDeployment. */
export const REDEPLOY_CODE = `
const { ECSClient, UpdateServiceCommand } = require('@aws-sdk/client-ecs');
const ecs = new ECSClient({});
exports.handler = async () => {
  await ecs.send(new UpdateServiceCommand({ cluster: process.env.CLUSTER, service: process.env.SERVICE, forceNewDeployment: true }));
  return { redeployed: process.env.SERVICE };
};
`;

const isSecretsManager = (source: EcsSecretSource): source is EcsSecretsManagerSource => 'secret' in source;

/**
 * Gives an ECS container secrets as `valueFrom` references (never values in the task
 * definition), lets the task execution role read exactly those (and decrypt only through
 * Secrets Manager or SSM), and, given a service, forces a new deployment after each change
 * so that running tasks pick up the new value.
 *
 * @example
 * new EcsSecretsInjection(this, 'DbSecrets', {
 *   container,
 *   service,
 *   secrets: {
 *     DB_USER: { secret: database, field: 'username' },
 *     DB_PASSWORD: { secret: database, field: 'password' },
 *     FEATURE_KEY: { parameter: featureKeyParameter, encryptionKey: key },
 *   },
 * });
 */
export class EcsSecretsInjection extends Construct {
  /** The rule that redeploys `service`; undefined without `service`. */
  readonly redeployRule?: events.Rule;
  /** The function the rule invokes to call UpdateService; undefined without `service`. */
  readonly redeployFunction?: lambda.Function;

  constructor(scope: Construct, id: string, props: EcsSecretsInjectionProps) {
    super(scope, id);
    const check = propsChecker('EcsSecretsInjection');
    const entries = Object.entries(props.secrets);
    if (entries.length === 0) check.fail('secrets', 'must name at least one variable; got {}.');
    const existing = containerVariables(props.container);
    for (const [name, source] of entries) {
      const prop = `secrets.${name}`;
      check.matches(
        prop,
        name,
        ENV_NAME,
        'an environment variable name (A-Z, 0-9, _, not starting with a digit)',
      );
      if (existing.plain.includes(name) || existing.secrets.includes(name)) {
        const kind = existing.plain.includes(name) ? 'plain environment variable' : 'secret';
        check.fail(
          prop,
          `is already a ${kind} of container ${props.container.containerName}; got ${shown(name)}.`,
        );
      }
      if (isSecretsManager(source)) {
        if (source.secret.secretFullArn === undefined) {
          check.fail(
            `${prop}.secret`,
            `must be known by its complete ARN (ECS valueFrom and rotation events use it); got ${shown(source.secret.secretArn)}, imported by name or partial ARN. Import it with Secret.fromSecretCompleteArn.`,
          );
        }
        if (
          source.field !== undefined &&
          !Token.isUnresolved(source.field) &&
          !/^[^:]+$/.test(source.field)
        ) {
          check.fail(
            `${prop}.field`,
            `must be a non-empty JSON key without ':'; got ${shown(source.field)}.`,
          );
        }
      }
    }
    const rotating = entries.map(([, source]) => source).filter(isSecretsManager);
    if (props.service !== undefined) {
      if (props.service.taskDefinition !== props.container.taskDefinition) {
        check.fail(
          'service',
          `must run the container's task definition (${props.container.taskDefinition.node.path}); got a service running ${props.service.taskDefinition.node.path}.`,
        );
      }
      if (rotating.length === 0) {
        check.fail(
          'service',
          'is given, but no entry of secrets comes from Secrets Manager, so nothing would redeploy it; drop service or add a secret.',
        );
      }
    } else if (props.redeployOn !== undefined) {
      check.fail('redeployOn', `needs service; got ${shown(props.redeployOn)} without a service.`);
    }
    if (
      props.redeployOn !== undefined &&
      !['rotation', 'current-version-change'].includes(props.redeployOn)
    ) {
      check.fail(
        'redeployOn',
        `must be 'rotation' or 'current-version-change'; got ${shown(props.redeployOn)}.`,
      );
    }

    const executionRole = props.container.taskDefinition.obtainExecutionRole();
    for (const [name, source] of entries) {
      if (isSecretsManager(source)) {
        // CDK grants GetSecretValue + DescribeSecret on the secret and, for the secret's own
        // key, kms:Decrypt through Secrets Manager.
        props.container.addSecret(name, ecs.Secret.fromSecretsManager(source.secret, source.field));
        if (source.encryptionKey !== undefined && source.encryptionKey !== source.secret.encryptionKey) {
          executionRole.addToPrincipalPolicy(decryptVia(this, source.encryptionKey, 'secretsmanager'));
        }
      } else {
        props.container.addSecret(name, ecs.Secret.fromSsmParameter(source.parameter));
        if (source.encryptionKey !== undefined) {
          executionRole.addToPrincipalPolicy(decryptVia(this, source.encryptionKey, 'ssm'));
        }
      }
    }
    // A variable of the same name added to the container later would clash at deploy time.
    const names = entries.map(([name]) => name);
    this.node.addValidation({
      validate: () => {
        const now = containerVariables(props.container);
        return names
          .filter(
            (name) => now.plain.includes(name) || now.secrets.filter((other) => other === name).length > 1,
          )
          .map(
            (name) =>
              `EcsSecretsInjection: ${name} was given to container ${props.container.containerName} again after this construct added it as a secret.`,
          );
      },
    });

    if (props.service === undefined) return;
    const service = props.service;
    const arns = [...new Set(rotating.map((source) => source.secret.secretFullArn as string))];
    const logGroup = new logs.LogGroup(this, 'RedeployLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, 'RedeployRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'keystage: force a new deployment of one ECS service after its secrets change',
    });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['ecs:UpdateService'], resources: [service.serviceArn] }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    this.redeployFunction = new lambda.Function(this, 'Redeploy', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(REDEPLOY_CODE),
      role,
      timeout: Duration.seconds(30),
      description: 'keystage: force a new deployment so tasks read the changed secrets',
      environment: { CLUSTER: service.cluster.clusterName, SERVICE: service.serviceName },
      logGroup,
    });
    this.redeployRule = new events.Rule(this, 'RedeployRule', {
      description: `keystage: a secret that ${service.node.path} reads changed`,
      eventPattern: redeployPattern(props.redeployOn ?? 'rotation', arns),
      targets: [new targets.LambdaFunction(this.redeployFunction, { retryAttempts: 4 })],
    });
  }
}

/** The variable names a container has so far: plain environment variables and secrets. */
function containerVariables(container: ecs.ContainerDefinition): { plain: string[]; secrets: string[] } {
  const rendered = container.renderContainerDefinition();
  const names = (list: unknown, key: 'name'): string[] =>
    Array.isArray(list)
      ? list.flatMap((entry: Record<string, unknown>) =>
          typeof entry[key] === 'string' ? [entry[key] as string] : [],
        )
      : [];
  return { plain: names(rendered.environment, 'name'), secrets: names(rendered.secrets, 'name') };
}

function decryptVia(scope: Construct, key: kms.IKey, service: KeyService): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['kms:Decrypt'],
    resources: [key.keyArn],
    conditions: viaService(scope, service),
  });
}

function redeployPattern(trigger: EcsRedeployTrigger, arns: string[]): events.EventPattern {
  if (trigger === 'current-version-change') {
    // Native event, no CloudTrail needed: AWSCURRENT moved; the secret's ARN is in `resources`.
    return {
      source: ['aws.secretsmanager'],
      detailType: ['Secret Label Updated'],
      resources: arns,
      detail: { labelUpdated: ['AWSCURRENT'] },
    };
  }
  // RotationSucceeded is a service event; the secret's ARN is in additionalEventData.SecretId.
  // Events before February 2024 spelled the ARN key `aRN`, so both spellings are matched
  // wherever an event carries the ARN under such a key.
  return {
    source: ['aws.secretsmanager'],
    detailType: ['AWS Service Event via CloudTrail', 'AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['secretsmanager.amazonaws.com'],
      eventName: ['RotationSucceeded'],
      $or: [
        { additionalEventData: { SecretId: arns } },
        { responseElements: { arn: arns } },
        { responseElements: { aRN: arns } },
        { serviceEventDetails: { arn: arns } },
        { serviceEventDetails: { aRN: arns } },
      ],
    },
  };
}
