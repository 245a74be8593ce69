import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedSecret, RotationStrategy, SecretRotation, SecretsKey } from '../../infra';
import { acknowledge } from '../../infra/constructs/props';
import { expectNagClean, nagApp } from '../support/nag';
import { scanTemplate } from '../support/template-scan';

// RotationStrategy.certificate: the function gets the CA secret's ARN (never its value) and may
// only read that secret, through Secrets Manager only for its key. The bundle itself is built
// and run by test/rotation-lambdas/bundle.test.ts; here a stub stands in for it.

const ENV = { account: '123456789012', region: 'us-east-1' };
let bundleDir: string;
let shared: Template;

beforeAll(() => {
  bundleDir = mkdtempSync(join(tmpdir(), 'keystage-cert-bundle-'));
  mkdirSync(join(bundleDir, 'certificate'));
  writeFileSync(join(bundleDir, 'certificate', 'index.js'), 'exports.handler = async () => undefined;\n');
  shared = certificateRotation().template();
});
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

function certificateRotation(app: App = new App()) {
  const s = new Stack(app, 'Certificates', { env: ENV });
  const key = new SecretsKey(s, 'Key', { alias: 'keystage/pki' });
  const caKey = new SecretsKey(s, 'CaKey', { alias: 'keystage/pki-ca' });
  const ca = new ManagedSecret(s, 'Ca', { environment: 'prod', service: 'pki', name: 'ca', key: caKey });
  const leaf = new ManagedSecret(s, 'Leaf', { environment: 'prod', service: 'api', name: 'tls', key });
  const rotation = new SecretRotation(s, 'Rotation', {
    secret: leaf.secret,
    encryptionKey: key.key,
    strategy: RotationStrategy.certificate({ caSecret: ca.secret, caEncryptionKey: caKey.key }),
    schedule: { every: Duration.days(30) },
    bundleDir,
  });
  return { s, ca, rotation, template: () => Template.fromStack(s) };
}

describe('RotationStrategy.certificate', () => {
  it('gives the function the CA secret ARN as CA_SECRET_ARN and nothing else', () => {
    const template = shared;
    const functions = template.findResources('AWS::Lambda::Function');
    const [fn] = Object.values(functions) as Array<{
      Properties: { Environment: { Variables: Record<string, unknown> } };
    }>;
    expect(fn!.Properties.Environment.Variables).toEqual({
      CA_SECRET_ARN: { Ref: expect.stringMatching(/^CaSecret/) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: 'keystage certificate rotation' });
    expect(scanTemplate(template.toJSON())).toEqual([]);
  });

  it('lets the role read the CA secret only, and decrypt its key only through Secrets Manager', () => {
    const template = shared;
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'secretsmanager:GetSecretValue',
            Effect: 'Allow',
            Resource: { Ref: Match.stringLikeRegexp('^CaSecret') },
          },
          Match.objectLike({
            Action: 'kms:Decrypt',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CaKey'), 'Arn'] },
            Condition: { StringEquals: Match.objectLike({ 'kms:ViaService': Match.anyValue() }) },
          }),
        ]),
      },
    });
    // No write of any kind names the CA secret.
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{
      Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } };
    }>;
    const onCa = policies
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement) => JSON.stringify(statement.Resource).includes('CaSecret'));
    expect(onCa.flatMap((statement) => [statement.Action].flat())).toEqual(['secretsmanager:GetSecretValue']);
  });

  it('uses the full ARN of a CA secret imported by ARN', () => {
    const s = new Stack(new App(), 'Imported', { env: ENV });
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/pki/ca-AbCdEf';
    const leaf = new ManagedSecret(s, 'Leaf', {
      environment: 'prod',
      service: 'api',
      name: 'tls',
      key: new SecretsKey(s, 'Key', { alias: 'k' }),
    });
    new SecretRotation(s, 'Rotation', {
      secret: leaf.secret,
      strategy: RotationStrategy.certificate({ caSecret: Secret.fromSecretCompleteArn(s, 'Ca', arn) }),
      schedule: { every: Duration.days(30) },
      bundleDir,
    });
    Template.fromStack(s).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { CA_SECRET_ARN: arn } },
    });
  });

  it('requires caSecret, naming it', () => {
    expect(() => RotationStrategy.certificate({} as never)).toThrow(
      expect.objectContaining({ name: 'InfraPropsError', prop: 'caSecret' }),
    );
  });

  it('passes cdk-nag AwsSolutions; the CA secret alone needs its no-rotation finding acknowledged', () => {
    const app = nagApp();
    const { ca } = certificateRotation(app);
    acknowledge(
      ca.secret,
      'AwsSolutions-SMG4',
      'The CA is renewed by its operators, not on a schedule: a new CA must reach every trust store first.',
    );
    expectNagClean(app);
  });
});
