import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AuditLog } from '../constructs/audit-log';
import { EcsSecretsInjection } from '../constructs/ecs-secrets-injection';
import { acknowledge } from '../constructs/props';
import { LambdaSecretsInjection } from '../constructs/lambda-secrets-injection';
import type { SecretsStack } from './secrets-stack';

export interface ConsumersStackProps extends StackProps {
  /** The service the consumers belong to; names their log streams and descriptions. */
  readonly service: string;
  /** Where the secrets live (same account and region). */
  readonly secrets: SecretsStack;
  /**
   * The service's container image.
   * @default the public Node.js 20 image, as a placeholder to replace
   */
  readonly image?: ecs.ContainerImage;
  /**
   * The name of the log group the consumers write their audit events to (an `AuditLog`,
   * encrypted with its own key); they get it as `KEYSTAGE_AUDIT_LOG_GROUP`.
   * @default `/keystage/<service>/audit`
   */
  readonly auditLogGroupName?: string;
}

/**
 * The variable that tells a consumer which log group its audit events go to (a name, never a secret).
 * @example
 * new CloudWatchLogsAuditSink({ logGroupName: process.env[AUDIT_LOG_GROUP_VARIABLE]! });
 */
export const AUDIT_LOG_GROUP_VARIABLE = 'KEYSTAGE_AUDIT_LOG_GROUP';

/**
 * The example consumers of one environment's secrets: an ECS service that gets the database
 * credentials as container secrets and is redeployed after each rotation, and a Lambda
 * function that reads the API key through the Parameters and Secrets extension. Neither
 * ever holds a value in its configuration: only ARNs and `valueFrom` references. Both write
 * their audit events to an `AuditLog` (they may write to it and nothing else; its name is in
 * their environment as `KEYSTAGE_AUDIT_LOG_GROUP`).
 *
 * @example
 * new ConsumersStack(app, 'keystage-billing-prod-consumers', { env, service: 'billing', secrets });
 */
export class ConsumersStack extends Stack {
  readonly service: ecs.FargateService;
  readonly function: lambda.Function;
  /** Where the consumers' audit events go. */
  readonly auditLog: AuditLog;

  constructor(scope: Construct, id: string, props: ConsumersStackProps) {
    super(scope, id, props);
    const { secrets, service: name } = props;
    const key = secrets.key.key;
    // Imported by ARN, without their key: grants then go on this stack's roles only (kms
    // through the key ARN), so the secrets stack never refers back to this one.
    const database = secretsmanager.Secret.fromSecretCompleteArn(
      this,
      'Database',
      secrets.database.secretArn,
    );
    const apiKey = secretsmanager.Secret.fromSecretCompleteArn(this, 'ApiKey', secrets.apiKey.secretArn);

    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: secrets.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.auditLog = new AuditLog(this, 'AuditLog', {
      logGroupName: props.auditLogGroupName ?? `/keystage/${name}/audit`,
    });
    const task = new ecs.FargateTaskDefinition(this, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    this.auditLog.grantWrite(task.taskRole);
    const logGroup = new logs.LogGroup(this, 'ServiceLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const container = task.addContainer('App', {
      image: props.image ?? ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:20-alpine'),
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: name, logGroup }),
      environment: { [AUDIT_LOG_GROUP_VARIABLE]: this.auditLog.logGroupName },
    });
    acknowledge(
      task,
      'AwsSolutions-ECS2',
      `The one plain variable, ${AUDIT_LOG_GROUP_VARIABLE}, is the name of the audit log group; every credential reaches the container as a secret (valueFrom).`,
    );
    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition: task,
      desiredCount: 2,
      // Redeploys after each rotation keep full capacity and roll back if tasks fail to start.
      minHealthyPercent: 100,
      circuitBreaker: { rollback: true },
      vpcSubnets: { subnets: secrets.vpc.privateSubnets },
      assignPublicIp: false,
    });
    new EcsSecretsInjection(this, 'ServiceSecrets', {
      container,
      service: this.service,
      secrets: {
        DB_HOST: { secret: database, field: 'host', encryptionKey: key },
        DB_NAME: { secret: database, field: 'dbname', encryptionKey: key },
        DB_USER: { secret: database, field: 'username', encryptionKey: key },
        DB_PASSWORD: { secret: database, field: 'password', encryptionKey: key },
      },
    });

    const functionLogs = new logs.LogGroup(this, 'ApiKeyReaderLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Its own role, with nothing but its log group: no AWS managed policy.
    const role = new iam.Role(this, 'ApiKeyReaderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Example consumer of the ${name} API key`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [functionLogs.logGroupArn],
      }),
    );
    this.auditLog.grantWrite(role);
    this.function = new lambda.Function(this, 'ApiKeyReader', {
      role,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      timeout: Duration.seconds(10),
      description: `Example consumer of the ${name} API key through the Parameters and Secrets extension`,
      // Reads the key from the extension's local endpoint; the value never leaves the function.
      code: lambda.Code.fromInline(
        [
          'exports.handler = async () => {',
          '  const url = `http://localhost:${process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT}/secretsmanager/get?secretId=${encodeURIComponent(process.env.API_KEY_SECRET_ARN)}`;',
          "  const response = await fetch(url, { headers: { 'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN } });",
          '  return { ok: response.ok };',
          '};',
        ].join('\n'),
      ),
      logGroup: functionLogs,
      environment: { [AUDIT_LOG_GROUP_VARIABLE]: this.auditLog.logGroupName },
    });
    new LambdaSecretsInjection(this, 'FunctionSecrets', {
      function: this.function,
      secrets: { API_KEY_SECRET_ARN: { secret: apiKey, encryptionKey: key } },
      extension: { cacheTtl: Duration.minutes(5) },
    });
  }
}
