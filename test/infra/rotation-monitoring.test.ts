import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  InfraPropsError,
  METRIC_NAMESPACE,
  RotationMonitoring,
  RotationStrategy,
  SecretRotation,
  type RotationMonitoringProps,
} from '../../infra';
import { STALENESS_CHECK_CODE } from '../../infra/constructs/rotation-monitoring';
import { matches } from '../support/event-pattern';
import { expectNagClean, nagApp } from '../support/nag';
import { scanTemplate } from '../support/template-scan';

const ENV = { account: '123456789012', region: 'us-east-1' };
const DB_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/billing/db-AbCdEf';
const OTHER_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/billing/other-GhIjKl';

/** A stack with two secrets encrypted with a KMS key. */
function fixture(app: App = new App()) {
  const stack = new Stack(app, 'Test', { env: ENV });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const db = new secretsmanager.Secret(stack, 'Db', { encryptionKey: key, secretName: 'prod/billing/db' });
  const api = new secretsmanager.Secret(stack, 'Api', { encryptionKey: key, secretName: 'prod/billing/api' });
  return { app, stack, key, db, api };
}

function monitoring(props: Partial<RotationMonitoringProps> = {}) {
  const f = fixture();
  const m = new RotationMonitoring(f.stack, 'Monitoring', {
    secrets: [
      { secret: f.db, maxAge: Duration.days(31) },
      { secret: f.api, maxAge: Duration.hours(100) },
    ],
    ...props,
  });
  return {
    ...f,
    m,
    get template() {
      return Template.fromStack(f.stack);
    },
  };
}

type Rule = {
  Properties: {
    EventPattern: { detail: { $or: Array<Record<string, Record<string, unknown>>> } } & Record<
      string,
      unknown
    >;
    Targets: Array<Record<string, unknown>>;
  };
};

function failureRule(template: Template): Rule {
  const rules = Object.values(
    template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: Match.objectLike({ source: ['aws.secretsmanager'] }) },
    }),
  ) as Rule[];
  expect(rules).toHaveLength(1);
  return rules[0]!;
}

