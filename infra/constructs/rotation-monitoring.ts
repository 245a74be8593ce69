import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
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
import { secretPolicyArn } from './secret-policy-arn';

/** A secret to watch, and how long it may go without rotating. */
export interface MonitoredSecret {
  readonly secret: secretsmanager.ISecret;
  /** Alarm when the secret has not rotated for longer than this: `SecretRotation.maxInterval`. */
  readonly maxAge: Duration;
}

export interface RotationMonitoringProps {
  /** The secrets to watch, at least one. */
  readonly secrets: readonly MonitoredSecret[];
  /**
   * Where alerts go. A topic of your own must let `events.amazonaws.com` and
   * `cloudwatch.amazonaws.com` publish (and, if encrypted, use its key).
   * @default - a new topic, encrypted with `topicKey`, that refuses publishing without TLS
   */
  readonly topic?: sns.ITopic;
  /**
   * The key for the new topic; only without `topic`. Its policy must be editable here
   * (a key from this app), to let EventBridge and CloudWatch publish.
   * @default - a new customer managed key with rotation on
   */
  readonly topicKey?: kms.IKey;
  /**
   * E-mail addresses subscribed to the topic (each must confirm).
   * @default - none
   */
  readonly emails?: readonly string[];
  /**
   * How often the staleness check runs, whole minutes from 5 minutes to 1 day.
   * @default Duration.hours(1)
   */
  readonly stalenessCheckEvery?: Duration;
}

/** CloudTrail event names of a rotation that failed (Secrets Manager "Log entries for rotation"). */
export const ROTATION_FAILURE_EVENTS = ['RotationFailed', 'RotationAbandoned', 'TestRotationFailed'] as const;
/** The CloudWatch namespace of the staleness metric (`SecondsSinceLastRotation`, by `SecretName`). */
export const METRIC_NAMESPACE = 'keystage/Rotation';

// The staleness check: seconds since each secret last rotated (or was created, if it never
// has), as one metric per secret named by SecretName. A secret it cannot describe gets no
// data point, so its alarm goes off (missing data breaches); the others are still reported.
export const STALENESS_CHECK_CODE = `
const { SecretsManagerClient, DescribeSecretCommand } = require('@aws-sdk/client-secrets-manager');
const { CloudWatchClient, PutMetricDataCommand } = require('@aws-sdk/client-cloudwatch');
const sm = new SecretsManagerClient({});
const cw = new CloudWatchClient({});
exports.handler = async () => {
  const arns = JSON.parse(process.env.SECRET_ARNS);
  const now = Date.now();
  const data = [];
  const failed = [];
  for (const arn of arns) {
    try {
      const secret = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
      const last = secret.LastRotatedDate ?? secret.CreatedDate;
      data.push({ MetricName: 'SecondsSinceLastRotation', Dimensions: [{ Name: 'SecretName', Value: secret.Name }], Unit: 'Seconds', Value: (now - new Date(last).getTime()) / 1000 });
    } catch (error) {
      failed.push(arn + ': ' + error.name);
    }
  }
  for (let i = 0; i < data.length; i += 20) {
    await cw.send(new PutMetricDataCommand({ Namespace: process.env.NAMESPACE, MetricData: data.slice(i, i + 20) }));
  }
  if (failed.length > 0) throw new Error('DescribeSecret failed for ' + failed.join(', '));
  return { secrets: data.length };
};
`;

/**
 * Tells people when rotation goes wrong. RotationFailed, RotationAbandoned and
 * TestRotationFailed events for the given secrets go to an encrypted SNS topic, and a
 * scheduled check raises an alarm on the same topic when a secret has gone longer than its
 * `maxAge` without rotating: a rotation that silently stopped happening, or a check that
 * stopped reporting.
 *
 * @example
 * new RotationMonitoring(stack, 'Monitoring', {
 *   secrets: [{ secret: db.secret, maxAge: rotation.maxInterval }],
 *   emails: ['oncall@example.com'],
 * });
 */
