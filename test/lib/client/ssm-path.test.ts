import { DeleteParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { SecretsClient } from '../../../lib/client';
import { FakeClock } from '../../support/fake-clock';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

let local: LocalFixture;
let admin: SSMClient;

beforeAll(async () => {
  local = await startLocal();
  admin = local.ssm();
  for (const [Name, Value, Type] of [
    ['/prod/billing/db_url', 'postgres://billing-secret', 'SecureString'],
    ['/prod/billing/region', 'eu-west-1', 'String'],
    ['/prod/billing/hosts', 'a,b', 'StringList'],
    ['/prod/billing/replica/url', 'postgres://replica-secret', 'SecureString'],
    ['/prod/shipping/key', 'shipping-secret', 'SecureString'],
  ] as const) {
    await admin.send(new PutParameterCommand({ Name, Value, Type }));
  }
  for (let i = 0; i < 23; i++) {
    await admin.send(
      new PutParameterCommand({
        Name: `/bulk/p${String(i).padStart(2, '0')}`,
        Value: `bulk-${i}`,
        Type: 'SecureString',
      }),
    );
  }
});
afterAll(() => local.endpoint.close());

function recorded(client: SSMClient): string[] {
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize' },
  );
  return sent;
}

function secretsClient() {
  const ssm = local.ssm();
  const sent = recorded(ssm);
  const client = new SecretsClient({ secretsManager: local.sm(), ssm, clock: new FakeClock() });
  return { client, sent };
}

describe('SecretsClient.getByPath', () => {
  it('reads one level under the path, decrypted, keyed by ssm: id with type and version', async () => {
    const { client } = secretsClient();
    const { values, errors } = await client.getByPath('/prod/billing');
    expect(errors.size).toBe(0);
    expect([...values.keys()]).toEqual([
      'ssm:/prod/billing/db_url',
      'ssm:/prod/billing/hosts',
      'ssm:/prod/billing/region',
    ]);
    expect(values.get('ssm:/prod/billing/db_url')).toEqual({
      id: 'ssm:/prod/billing/db_url',
      arn: 'arn:aws:ssm:us-east-1:000000000000:parameter/prod/billing/db_url',
      name: '/prod/billing/db_url',
      versionId: expect.stringMatching(/^1@\d+$/),
      versionStages: [],
      value: 'postgres://billing-secret',
      binary: undefined,
      version: 1,
      type: 'SecureString',
    });
    expect(values.get('ssm:/prod/billing/hosts')).toMatchObject({ type: 'StringList', value: 'a,b' });
  });

  it('reads every level with recursive, and takes ssm: and a trailing slash in the path', async () => {
    const { client } = secretsClient();
    const { values } = await client.getByPath('ssm:/prod/billing/', { recursive: true });
    expect([...values.keys()]).toEqual([
      'ssm:/prod/billing/db_url',
      'ssm:/prod/billing/hosts',
      'ssm:/prod/billing/region',
      'ssm:/prod/billing/replica/url',
    ]);
  });

  it('lists with GetParametersByPath pages and reads 10 values per GetParameters', async () => {
    const { client, sent } = secretsClient();
    const { values } = await client.getByPath('/bulk');
    expect(values.size).toBe(23);
    expect(values.get('ssm:/bulk/p22')?.value).toBe('bulk-22');
    expect(sent).toEqual([
      ...Array.from({ length: 3 }, () => 'GetParametersByPathCommand'),
      ...Array.from({ length: 3 }, () => 'GetParametersCommand'),
    ]);
  });

  it('leaves what it read in the cache: a get that follows makes no call', async () => {
    const { client, sent } = secretsClient();
    await client.getByPath('/prod/billing');
    sent.length = 0;
    await expect(client.get('ssm:/prod/billing/db_url')).resolves.toBe('postgres://billing-secret');
    expect(sent).toEqual([]);
  });

  it('answers an empty result for a path with no parameters', async () => {
    const { client } = secretsClient();
    await expect(client.getByPath('/nothing/here')).resolves.toMatchObject({
      values: new Map(),
      errors: new Map(),
    });
  });

  it('reports a parameter deleted between the listing and the read as a per-id error', async () => {
    await admin.send(new PutParameterCommand({ Name: '/race/a', Value: 'a', Type: 'String' }));
    await admin.send(new PutParameterCommand({ Name: '/race/b', Value: 'b', Type: 'String' }));
    const ssm = local.ssm();
    ssm.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetParametersCommand') {
          await admin.send(new DeleteParameterCommand({ Name: '/race/b' }));
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const client = new SecretsClient({ secretsManager: local.sm(), ssm });
    const { values, errors } = await client.getByPath('/race');
    expect([...values.keys()]).toEqual(['ssm:/race/a']);
    expect(errors.get('ssm:/race/b')).toMatchObject({ code: 'SECRET_NOT_FOUND' });
  });

  it.each([
    ['a path without a leading slash', 'prod/billing', {}, 'path'],
    ['a path with a doubled slash', '/prod//billing', {}, 'path'],
    ['the Secrets Manager reference path', '/aws/reference/secretsmanager', {}, 'path'],
    ['a path under it', 'ssm:/aws/reference/secretsmanager/app/', {}, 'path'],
    ['an unknown option', '/prod', { recursively: true }, 'recursively'],
    ['a recursive that is not a boolean', '/prod', { recursive: 'yes' }, 'recursive'],
  ])('refuses %s before any call', async (_what, path, options, field) => {
    const { client, sent } = secretsClient();
    await expect(client.getByPath(path, options as never)).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field,
    });
    expect(sent).toEqual([]);
  });
});
