import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { RotationStrategy, SecretRotation, type SecretRotationProps } from '../../../infra';

export const ENV = { account: '123456789012', region: 'us-east-1' };

/** A stack with two KMS keys and two secrets encrypted with them (the app and the master user). */
export function fixture(app: App = new App()) {
  const stack = new Stack(app, 'Test', { env: ENV });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const masterKey = new kms.Key(stack, 'MasterKey', { enableKeyRotation: true });
  const secret = new secretsmanager.Secret(stack, 'Db', { encryptionKey: key });
  const master = new secretsmanager.Secret(stack, 'Master', { encryptionKey: masterKey });
  return { app, stack, key, masterKey, secret, master };
}

export type Fixture = ReturnType<typeof fixture>;

/** A SecretRotation of the fixture's secret: postgres-single every 30 days unless `props` say otherwise. */
export function rotation(
  props: Partial<SecretRotationProps> | ((f: Fixture) => Partial<SecretRotationProps>) = {},
) {
  const f = fixture();
  const r = new SecretRotation(f.stack, 'Rotation', {
    secret: f.secret,
    strategy: RotationStrategy.postgresSingle(),
    schedule: { every: Duration.days(30) },
    ...(typeof props === 'function' ? props(f) : props),
  });
  return {
    ...f,
    r,
    /** Synthesises on first use: add constructs before reading it. */
    get template() {
      return Template.fromStack(f.stack);
    },
  };
}

/** The Variables of the only Lambda function in `template`. */
export function variablesOf(template: Template): Record<string, unknown> {
  const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{
    Properties: { Environment?: { Variables?: Record<string, unknown> } };
  }>;
  expect(functions).toHaveLength(1);
  return functions[0]!.Properties.Environment?.Variables ?? {};
}

/** The statements of the IAM policy attached to `role`. */
export function statementsOf(template: Template, stack: Stack, role: iam.IRole): unknown[] {
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [stack.resolve(role.roleName)] },
    }),
  ) as Array<{ Properties: { PolicyDocument: { Statement: unknown[] } } }>;
  expect(policies).toHaveLength(1);
  return policies[0]!.Properties.PolicyDocument.Statement;
}
