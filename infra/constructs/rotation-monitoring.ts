import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { acknowledge, propsChecker, shown } from './props';

export interface MonitoredSecret {
  readonly secret: secretsmanager.ISecret;
  /** Alarm when the secret has not rotated for longer than this (its period plus window). */
  readonly maxAge: Duration;
}

export interface RotationMonitoringProps {
  readonly secrets: readonly MonitoredSecret[];
  /** @default a new topic encrypted with a new KMS key */
  readonly topic?: sns.ITopic;
  /** @default none */
  readonly emails?: readonly string[];
  /** @default Duration.hours(1) */
  readonly stalenessCheckEvery?: Duration;
}

export const ROTATION_FAILURE_EVENTS = ['RotationFailed', 'RotationAbandoned', 'TestRotationFailed'] as const;
export const METRIC_NAMESPACE = 'keystage/Rotation';

// The staleness check: seconds since each secret last rotated (or was created), as a metric.
export const STALENESS_CHECK_CODE = `
const { SecretsManagerClient, DescribeSecretCommand } = require('@aws-sdk/client-secrets-manager');
const { CloudWatchClient, PutMetricDataCommand } = require('@aws-sdk/client-cloudwatch');
const sm = new SecretsManagerClient({});
const cw = new CloudWatchClient({});
exports.handler = async () => {
  const arns = JSON.parse(process.env.SECRET_ARNS);
  const now = Date.now();
  const data = [];
  for (const arn of arns) {
    const secret = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    const last = secret.LastRotatedDate ?? secret.CreatedDate;
    data.push({ MetricName: 'SecondsSinceLastRotation', Dimensions: [{ Name: 'SecretName', Value: secret.Name }], Unit: 'Seconds', Value: (now - new Date(last).getTime()) / 1000 });
  }
  for (let i = 0; i < data.length; i += 20) {
    await cw.send(new PutMetricDataCommand({ Namespace: process.env.NAMESPACE, MetricData: data.slice(i, i + 20) }));
  }
  return { secrets: data.length };
};
`;

/**
 * Tells people when rotation goes wrong: RotationFailed, RotationAbandoned and
 * TestRotationFailed events for the given secrets go to an encrypted SNS topic, and a
 * scheduled check raises an alarm on the same topic when a secret has gone longer than its
 * maxAge without rotating (a rotation that silently stopped happening).
 */
export class RotationMonitoring extends Construct {
  readonly topic: sns.ITopic;
  readonly failureRule: events.Rule;
  readonly stalenessFunction: lambda.Function;
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: RotationMonitoringProps) {
    super(scope, id);
    const check = propsChecker('RotationMonitoring');
    if (props.secrets.length === 0) check.fail('secrets', 'must name at least one secret; got [].');
    for (const [i, entry] of props.secrets.entries()) {
      if (entry.maxAge.toSeconds() < 3600)
        check.fail(`secrets[${i}].maxAge`, `must be at least an hour; got ${shown(entry.maxAge)}.`);
    }
    for (const email of props.emails ?? [])
      check.matches('emails', email, /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'e-mail addresses');
    const every = props.stalenessCheckEvery ?? Duration.hours(1);
    if (every.toMinutes() < 5)
      check.fail('stalenessCheckEvery', `must be at least 5 minutes; got ${shown(every)}.`);

    if (props.topic !== undefined) {
      this.topic = props.topic;
    } else {
      const key = new kms.Key(this, 'TopicKey', {
        description: 'keystage rotation alerts topic',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // EventBridge and CloudWatch publish to the encrypted topic.
      key.grantEncryptDecrypt(new iam.ServicePrincipal('events.amazonaws.com'));
      key.grantEncryptDecrypt(new iam.ServicePrincipal('cloudwatch.amazonaws.com'));
      this.topic = new sns.Topic(this, 'Topic', {
        displayName: 'keystage rotation alerts',
        masterKey: key,
        enforceSSL: true,
      });
    }
    for (const email of props.emails ?? [])
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));

    const arns = props.secrets.map((entry) => entry.secret.secretArn);
    // Older events spell the ARN key `aRN`; rotation service events carry the secret in
    // additionalEventData.SecretId. Any of them names one of our secrets.
    this.failureRule = new events.Rule(this, 'FailureRule', {
      description: 'keystage: a rotation of a monitored secret failed or was abandoned',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS Service Event via CloudTrail', 'AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: [...ROTATION_FAILURE_EVENTS],
          $or: [
            { additionalEventData: { SecretId: arns } },
            { responseElements: { arn: arns } },
            { responseElements: { aRN: arns } },
            { serviceEventDetails: { arn: arns } },
            { serviceEventDetails: { aRN: arns } },
          ],
        },
      },
    });
    this.failureRule.addTarget(
      new targets.SnsTopic(this.topic, {
        message: events.RuleTargetInput.fromText(
          `keystage: ${events.EventField.fromPath('$.detail.eventName')} for ${events.EventField.fromPath('$.detail.additionalEventData.SecretId')} at ${events.EventField.time}. See the rotation function's log.`,
        ),
      }),
    );

    const logGroup = new logs.LogGroup(this, 'StalenessLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, 'StalenessRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'keystage rotation staleness check',
    });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:DescribeSecret'], resources: arns }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'cloudwatch:PutMetricData has no resource; it is limited to the keystage/Rotation namespace by condition.',
    );
    this.stalenessFunction = new lambda.Function(this, 'StalenessCheck', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(STALENESS_CHECK_CODE),
      role,
      timeout: Duration.minutes(1),
      description: 'keystage: seconds since each monitored secret last rotated',
      environment: { SECRET_ARNS: Stack.of(this).toJsonString(arns), NAMESPACE: METRIC_NAMESPACE },
      logGroup,
    });
    new events.Rule(this, 'StalenessSchedule', {
      description: 'keystage: run the rotation staleness check',
      schedule: events.Schedule.rate(every),
      targets: [new targets.LambdaFunction(this.stalenessFunction)],
    });

    this.alarms = props.secrets.map(
      (entry, i) =>
        new cloudwatch.Alarm(this, `Overdue${i}`, {
          alarmDescription: `keystage: a secret has not rotated within ${entry.maxAge.toHumanString()}`,
          metric: new cloudwatch.Metric({
            namespace: METRIC_NAMESPACE,
            metricName: 'SecondsSinceLastRotation',
            dimensionsMap: { SecretName: entry.secret.secretName },
            statistic: 'Maximum',
            period: every,
          }),
          threshold: entry.maxAge.toSeconds(),
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          // No data means the check itself stopped: that is worth a page too.
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        }),
    );
    for (const alarm of this.alarms) alarm.addAlarmAction(new actions.SnsAction(this.topic));
  }
}
