import {
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  LimitExceededException,
  ListSecretsCommand,
  PutResourcePolicyCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { request } from 'node:http';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

let local: LocalFixture;
let sm: SecretsManagerClient;
let n = 0;
const unique = (stem: string) => `${stem}-more-${++n}`;

beforeAll(async () => {
  local = await startLocal();
  sm = local.sm();
});
afterAll(() => local.endpoint.close());

describe('local Secrets Manager, more rules', () => {
  it('UpdateSecret changes the description and stores a new AWSCURRENT version', async () => {
    const name = unique('update');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', Description: 'old' }));
    const { VersionId } = await sm.send(
      new UpdateSecretCommand({ SecretId: name, Description: 'new', SecretString: 'v2' }),
    );
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.Description).toBe('new');
    expect(described.VersionIdsToStages?.[VersionId!]).toEqual(['AWSCURRENT']);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('v2');
  });

  it('filters ListSecrets by description, by all fields, and by negation', async () => {
    const stem = unique('filters');
    await sm.send(
      new CreateSecretCommand({ Name: `${stem}/a`, SecretString: 'x', Description: 'payments gateway' }),
    );
    await sm.send(
      new CreateSecretCommand({
        Name: `${stem}/b`,
        SecretString: 'x',
        Tags: [{ Key: 'payments', Value: 'yes' }],
      }),
    );
    const list = async (filters: Array<{ Key: 'description' | 'all' | 'name'; Values: string[] }>) =>
      ((await sm.send(new ListSecretsCommand({ Filters: filters }))).SecretList ?? []).map((s) => s.Name);
    expect(
      await list([
        { Key: 'name', Values: [stem] },
        { Key: 'description', Values: ['payments'] },
      ]),
    ).toEqual([`${stem}/a`]);
    expect(
      await list([
        { Key: 'name', Values: [stem] },
        { Key: 'all', Values: ['payments'] },
      ]),
    ).toEqual([`${stem}/a`, `${stem}/b`]);
    expect(
      await list([
        { Key: 'name', Values: [stem] },
        { Key: 'description', Values: ['!payments'] },
      ]),
    ).toEqual([`${stem}/b`]);
  });

  it('tags and untags, and refuses more than 50 tags', async () => {
    const name = unique('tags');
    await sm.send(
      new CreateSecretCommand({ Name: name, SecretString: 'x', Tags: [{ Key: 'a', Value: '1' }] }),
    );
    await sm.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'b', Value: '2' }] }));
    await sm.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['a'] }));
    expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).Tags).toEqual([
      { Key: 'b', Value: '2' },
    ]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await expect(sm.send(new TagResourceCommand({ SecretId: name, Tags: many }))).rejects.toBeInstanceOf(
      LimitExceededException,
    );
  });

  it('refuses a new secret under a name that is scheduled for deletion', async () => {
    const name = unique('reuse');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    await sm.send(new DeleteSecretCommand({ SecretId: name }));
    await expect(sm.send(new CreateSecretCommand({ Name: name, SecretString: 'y' }))).rejects.toBeInstanceOf(
      InvalidRequestException,
    );
    await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    await expect(sm.send(new CreateSecretCommand({ Name: name, SecretString: 'y' }))).resolves.toBeDefined();
  });

  it('stores, returns and deletes a resource policy, and refuses a malformed one', async () => {
    const name = unique('policy');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 'secretsmanager:DescribeSecret', Resource: '*' },
      ],
    });
    await sm.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: policy }));
    expect((await sm.send(new GetResourcePolicyCommand({ SecretId: name }))).ResourcePolicy).toBe(policy);
    await sm.send(new DeleteResourcePolicyCommand({ SecretId: name }));
    expect((await sm.send(new GetResourcePolicyCommand({ SecretId: name }))).ResourcePolicy).toBeUndefined();
    await expect(
      sm.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: '{not json' })),
    ).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
    });
  });

  it('answers an unknown operation with a JSON error', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        local.endpoint.url,
        {
          method: 'POST',
          headers: {
            'x-amz-target': 'secretsmanager.Frobnicate',
            authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/secretsmanager/aws4_request',
          },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ __type: 'UnknownOperationException' });
  });
});
