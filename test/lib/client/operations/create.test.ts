import { GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  ResourceExistsException,
  type CreateSecretCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { generateDatabaseCredentials, type CreateSecretOptions } from '../../../../lib';
import {
  arnOf,
  clientFixture,
  kms,
  meta,
  rejection,
  sm,
  version,
  type ClientFixture,
} from '../../../support/client-fixture';

function sent(): CreateSecretCommandInput {
  return sm.commandCalls(CreateSecretCommand)[0]!.args[0].input;
}

function tagsSent(): Record<string, string> {
  return Object.fromEntries((sent().Tags ?? []).map((t) => [t.Key, t.Value]));
}

describe('SecretsClient.create', () => {
  let f: ClientFixture;
  beforeEach(() => {
    f = clientFixture();
    sm.on(CreateSecretCommand).callsFake((input: CreateSecretCommandInput) => ({
      ARN: arnOf(input.Name!),
      Name: input.Name,
      VersionId: version('v1'),
    }));
  });

  it('names and tags the secret by environment and service and returns its reference', async () => {
    const ref = await f.client.create({
      name: 'stripe',
      kind: 'generic',
      value: 'sk_live_value',
      environment: 'prod',
      service: 'billing',
      description: 'Stripe key',
      kmsKeyId: 'alias/billing',
      tags: { owner: 'team-billing' },
      replicaRegions: ['eu-west-1', 'us-west-2'],
    });
    expect(ref).toEqual({
      arn: arnOf('prod/billing/stripe'),
      name: 'prod/billing/stripe',
      versionId: version('v1'),
    });
    expect(sent()).toMatchObject({
      Name: 'prod/billing/stripe',
      SecretString: 'sk_live_value',
      Description: 'Stripe key',
      KmsKeyId: 'alias/billing',
      AddReplicaRegions: [{ Region: 'eu-west-1' }, { Region: 'us-west-2' }],
    });
    expect(tagsSent()).toEqual({
      owner: 'team-billing',
      'keystage:type': 'generic',
      'keystage:status': 'active',
      'keystage:environment': 'prod',
      'keystage:service': 'billing',
    });
  });

  it('records an audit event without the value', async () => {
    await f.client.create({ name: 'k', kind: 'generic', value: 'v4lue-in-audit?', environment: 'dev' });
    expect(f.events).toEqual([
      expect.objectContaining({
        action: 'create',
        event_type: 'secret_change',
        secret_name: 'dev/k',
        environment: 'dev',
        success: true,
        version_id: version('v1'),
        details: { kind: 'generic', arn: arnOf('dev/k') },
      }),
    ]);
    expect(JSON.stringify(f.events)).not.toContain('v4lue-in-audit?');
  });

  describe('generates the value by kind', () => {
    it('generic: a safe 32-character password', async () => {
      await f.client.create({ name: 'g', kind: 'generic' });
      expect(sent().SecretString).toMatch(/^[A-Za-z0-9._-]{32}$/);
    });

    it('api-key: prefix_body_checksum with the chosen prefix', async () => {
      await f.client.create({ name: 'k', kind: 'api-key', apiKeyPrefix: 'acme' });
      expect(sent().SecretString).toMatch(/^acme_[A-Za-z0-9]{32}_[A-Za-z0-9]{6}$/);
    });

    it('symmetric-key: 32 random bytes as SecretBinary', async () => {
      await f.client.create({ name: 's', kind: 'symmetric-key' });
      expect(sent().SecretBinary).toHaveLength(32);
      expect(sent().SecretString).toBeUndefined();
    });

    it('database: credentials JSON with a generated password', async () => {
      await f.client.create({
        name: 'db',
        kind: 'database',
        database: { engine: 'mysql', host: 'db.internal', dbname: 'app', username: 'app' },
      });
      const json = JSON.parse(sent().SecretString!);
      expect(json).toMatchObject({
        engine: 'mysql',
        host: 'db.internal',
        port: 3306,
        dbname: 'app',
        username: 'app',
      });
      expect(json.password).toMatch(/^[A-Za-z0-9._-]{32}$/);
    });

    it('data-key: the wrapped key only, never the plaintext', async () => {
      const plaintext = Buffer.alloc(32, 0x42);
      kms
        .on(GenerateDataKeyCommand)
        .resolves({ KeyId: 'key-arn', Plaintext: plaintext, CiphertextBlob: Buffer.alloc(64, 1) });
      await f.client.create({ name: 'dk', kind: 'data-key', kmsKeyId: 'alias/app' });
      expect(kms).toHaveReceivedCommandWith(GenerateDataKeyCommand, {
        KeyId: 'alias/app',
        KeySpec: 'AES_256',
      });
      expect(JSON.parse(sent().SecretString!)).toEqual({
        keyId: 'key-arn',
        wrappedKey: Buffer.alloc(64, 1).toString('base64'),
        keySpec: 'AES_256',
      });
      expect(sent().SecretString).not.toContain(Buffer.alloc(32, 0x42).toString('base64'));
    });
  });

  it('records a failed create when KMS cannot make the data key, and creates nothing', async () => {
    kms
      .on(GenerateDataKeyCommand)
      .rejects(Object.assign(new Error('key disabled'), { name: 'DisabledException', $metadata: {} }));
    const error = await rejection(f.client.create({ name: 'dk', kind: 'data-key', kmsKeyId: 'alias/app' }));
    expect(error.code).toBe('CONFLICT');
    expect(sm).not.toHaveReceivedCommand(CreateSecretCommand);
    expect(f.events).toEqual([
      expect.objectContaining({ action: 'create', secret_name: 'dk', success: false, reason: 'CONFLICT' }),
    ]);
  });

  describe('stores a given value', () => {
    it('json: serialised', async () => {
      await f.client.create({ name: 'j', kind: 'json', value: { url: 'https://x', retries: 3 } });
      expect(sent().SecretString).toBe('{"url":"https://x","retries":3}');
    });

    it('database: a DatabaseCredentials through toSecretString, not its redacted JSON', async () => {
      const credentials = generateDatabaseCredentials({ engine: 'postgres', host: 'h', username: 'u' });
      await f.client.create({ name: 'db', kind: 'database', value: credentials });
      expect(JSON.parse(sent().SecretString!).password).toBe(credentials.password);
    });

    it('bytes: as SecretBinary', async () => {
      await f.client.create({ name: 'b', kind: 'generic', value: new Uint8Array([1, 2, 3]) });
      expect(sent().SecretBinary).toEqual(new Uint8Array([1, 2, 3]));
    });
  });

  it('maps an existing name to CONFLICT', async () => {
    const exists = new ResourceExistsException({
      message: 'The operation failed because the secret x already exists.',
      ...meta,
    });
    sm.on(CreateSecretCommand).rejects(exists);
    const error = await rejection(f.client.create({ name: 'x', kind: 'generic' }));
    expect(error).toMatchObject({ code: 'CONFLICT', cause: exists });
    expect(f.events).toEqual([
      expect.objectContaining({ action: 'create', success: false, reason: 'CONFLICT' }),
    ]);
  });

  it.each<[Partial<CreateSecretOptions>, string]>([
    [{ name: 'has space' }, 'name'],
    [{ name: 'x'.repeat(500), environment: 'production', service: 'billing' }, 'name'],
    [{ kind: 'password' as never }, 'kind'],
    [{ environment: 'a/b' }, 'environment'],
    [{ service: '' }, 'service'],
    [{ description: 'd'.repeat(2049) }, 'description'],
    [{ kmsKeyId: '' }, 'kmsKeyId'],
    [{ tags: { 'keystage:status': 'x' } }, 'tags'],
    [{ tags: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`t${i}`, 'v'])) }, 'tags'],
    [{ replicaRegions: ['eu-west-1', 'eu-west-1'] }, 'replicaRegions'],
    [{ replicaRegions: ['mars-1'] }, 'replicaRegions[0]'],
    [{ kind: 'json' }, 'value'],
    [{ kind: 'json', value: 'text' }, 'value'],
    [{ kind: 'database' }, 'database'],
    [{ kind: 'database', database: { engine: 'postgres', host: 'h', username: '' } }, 'username'],
    [{ kind: 'data-key' }, 'kmsKeyId'],
    [{ kind: 'generic', value: { a: 1 } }, 'value'],
    [{ value: 'x'.repeat(65_537) }, 'value'],
    [{ value: '' }, 'value'],
    [{ kind: 'api-key', apiKeyPrefix: 'Bad' }, 'prefix'],
  ])('rejects %p naming %s, before any call', async (override, field) => {
    const options = { name: 'n', kind: 'generic', ...override } as CreateSecretOptions;
    const error = await rejection(f.client.create(options));
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field });
    expect(sm).not.toHaveReceivedAnyCommand();
    expect(kms).not.toHaveReceivedAnyCommand();
  });
});