describe('RotationMonitoring', () => {
  describe('failure events', () => {
    it('match rotation failures of the monitored secrets, by SecretId and by both ARN spellings', () => {
      const { template, stack, db, api } = monitoring();
      const ids = [stack.resolve(db.secretArn), stack.resolve(api.secretArn)];
      const rule = failureRule(template);
      expect(rule.Properties.EventPattern).toEqual({
        source: ['aws.secretsmanager'],
        'detail-type': ['AWS Service Event via CloudTrail', 'AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['RotationFailed', 'RotationAbandoned', 'TestRotationFailed'],
          $or: [
            { additionalEventData: { SecretId: ids } },
            { responseElements: { arn: ids } },
            { responseElements: { aRN: ids } },
          ],
        },
      });
      const keys = rule.Properties.EventPattern.detail.$or.flatMap((branch) =>
        Object.values(branch).flatMap((inner) => Object.keys(inner)),
      );
      expect(keys).toEqual(expect.arrayContaining(['arn', 'aRN']));
    });

    it('route such an event to the topic in either spelling, and nothing else (RELIABILITY 25)', () => {
      const f = fixture();
      const imported = secretsmanager.Secret.fromSecretCompleteArn(f.stack, 'Imported', DB_ARN);
      new RotationMonitoring(f.stack, 'Monitoring', {
        secrets: [{ secret: imported, maxAge: Duration.days(31) }],
      });
      const template = Template.fromStack(f.stack);
      const pattern = failureRule(template).Properties.EventPattern;
      const event = (detailType: string, eventName: string, detail: object) => ({
        source: 'aws.secretsmanager',
        'detail-type': detailType,
        detail: { eventSource: 'secretsmanager.amazonaws.com', eventName, ...detail },
      });
      const service = 'AWS Service Event via CloudTrail';
      const api = 'AWS API Call via CloudTrail';
      // How Secrets Manager reports a failed rotation: the ARN in additionalEventData.SecretId.
      const failed = event(service, 'RotationFailed', {
        requestParameters: null,
        responseElements: null,
        additionalEventData: { SecretId: DB_ARN },
      });
      expect(matches(pattern, failed)).toBe(true);
      expect(
        matches(pattern, event(service, 'RotationAbandoned', { additionalEventData: { SecretId: DB_ARN } })),
      ).toBe(true);
      expect(matches(pattern, event(api, 'TestRotationFailed', { responseElements: { arn: DB_ARN } }))).toBe(
        true,
      );
      expect(matches(pattern, event(api, 'TestRotationFailed', { responseElements: { aRN: DB_ARN } }))).toBe(
        true,
      );
      expect(
        matches(pattern, event(service, 'RotationSucceeded', { additionalEventData: { SecretId: DB_ARN } })),
      ).toBe(false);
      expect(
        matches(pattern, event(service, 'RotationFailed', { additionalEventData: { SecretId: OTHER_ARN } })),
      ).toBe(false);
      expect(matches(pattern, { ...failed, source: 'aws.kms' })).toBe(false);
    });

    it('tell the topic which secret, which event and when, and nothing from the event besides', () => {
      const { template, stack, m } = monitoring();
      expect(failureRule(template).Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: stack.resolve(m.topic.topicArn),
          InputTransformer: {
            InputPathsMap: {
              'detail-eventName': '$.detail.eventName',
              'detail-additionalEventData-SecretId': '$.detail.additionalEventData.SecretId',
              time: '$.time',
            },
            InputTemplate: expect.stringMatching(
              /<detail-eventName> for <detail-additionalEventData-SecretId> at <time>/,
            ),
          },
        }),
      ]);
    });
  });

  describe('topic', () => {
    it('is encrypted with a new rotating key and refuses publishing without TLS', () => {
      const { template, stack, m } = monitoring({ emails: ['oncall@example.com'] });
      const keys = template.findResources('AWS::KMS::Key', {
        Properties: { Description: 'keystage rotation alerts topic', EnableKeyRotation: true },
      });
      expect(Object.keys(keys)).toHaveLength(1);
      const [keyId] = Object.keys(keys);
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [stack.resolve(m.topic.topicArn)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Principal: '*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'oncall@example.com',
      });
    });

    it('lets EventBridge, and CloudWatch alarms of this account, publish and use the key', () => {
      const { template, stack, m } = monitoring();
      const topic = stack.resolve(m.topic.topicArn);
      const publishers = {
        'events.amazonaws.com': Match.absent(),
        'cloudwatch.amazonaws.com': {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnLike: {
            'aws:SourceArn': { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':alarm:\\*$')])] },
          },
        },
      };
      for (const [service, condition] of Object.entries(publishers)) {
        template.hasResourceProperties('AWS::SNS::TopicPolicy', {
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Allow',
                Action: 'sns:Publish',
                Principal: { Service: service },
                Resource: topic,
                Condition: condition,
              }),
            ]),
          },
        });
      }
      // A publisher to an encrypted topic needs GenerateDataKey* and Decrypt on its key.
      const [key] = Object.values(
        template.findResources('AWS::KMS::Key', {
          Properties: { Description: 'keystage rotation alerts topic' },
        }),
      ) as Array<{ Properties: { KeyPolicy: { Statement: Array<Record<string, unknown>> } } }>;
      const grantsTo = (service: string) =>
        key!.Properties.KeyPolicy.Statement.filter(
          (statement) => (statement.Principal as { Service?: string }).Service === service,
        ).map((statement) => ({ ...statement, Action: [statement.Action].flat().sort() }));
      expect(grantsTo('events.amazonaws.com')).toEqual([
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
        },
      ]);
      expect(grantsTo('cloudwatch.amazonaws.com')).toEqual([
        {
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
        },
      ]);
    });

    it('encrypts the new topic with the key it is given', () => {
      const f = fixture();
      const topicKey = new kms.Key(f.stack, 'TopicKey', { enableKeyRotation: true });
      new RotationMonitoring(f.stack, 'Monitoring', {
        secrets: [{ secret: f.db, maxAge: Duration.days(31) }],
        topicKey,
      });
      const template = Template.fromStack(f.stack);
      template.resourceCountIs('AWS::KMS::Key', 2);
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: f.stack.resolve(topicKey.keyArn) });
    });

    it('sends everything to a topic it is given, creating none', () => {
      const f = fixture();
      const topic = sns.Topic.fromTopicArn(f.stack, 'Existing', 'arn:aws:sns:us-east-1:123456789012:oncall');
      new RotationMonitoring(f.stack, 'Monitoring', {
        secrets: [{ secret: f.db, maxAge: Duration.days(31) }],
        topic,
      });
      const template = Template.fromStack(f.stack);
      template.resourceCountIs('AWS::SNS::Topic', 0);
      template.resourceCountIs('AWS::KMS::Key', 1);
      expect(failureRule(template).Properties.Targets).toEqual([
        expect.objectContaining({ Arn: 'arn:aws:sns:us-east-1:123456789012:oncall' }),
      ]);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmActions: ['arn:aws:sns:us-east-1:123456789012:oncall'],
      });
    });
  });

  describe('staleness', () => {
    it('raises one alarm per secret when it has gone longer than its maxAge without rotating', () => {
      const { template, stack, m, db, api } = monitoring();
      expect(m.alarms).toHaveLength(2);
      for (const [secret, threshold] of [
        [db, 31 * 86_400],
        [api, 100 * 3600],
      ] as const) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'keystage/Rotation',
          MetricName: 'SecondsSinceLastRotation',
          Dimensions: [{ Name: 'SecretName', Value: stack.resolve(secret.secretName) }],
          Statistic: 'Maximum',
          Period: 3600,
          Threshold: threshold,
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 2,
          DatapointsToAlarm: 2,
          TreatMissingData: 'breaching',
          AlarmActions: [stack.resolve(m.topic.topicArn)],
        });
      }
    });

    it('runs the check on its schedule, and the alarms evaluate over the same period', () => {
      const { template, stack, m } = monitoring({ stalenessCheckEvery: Duration.minutes(15) });
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(15 minutes)',
        Targets: [Match.objectLike({ Arn: stack.resolve(m.stalenessFunction.functionArn) })],
      });
      template.allResourcesProperties('AWS::CloudWatch::Alarm', { Period: 900 });
    });

    it('checks with a small inline function that gets the secret ARNs, never a value', () => {
      const { template, stack, m, db, api } = monitoring();
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Code: { ZipFile: STALENESS_CHECK_CODE },
        Role: stack.resolve(m.stalenessFunction.role!.roleArn),
        Environment: {
          Variables: {
            SECRET_ARNS: stack.resolve(stack.toJsonString([db.secretArn, api.secretArn])),
            NAMESPACE: METRIC_NAMESPACE,
          },
        },
      });
      expect(scanTemplate(template.toJSON())).toEqual([]);
    });

    it('may only describe the monitored secrets and put metrics in its own namespace', () => {
      const { template, stack, m, db, api } = monitoring();
      const role = m.stalenessFunction.role!;
      const [policy] = Object.values(
        template.findResources('AWS::IAM::Policy', { Properties: { Roles: [stack.resolve(role.roleName)] } }),
      ) as Array<{ Properties: { PolicyDocument: { Statement: unknown[] } } }>;
      expect(policy!.Properties.PolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Action: 'secretsmanager:DescribeSecret',
          Resource: [stack.resolve(db.secretArn), stack.resolve(api.secretArn)],
        },
        {
          Effect: 'Allow',
          Action: 'cloudwatch:PutMetricData',
          Resource: '*',
          Condition: { StringEquals: { 'cloudwatch:namespace': 'keystage/Rotation' } },
        },
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: stack.resolve(m.stalenessFunction.logGroup.logGroupArn),
        },
      ]);
      template.hasResourceProperties('AWS::IAM::Role', {
        Description: 'keystage rotation staleness check',
        ManagedPolicyArns: Match.absent(),
      });
    });

    it('reports the secrets it can describe and fails for the one it cannot, so only that one alarms', async () => {
      const sent: Array<{ command: string; input: Record<string, unknown> }> = [];
      const command = (name: string) =>
        class {
          readonly name = name;
          constructor(readonly input: Record<string, unknown>) {}
        };
      const client = class {
        async send(c: { name: string; input: Record<string, unknown> }) {
          sent.push({ command: c.name, input: c.input });
          if (c.name === 'DescribeSecretCommand' && c.input.SecretId === OTHER_ARN) {
            throw Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' });
          }
          return c.name === 'DescribeSecretCommand'
            ? { Name: 'prod/billing/db', CreatedDate: new Date() }
            : {};
        }
      };
      const modules: Record<string, unknown> = {
        '@aws-sdk/client-secrets-manager': {
          SecretsManagerClient: client,
          DescribeSecretCommand: command('DescribeSecretCommand'),
        },
        '@aws-sdk/client-cloudwatch': {
          CloudWatchClient: client,
          PutMetricDataCommand: command('PutMetricDataCommand'),
        },
      };
      const module = { exports: {} as { handler: () => Promise<unknown> } };
      new Function('require', 'exports', 'module', 'process', STALENESS_CHECK_CODE)(
        (name: string) => modules[name],
        module.exports,
        module,
        { env: { SECRET_ARNS: JSON.stringify([DB_ARN, OTHER_ARN]), NAMESPACE: METRIC_NAMESPACE } },
      );
      await expect(module.exports.handler()).rejects.toThrow(`${OTHER_ARN}: ResourceNotFoundException`);
      const puts = sent.filter((s) => s.command === 'PutMetricDataCommand');
      expect(puts).toHaveLength(1);
      expect(puts[0]!.input).toMatchObject({
        Namespace: 'keystage/Rotation',
        MetricData: [
          expect.objectContaining({ Dimensions: [{ Name: 'SecretName', Value: 'prod/billing/db' }] }),
        ],
      });
    });
  });

  describe('props', () => {
    it.each<[string, (f: ReturnType<typeof fixture>) => Partial<RotationMonitoringProps>, string, RegExp]>([
      ['no secrets', () => ({ secrets: [] }), 'secrets', /got \[\]/],
      [
        'a maxAge under an hour',
        (f) => ({ secrets: [{ secret: f.db, maxAge: Duration.minutes(30) }] }),
        'secrets[0].maxAge',
        /got 30 minutes/,
      ],
      [
        'a topic key with a topic of its own',
        (f) => ({
          topic: sns.Topic.fromTopicArn(f.stack, 'T', 'arn:aws:sns:us-east-1:123456789012:t'),
          topicKey: f.key,
        }),
        'topicKey',
        /together with topic/,
      ],
      ['an address that is not one', () => ({ emails: ['not-an-address'] }), 'emails', /"not-an-address"/],
      [
        'a check every minute',
        () => ({ stalenessCheckEvery: Duration.minutes(1) }),
        'stalenessCheckEvery',
        /1 minute/,
      ],
      [
        'a check every 2 days',
        () => ({ stalenessCheckEvery: Duration.days(2) }),
        'stalenessCheckEvery',
        /2 days/,
      ],
      [
        'a check every 6.5 minutes',
        () => ({ stalenessCheckEvery: Duration.seconds(390) }),
        'stalenessCheckEvery',
        /6 minutes 30 seconds/,
      ],
    ])('refuses %s, naming the prop and the value, before creating anything', (_what, props, prop, value) => {
      const f = fixture();
      let error: unknown;
      try {
        new RotationMonitoring(f.stack, 'Monitoring', {
          secrets: [{ secret: f.db, maxAge: Duration.days(31) }],
          ...props(f),
        });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InfraPropsError);
      expect(error).toMatchObject({ construct: 'RotationMonitoring', prop });
      expect((error as Error).message).toMatch(value);
      const template = Template.fromStack(f.stack);
      template.resourceCountIs('AWS::SNS::Topic', 0);
      template.resourceCountIs('AWS::Events::Rule', 0);
    });
  });

  describe('cdk-nag AwsSolutions (RELIABILITY 24)', () => {
    it('finds nothing unacknowledged next to the rotations it watches', () => {
      const app = nagApp();
      const f = fixture(app);
      const rotations = [f.db, f.api].map(
        (secret, i) =>
          new SecretRotation(f.stack, `Rotation${i}`, {
            secret,
            strategy: RotationStrategy.generic(),
            schedule: { every: Duration.days(30) },
          }),
      );
      const m = new RotationMonitoring(f.stack, 'Monitoring', {
        secrets: rotations.map((r) => ({ secret: r.secret, maxAge: r.maxInterval })),
        emails: ['oncall@example.com'],
      });
      const operator = new iam.Role(f.stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
      rotations[0]!.grantRotate(operator);
      expect(m.alarms).toHaveLength(2);
      expectNagClean(app);
    });

    it('acknowledges only the wildcard resource finding of the check’s role, with its reason', () => {
      const { m } = monitoring();
      const acknowledged = m.stalenessFunction
        .role!.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .map((entry) => entry.data as Record<string, string>);
      expect(acknowledged).toEqual([
        {
          'Annotation::AwsSolutions-IAM5[Resource::*]': expect.stringMatching(
            /PutMetricData.*keystage\/Rotation/,
          ),
        },
      ]);
    });
  });
});
