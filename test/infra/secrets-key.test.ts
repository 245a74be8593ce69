import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SecretsKey, type SecretsKeyProps } from '../../infra';
import { expectNoNagFindings, nagApp } from '../support/nag';
import { propsError } from '../support/props-error';

const ENV = { account: '123456789012', region: 'us-east-1' };
const newStack = (app = new App()) => new Stack(app, 'Test', { env: ENV });

const CRYPTO = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/** The key policy statement that allows use through the listed services. */
const viaServiceStatement = (services: string[]) =>
  Match.objectLike({
    Effect: 'Allow',
    Principal: { AWS: Match.anyValue() },
    Action: CRYPTO,
    Resource: '*',
    Condition: {
      StringEquals: {
        'kms:ViaService': services.map((service) => `${service}.us-east-1.amazonaws.com`),
        'kms:CallerAccount': '123456789012',
      },
    },
  });

describe('SecretsKey resources', () => {
  it('rotates yearly, has its alias, keeps the key by default and is single-Region by default', () => {
    const stack = newStack();
    const key = new SecretsKey(stack, 'Key', { alias: 'keystage/prod/billing' });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({
        EnableKeyRotation: true,
        Description: 'keystage secrets key',
        PendingWindowInDays: 30,
        MultiRegion: false,
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    t.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/keystage/prod/billing',
      TargetKeyId: stack.resolve(key.key.keyArn),
    });
    expect(stack.resolve(key.keyArn)).toEqual(stack.resolve(key.key.keyArn));
  });

  it('takes the alias with or without the alias/ prefix', () => {
    const stack = newStack();
    new SecretsKey(stack, 'A', { alias: 'alias/one' });
    new SecretsKey(stack, 'B', { alias: 'two_2-x' });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/one' });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/two_2-x' });
  });

  it('keeps the account admin statement and allows use through Secrets Manager only, from this account', () => {
    const stack = newStack();
    new SecretsKey(stack, 'Key', { alias: 'k' });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: [
          Match.objectLike({
            Effect: 'Allow',
            Action: 'kms:*',
            Principal: {
              AWS: { 'Fn::Join': ['', Match.arrayWith([':iam::123456789012:root'])] },
            },
          }),
          viaServiceStatement(['secretsmanager']),
        ],
      },
    });
  });

  it('is multi-Region, usable through SSM too, and deletable when asked', () => {
    const stack = newStack();
    new SecretsKey(stack, 'Key', {
      alias: 'k',
      description: 'billing secrets',
      multiRegion: true,
      viaServices: ['secretsmanager', 'ssm'],
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    const t = Template.fromStack(stack);
    t.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({
        MultiRegion: true,
        Description: 'billing secrets',
        PendingWindowInDays: 7,
        KeyPolicy: { Statement: Match.arrayWith([viaServiceStatement(['secretsmanager', 'ssm'])]) },
      }),
      DeletionPolicy: 'Delete',
    });
  });
});

describe('SecretsKey grants', () => {
  const setup = (props: Partial<SecretsKeyProps> = {}) => {
    const stack = newStack();
    const key = new SecretsKey(stack, 'Key', { alias: 'k', ...props });
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    return { stack, key, role };
  };

  it('grantDecryptViaService: kms:Decrypt on this key through Secrets Manager only', () => {
    const { stack, key, role } = setup();
    const grant = key.grantDecryptViaService(role);
    expect(grant.success).toBe(true);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [stack.resolve(role.roleName)],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: stack.resolve(key.keyArn),
            Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
          },
        ],
      },
    });
  });

  it('grantEncryptDecryptViaService: encrypt, decrypt and data keys through the service asked for', () => {
    const { stack, key, role } = setup({ viaServices: ['secretsmanager', 'ssm'] });
    key.grantEncryptDecryptViaService(role, 'ssm');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
            Resource: stack.resolve(key.keyArn),
            Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } },
          },
        ],
      },
    });
  });

  it('refuses a grant through a service the key policy does not list', () => {
    const { key, role } = setup();
    const error = propsError(() => key.grantDecryptViaService(role, 'ssm'));
    expect(error).toMatchObject({ construct: 'SecretsKey', field: 'service' });
    expect(error.message).toMatch(/allows use through \(secretsmanager\); got "ssm"\./);
  });
});