export class RotationMonitoring extends Construct {
  /** Where failures and overdue alarms are sent. */
  readonly topic: sns.ITopic;
  /** The EventBridge rule for failed rotations. */
  readonly failureRule: events.Rule;
  /** The scheduled staleness check. */
  readonly stalenessFunction: lambda.Function;
  /** One alarm per monitored secret, in the order given. */
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: RotationMonitoringProps) {
    super(scope, id);
    const every = validate(props);
    const stack = Stack.of(this);

    if (props.topic !== undefined) {
      this.topic = props.topic;
    } else {
      const key =
        props.topicKey ??
        new kms.Key(this, 'TopicKey', {
          description: 'keystage rotation alerts topic',
          enableKeyRotation: true,
          removalPolicy: RemovalPolicy.RETAIN,
        });
      // What a service publishing to an encrypted topic needs (SNS guide, "Enable compatibility
      // between event sources from AWS services and encrypted topics"). The EventBridge target
      // below adds the same for events.amazonaws.com, without conditions: the guide says
      // EventBridge does not support them there. CloudWatch gets aws:SourceAccount.
      key.grant(
        new iam.ServicePrincipal('cloudwatch.amazonaws.com').withConditions({
          StringEquals: { 'aws:SourceAccount': stack.account },
        }),
        'kms:GenerateDataKey*',
        'kms:Decrypt',
      );
      this.topic = new sns.Topic(this, 'Topic', {
        displayName: 'keystage rotation alerts',
        masterKey: key,
        enforceSSL: true,
      });
    }
    // The topic policy CDK writes replaces SNS's default one, so the alarms need their own
    // statement (a no-op on an imported topic, whose policy is not ours).
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsInThisAccountPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    for (const email of props.emails ?? [])
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));

    const arns = props.secrets.map((entry) => secretPolicyArn(entry.secret));
    const secretIds = props.secrets.map((entry) => entry.secret.secretArn);
    // Rotation events are "AWS Service Event via CloudTrail" and name the secret in
    // detail.additionalEventData.SecretId. API call events name it in responseElements, whose
    // key was spelled `aRN` before February 2024 and `arn` since; both are matched.
    this.failureRule = new events.Rule(this, 'FailureRule', {
      description: 'keystage: a rotation of a monitored secret failed or was abandoned',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS Service Event via CloudTrail', 'AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: [...ROTATION_FAILURE_EVENTS],
          $or: [
            { additionalEventData: { SecretId: secretIds } },
            { responseElements: { arn: secretIds } },
            { responseElements: { aRN: secretIds } },
          ],
        },
      },
    });
    this.failureRule.addTarget(
      new targets.SnsTopic(this.topic, {
        message: events.RuleTargetInput.fromText(
          `keystage: ${events.EventField.fromPath('$.detail.eventName')} for ` +
            `${events.EventField.fromPath('$.detail.additionalEventData.SecretId')} at ${events.EventField.time}. ` +
            "See the rotation function's log.",
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
      'cloudwatch:PutMetricData acts on no resource, so IAM can only grant it on *; a condition limits it to the keystage/Rotation namespace.',
    );
    this.stalenessFunction = new lambda.Function(this, 'StalenessCheck', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(STALENESS_CHECK_CODE),
      role,
      timeout: Duration.minutes(1),
      description: 'keystage: seconds since each monitored secret last rotated',
      environment: { SECRET_ARNS: stack.toJsonString(secretIds), NAMESPACE: METRIC_NAMESPACE },
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
          // Two periods in a row, so one late run of the check does not page anybody.
          evaluationPeriods: 2,
          datapointsToAlarm: 2,
          // No data means the check stopped or cannot see the secret: worth a page too.
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        }),
    );
    for (const alarm of this.alarms) alarm.addAlarmAction(new actions.SnsAction(this.topic));
  }
}

/** Checks every prop before anything is created; returns the check period. */
function validate(props: RotationMonitoringProps): Duration {
  const check = propsChecker('RotationMonitoring');
  if (props.secrets.length === 0) check.fail('secrets', 'must name at least one secret; got [].');
  for (const [i, entry] of props.secrets.entries()) {
    const seconds = entry.maxAge.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < 3600) {
      check.fail(
        `secrets[${i}].maxAge`,
        `must be whole seconds, at least an hour; got ${shown(entry.maxAge)}.`,
      );
    }
  }
  if (props.topic !== undefined && props.topicKey !== undefined) {
    check.fail('topicKey', 'is the key for a new topic; got one together with topic.');
  }
  for (const email of props.emails ?? []) {
    check.matches('emails', email, /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'e-mail addresses');
  }
  const every = props.stalenessCheckEvery ?? Duration.hours(1);
  const minutes = every.toMinutes({ integral: false });
  if (!Number.isInteger(minutes) || minutes < 5 || minutes > 24 * 60) {
    check.fail('stalenessCheckEvery', `must be whole minutes from 5 minutes to 1 day; got ${shown(every)}.`);
  }
  return every;
}
