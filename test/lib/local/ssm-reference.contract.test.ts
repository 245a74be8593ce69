import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

const PREFIX = '/aws/reference/secretsmanager/';

let local: LocalFixture;
let sm: SecretsManagerClient;
let ssm: SSMClient;

beforeAll(async () => {
  local = await startLocal();
  sm = local.sm();
  ssm = local.ssm();
});
afterAll(() => local.endpoint.close());

const read = (Name: string, WithDecryption = true) =>
  ssm.send(new GetParameterCommand({ Name, WithDecryption }));

describe('local SSM references to Secrets Manager (/aws/reference/secretsmanager/)', () => {
  it("answers the secret's AWSCURRENT value as a SecureString of version 0, with the secret's ARN and GetSecretValue as SourceResult", async () => {
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: 'app/db', SecretString: 'first-value' }));
    await sm.send(new PutSecretValueCommand({ SecretId: 'app/db', SecretString: 'second-value' }));
    const { Parameter } = await read(`${PREFIX}app/db`);
    expect(Parameter).toEqual({
      Name: `${PREFIX}app/db`,
      Type: 'SecureString',
      Value: 'second-value',
      Version: 0,
      SourceResult: expect.any(String),
      LastModifiedDate: expect.any(Date),
      ARN,
    });
    expect(JSON.parse(Parameter!.SourceResult!)).toMatchObject({
      ARN,
      Name: 'app/db',
      SecretString: 'second-value',
      VersionStages: ['AWSCURRENT'],
      VersionId: expect.any(String),
    });
  });

  it('selects a version by staging label or VersionId after a colon, answering the Selector', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'app/select', SecretString: 'one' }));
    const { VersionIdsToStages } = await sm.send(new DescribeSecretCommand({ SecretId: 'app/select' }));
    const firstVersion = Object.keys(VersionIdsToStages!)[0]!;
    await sm.send(new PutSecretValueCommand({ SecretId: 'app/select', SecretString: 'two' }));
    await expect(read(`${PREFIX}app/select:AWSPREVIOUS`)).resolves.toMatchObject({
      Parameter: { Name: `${PREFIX}app/select`, Value: 'one', Selector: ':AWSPREVIOUS' },
    });
    await expect(read(`${PREFIX}app/select:${firstVersion}`)).resolves.toMatchObject({
      Parameter: { Value: 'one', Selector: `:${firstVersion}` },
    });
    await expect(read(`${PREFIX}app/select:NOSUCHSTAGE`)).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
  });

  it('needs WithDecryption true, checked before the secret is looked up', async () => {
    for (const input of [{ WithDecryption: false }, {}]) {
      await expect(
        ssm.send(new GetParameterCommand({ Name: `${PREFIX}no/such/secret`, ...input })),
      ).rejects.toMatchObject({
        name: 'ValidationException',
        message: 'WithDecryption flag must be True for retrieving a Secret Manager secret.',
      });
    }
  });

  it('refuses a malformed selector (or an ARN) before the decryption flag', async () => {
    for (const reference of [
      'app/db:AWSCURRENT:extra',
      'app/db:',
      'arn:aws:secretsmanager:us-east-1:000000000000:secret:app/db',
    ]) {
      await expect(read(PREFIX + reference, false)).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('<name>:<version/label>'),
      });
    }
  });

  it('answers ParameterNotFound for a secret that does not exist', async () => {
    await expect(read(`${PREFIX}missing`)).rejects.toMatchObject({
      name: 'ParameterNotFound',
      message: expect.stringContaining('aws/reference/secretsmanager/missing'),
    });
  });

  it('answers a ValidationException for a secret scheduled for deletion', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'app/deleted', SecretString: 'gone' }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'app/deleted', RecoveryWindowInDays: 7 }));
    await expect(read(`${PREFIX}app/deleted`)).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Invalid Request to Secrets Manager'),
    });
  });

  it("honours the secret's resource policy: a denied read is AccessDeniedException", async () => {
    await sm.send(new CreateSecretCommand({ Name: 'app/denied', SecretString: 'locked-value' }));
    await sm.send(
      new PutResourcePolicyCommand({
        SecretId: 'app/denied',
        ResourcePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Deny', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
          ],
        }),
      }),
    );
    const error: unknown = await read(`${PREFIX}app/denied`).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AccessDeniedException' });
    expect(String((error as Error).message)).not.toContain('locked-value');
  });

  it('answers a binary secret without a Value', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'app/binary', SecretBinary: Buffer.from('abc') }));
    const { Parameter } = await read(`${PREFIX}app/binary`);
    expect(Parameter).toMatchObject({ Type: 'SecureString', Version: 0 });
    expect(Parameter).not.toHaveProperty('Value');
  });

  it('reads references in GetParameters, answering those it cannot in InvalidParameters', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'app/batch', SecretString: 'batch-value' }));
    const answer = await ssm.send(
      new GetParametersCommand({
        Names: [`${PREFIX}app/batch`, `${PREFIX}app/batch:a:b`, `${PREFIX}app/none`],
        WithDecryption: true,
      }),
    );
    expect(answer.Parameters?.map((p) => p.Value)).toEqual(['batch-value']);
    expect(answer.InvalidParameters).toEqual([`${PREFIX}app/batch:a:b`, `${PREFIX}app/none`]);
    const undecrypted = await ssm.send(new GetParametersCommand({ Names: [`${PREFIX}app/batch`] }));
    expect(undecrypted).toMatchObject({ Parameters: [], InvalidParameters: [`${PREFIX}app/batch`] });
  });
});