describe('SecretsKey replica keys', () => {
  it('names the key under its alias in each replica region', () => {
    const stack = newStack();
    const key = new SecretsKey(stack, 'Key', {
      alias: 'keystage/prod/billing',
      replicaRegions: ['eu-west-1'],
    });
    expect(stack.resolve(key.replicaKeyArn('eu-west-1'))).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-west-1:123456789012:alias/keystage/prod/billing'],
      ],
    });
    expect(key.replicaRegions).toEqual(['eu-west-1']);
  });

  it('has no replica key in a region it does not list', () => {
    const key = new SecretsKey(newStack(), 'Key', { alias: 'k', replicaRegions: ['eu-west-1'] });
    const error = propsError(() => key.replicaKeyArn('ap-south-1'));
    expect(error).toMatchObject({ construct: 'SecretsKey', field: 'replicaRegions' });
    expect(error.message).toMatch(/no replica key in "ap-south-1"; got eu-west-1\./);
  });

  it('changes nothing in its own template', () => {
    const plain = newStack();
    new SecretsKey(plain, 'Key', { alias: 'k' });
    const replicated = newStack();
    new SecretsKey(replicated, 'Key', { alias: 'k', replicaRegions: ['eu-west-1'] });
    expect(Template.fromStack(replicated).toJSON()).toEqual(Template.fromStack(plain).toJSON());
  });
});

describe('SecretsKey props', () => {
  it.each<[string, Partial<SecretsKeyProps>, string, RegExp]>([
    ['a space in the alias', { alias: 'has space' }, 'alias', /"has space"/],
    ['an empty alias', { alias: '' }, 'alias', /got ""/],
    ['a bare alias/ prefix', { alias: 'alias/' }, 'alias', /"alias\/"/],
    ['an alias over 250 characters', { alias: 'a'.repeat(251) }, 'alias', /got "a{60}…"/],
    ['an aws/ alias', { alias: 'aws/secretsmanager' }, 'alias', /reserves; got "aws\/secretsmanager"/],
    ['an alias/aws/ alias', { alias: 'alias/aws/x' }, 'alias', /reserves; got "alias\/aws\/x"/],
    ['no via services', { alias: 'k', viaServices: [] }, 'viaServices', /got \[\]/],
    ['an unknown via service', { alias: 'k', viaServices: ['s3' as 'ssm'] }, 'viaServices', /got "s3"/],
    ['a 3-day pending window', { alias: 'k', pendingWindow: Duration.days(3) }, 'pendingWindow', /3 days/],
    ['a 31-day pending window', { alias: 'k', pendingWindow: Duration.days(31) }, 'pendingWindow', /31 days/],
    ['a bad replica region', { alias: 'k', replicaRegions: ['Europe'] }, 'replicaRegions', /got "Europe"/],
    [
      'a replica region twice',
      { alias: 'k', replicaRegions: ['eu-west-1', 'eu-west-1'] },
      'replicaRegions',
      /"eu-west-1" twice/,
    ],
    [
      "the key's own region as a replica region",
      { alias: 'k', replicaRegions: ['us-east-1'] },
      'replicaRegions',
      /own region "us-east-1"/,
    ],
    [
      'a pending window of part days',
      { alias: 'k', pendingWindow: Duration.hours(200) },
      'pendingWindow',
      /8 days 8 hours/,
    ],
  ])('rejects %s', (_what, override, prop, value) => {
    const stack = newStack();
    const error = propsError(() => new SecretsKey(stack, 'Key', { alias: 'k', ...override }));
    expect(error).toMatchObject({ construct: 'SecretsKey', prop });
    expect(error.message).toMatch(new RegExp(`^SecretsKey: ${prop} `));
    expect(error.message).toMatch(value);
    // Checked before anything is created.
    expect(stack.node.tryFindChild('Key')?.node.children ?? []).toHaveLength(0);
  });

  it('accepts a 250-character alias', () => {
    expect(() => new SecretsKey(newStack(), 'Key', { alias: `alias/${'a'.repeat(250)}` })).not.toThrow();
  });
});

describe('SecretsKey and cdk-nag AwsSolutions (RELIABILITY 24)', () => {
  it('has no finding, default or fully configured, with grants', () => {
    const app = nagApp();
    const stack = newStack(app);
    new SecretsKey(stack, 'Plain', { alias: 'plain' });
    const key = new SecretsKey(stack, 'Full', {
      alias: 'alias/full',
      multiRegion: true,
      viaServices: ['secretsmanager', 'ssm'],
    });
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    key.grantDecryptViaService(role);
    key.grantEncryptDecryptViaService(role, 'ssm');
    expectNoNagFindings(app);
  });
});
