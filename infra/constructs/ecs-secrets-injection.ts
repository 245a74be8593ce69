import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
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

/** A Secrets Manager secret (optionally one JSON field of it) or an SSM SecureString. */
export type EcsSecretSource =
  | {
      readonly secret: secretsmanager.ISecret;
      /** @default the whole value */
      readonly field?: string;
      /** @default the secret's own encryptionKey */
      readonly encryptionKey?: kms.IKey;
    }
  | {
      readonly parameter: ssm.IParameter;
      /** @default the AWS managed key */
      readonly encryptionKey?: kms.IKey;
    };

export interface EcsSecretsInjectionProps {
  readonly container: ecs.ContainerDefinition;
  /** Environment variable name -> where its value comes from. */
  readonly secrets: Readonly<Record<string, EcsSecretSource>>;
  /**
   * The service to redeploy after a rotation of any of these secrets succeeds: ECS reads
   * `secrets` only when a task starts.
   * @default no redeployment
   */
  readonly service?: ecs.BaseService;
}

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

export const REDEPLOY_CODE = `
const { ECSClient, UpdateServiceCommand } = require('@aws-sdk/client-ecs');
const ecs = new ECSClient({});
exports.handler = async () => {
  await ecs.send(new UpdateServiceCommand({ cluster: process.env.CLUSTER, service: process.env.SERVICE, forceNewDeployment: true }));
  return { redeployed: process.env.SERVICE };
};
`;

/**
 * Gives an ECS container secrets as `valueFrom` references (never values in the task
 * definition), lets the task execution role read exactly those, and redeploys the service
 * after each successful rotation so running tasks pick up the new value.
 */
export class EcsSecretsInjection extends Construct {
  readonly redeployRule?: events.Rule;
  readonly redeployFunction?: lambda.Function;

  constructor(scope: Construct, id: string, props: EcsSecretsInjectionProps) {
    super(scope, id);
    const check = propsChecker('EcsSecretsInjection');
    const entries = Object.entries(props.secrets);
    if (entries.length === 0) check.fail('secrets', 'must name at least one variable; got {}.');
    const plain = new Set(Object.keys(props.container.environmentFiles ?? {}));
    const taskEnvironment =
      (props.container as unknown as { environment?: Record<string, string> }).environment ?? {};
    for (const name of Object.keys(taskEnvironment)) plain.add(name);
    for (const [name] of entries) {
      check.matches(`secrets.${name}`, name, ENV_NAME, 'an environment variable name (A-Z, 0-9, _)');
      if (plain.has(name))
        check.fail(
          `secrets.${name}`,
          `is also a plain environment variable of the container; got ${shown(name)}.`,
        );
    }

    const executionRole = props.container.taskDefinition.obtainExecutionRole();
    const stack = Stack.of(this);
    const viaService = (service: string) => ({
      StringEquals: { 'kms:ViaService': `${service}.${stack.region}.amazonaws.com` },
    });
    const rotated: secretsmanager.ISecret[] = [];
    for (const [name, source] of entries) {
      if ('secret' in source) {
        props.container.addSecret(name, ecs.Secret.fromSecretsManager(source.secret, source.field));
        rotated.push(source.secret);
        const key = source.encryptionKey ?? source.secret.encryptionKey;
        if (key !== undefined) {
          executionRole.addToPrincipalPolicy(
            new iam.PolicyStatement({
              actions: ['kms:Decrypt'],
              resources: [key.keyArn],
              conditions: viaService('secretsmanager'),
            }),
          );
        }
      } else {
        props.container.addSecret(name, ecs.Secret.fromSsmParameter(source.parameter));
        if (source.encryptionKey !== undefined) {
          executionRole.addToPrincipalPolicy(
            new iam.PolicyStatement({
              actions: ['kms:Decrypt'],
              resources: [source.encryptionKey.keyArn],
              conditions: viaService('ssm'),
            }),
          );
        }
      }
    }

    if (props.service === undefined || rotated.length === 0) return;
    const arns = [...new Set(rotated.map((secret) => secret.secretArn))];
    const logGroup = new logs.LogGroup(this, 'RedeployLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, 'RedeployRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'keystage: redeploy one ECS service after a rotation',
    });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['ecs:UpdateService'], resources: [props.service.serviceArn] }),
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
      description: 'keystage: force a new deployment so tasks read the rotated secrets',
      environment: { CLUSTER: props.service.cluster.clusterName, SERVICE: props.service.serviceName },
      logGroup,
    });
    this.redeployRule = new events.Rule(this, 'RedeployRule', {
      description: 'keystage: a secret the service reads was rotated',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS Service Event via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['RotationSucceeded'],
          // Older events spell the ARN key `aRN`.
          $or: [
            { additionalEventData: { SecretId: arns } },
            { responseElements: { arn: arns } },
            { responseElements: { aRN: arns } },
          ],
        },
      },
      targets: [new targets.LambdaFunction(this.redeployFunction, { retryAttempts: 4 })],
    });
  }
}
