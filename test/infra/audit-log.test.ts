import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { buildApp } from '../../infra/app';
import { AUDIT_WRITE_ACTIONS, AuditLog } from '../../infra/constructs/audit-log';
import { SecretsKey, type ConsumersStack } from '../../infra';
import { expectNoNagFindings, nagApp, nagFindings } from '../support/nag';
import { propsError } from '../support/props-error';

const ENV = { account: '123456789012', region: 'us-east-1' };
const newStack = (app = new App()) => new Stack(app, 'Test', { env: ENV });
const NAME = '/keystage/prod/billing/audit';
const GROUP_ARN = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:us-east-1:123456789012:log-group:${NAME}`]],
};

/** The key policy statement that lets CloudWatch Logs use the key for this group only. */
const logsStatement = Match.objectLike({
  Effect: 'Allow',
  Principal: { Service: 'logs.us-east-1.amazonaws.com' },
  Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
  Resource: '*',
  Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': GROUP_ARN } },
});

describe('AuditLog resources', () => {
  it('encrypts the group with a key of its own, rotating, kept a year and retained by default', () => {
    const stack = newStack();
    const audit = new AuditLog(stack, 'Audit', { logGroupName: NAME });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: NAME,
        RetentionInDays: 365,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditKey'), 'Arn'] },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    t.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Retain',
    });
    expect(audit.logGroupName).toBe(NAME);
    expect(stack.resolve(audit.logGroupArn)).toEqual(GROUP_ARN);
  });

  it("lets CloudWatch Logs of the stack's region use the key for this group's ARN only", () => {
    const stack = newStack();
    new AuditLog(stack, 'Audit', { logGroupName: NAME });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([logsStatement]) },
    });
  });

  it('takes the retention and removal policy, for the group and its own key', () => {
    const stack = newStack();
    new AuditLog(stack, 'Audit', {
      logGroupName: NAME,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const t = Template.fromStack(stack);
    t.hasResource('AWS::Logs::LogGroup', {
      Properties: Match.objectLike({ RetentionInDays: 90 }),
      DeletionPolicy: 'Delete',
    });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  it('uses a SecretsKey given instead, adding the CloudWatch Logs statement to its policy', () => {
    const stack = newStack();
    const key = new SecretsKey(stack, 'Key', { alias: 'keystage/prod/billing' });
    new AuditLog(stack, 'Audit', { logGroupName: NAME, encryptionKey: key });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: stack.resolve(key.key.keyArn) });
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'UseThroughSecretsServicesOnly' }),
          logsStatement,
        ]),
      },
    });
  });

  it('names the group after the construct by default, the same at every synthesis', () => {
    const names = [1, 2].map(() => {
      const stack = newStack();
      return new AuditLog(stack, 'Audit').logGroupName;
    });
    expect(names[0]).toMatch(/^\/keystage\/audit\/[A-Za-z0-9]+$/);
    expect(names[1]).toBe(names[0]);
  });
});

describe('AuditLog.grantWrite', () => {
  it('gives CreateLogStream, PutLogEvents and DescribeLogStreams on this group only', () => {
    const stack = newStack();
    const audit = new AuditLog(stack, 'Audit', { logGroupName: NAME });
    const role = new iam.Role(stack, 'Writer', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    audit.grantWrite(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Writer') }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditLogGroup'), 'Arn'] },
          },
        ],
      },
    });
  });
});

describe('AuditLog props', () => {
  it.each([
    ['a name under aws/', 'aws/keystage'],
    ['a name with a colon', '/keystage:audit'],
    ['an empty name', ''],
  ])('refuses %s, naming logGroupName', (_what, logGroupName) => {
    const error = propsError(() => new AuditLog(newStack(), 'Audit', { logGroupName }));
    expect(error).toMatchObject({ construct: 'AuditLog', field: 'logGroupName' });
  });

  it('refuses a retention that is not a RetentionDays value', () => {
    const error = propsError(() => new AuditLog(newStack(), 'Audit', { retention: 2 as logs.RetentionDays }));
    expect(error).toMatchObject({ field: 'retention' });
  });

  it('refuses an imported key, whose policy it cannot extend', () => {
    const stack = newStack();
    const imported = kms.Key.fromKeyArn(
      stack,
      'Imported',
      'arn:aws:kms:us-east-1:123456789012:key/abcd-1234',
    );
    const error = propsError(() => new AuditLog(stack, 'Audit', { encryptionKey: imported }));
    expect(error).toMatchObject({ field: 'encryptionKey' });
  });
});

describe('AuditLog and cdk-nag', () => {
  it('synthesises with no finding, with its own key and with a SecretsKey', () => {
    const app = nagApp();
    const stack = newStack(app);
    const role = new iam.Role(stack, 'Writer', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    new AuditLog(stack, 'Own', { logGroupName: NAME }).grantWrite(role);
    const key = new SecretsKey(stack, 'Key', { alias: 'keystage/prod/billing' });
    new AuditLog(stack, 'Shared', { logGroupName: `${NAME}-2`, encryptionKey: key }).grantWrite(role);
    expectNoNagFindings(app);
  });
});

describe('the example app wiring', () => {
  const app = buildApp(
    new App({
      outdir: mkdtempSync(join(tmpdir(), 'keystage-audit-app-')),
      context: { 'keystage:environments': 'staging' },
    }),
  );
  // Synthesised first: with cdk-nag's plugin, synth throws on any finding.
  app.synth();
  const consumers = app.node.findChild('keystage-billing-staging-consumers') as ConsumersStack;
  const t = Template.fromStack(consumers);
  const auditArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditLogLogGroup'), 'Arn'] };
  const writes = Match.objectLike({ Action: AUDIT_WRITE_ACTIONS, Resource: auditArn });

  it('gives the consumers an encrypted audit log named after the environment', () => {
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/keystage/staging/billing/audit',
      KmsKeyId: Match.anyValue(),
    });
  });

  it('lets the ECS task role and the Lambda role write to it', () => {
    for (const role of [consumers.service.taskDefinition.taskRole, consumers.function.role!]) {
      const roleRef = consumers.resolve((role.node.defaultChild as iam.CfnRole).ref);
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: Match.arrayWith([roleRef]),
        PolicyDocument: { Statement: Match.arrayWith([writes]) },
      });
    }
  });

  it('tells both the group name in their environment, as a plain name', () => {
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Environment: [{ Name: 'KEYSTAGE_AUDIT_LOG_GROUP', Value: '/keystage/staging/billing/audit' }],
        }),
      ],
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ KEYSTAGE_AUDIT_LOG_GROUP: '/keystage/staging/billing/audit' }),
      },
    });
  });

  it('synthesises cdk-nag clean, not even a warning left', () => {
    expect(nagFindings(app)).toEqual([]);
  });
});
