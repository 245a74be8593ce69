import {
  CreateSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateKeyCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import {
  DeleteParameterCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { SecretsClient } from '../../../lib/client';
import { FakeClock } from '../../support/fake-clock';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

let local: LocalFixture;
let admin: SSMClient;
const endpointClock = { now: Date.UTC(2026, 0, 1) };

beforeAll(async () => {
  local = await startLocal({ now: () => endpointClock.now });
  admin = local.ssm();
});
afterAll(() => local.endpoint.close());

/** The SDK commands a client sends, by name. */
function recorded<T extends SSMClient | SecretsManagerClient>(client: T): { client: T; sent: string[] } {
  const sent: string[] = [];
  // Both clients take the same middleware; their stacks differ only in their type parameters.
  (client.middlewareStack as unknown as SSMClient['middlewareStack']).add(
    (next, context) => (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize' },
  );
  return { client, sent };
}

function secretsClient(clock = new FakeClock()) {
  const ssm = recorded(local.ssm());
  const sm = recorded(local.sm());
  const client = new SecretsClient({
    secretsManager: sm.client,
    kms: local.kms(),
    ssm: ssm.client,
    clock,
    cache: { ttlMs: 60_000 },
  });
  return { client, clock, ssmSent: ssm.sent, smSent: sm.sent };
}

let counter = 0;
const fresh = (leaf = 'db_url') => `/p${++counter}/billing/${leaf}`;
const put = (
  Name: string,
  Value: string,
  extra: Partial<ConstructorParameters<typeof PutParameterCommand>[0]> = {},
) => admin.send(new PutParameterCommand({ Name, Value, Type: 'SecureString', ...extra }));

describe('SecretsClient reading SSM parameters (ssm: ids)', () => {
  describe('get', () => {
    it('reads a SecureString decrypted, a String and a StringList as their text', async () => {
      const secure = fresh('secure');
      const plain = fresh('plain');
      const list = fresh('list');
      await put(secure, 'postgres://secret-1');
      await put(plain, 'eu-west-1', { Type: 'String' });
      await put(list, 'a,b', { Type: 'StringList' });
      const { client } = secretsClient();
      await expect(client.get(`ssm:${secure}`)).resolves.toBe('postgres://secret-1');
      await expect(client.get(`ssm:${plain}`)).resolves.toBe('eu-west-1');
      await expect(client.get(`ssm:${list}`)).resolves.toBe('a,b');
    });

    it('answers a second read from the cache, and reads the new version once the TTL passed', async () => {
      const name = fresh();
      await put(name, 'v1');
      const { client, clock, ssmSent } = secretsClient();
      await expect(client.get(`ssm:${name}`)).resolves.toBe('v1');
      await expect(client.get(`ssm:${name}`)).resolves.toBe('v1');
      expect(ssmSent).toEqual(['GetParameterCommand']);
      await put(name, 'v2', { Overwrite: true });
      await expect(client.get(`ssm:${name}`)).resolves.toBe('v1');
      clock.advance(61_000);
      await expect(client.get(`ssm:${name}`)).resolves.toBe('v2');
      expect(client.cache?.stats()).toMatchObject({ hits: 2, misses: 2 });
    });

    it('never serves an old value for a parameter deleted and created again (its versions restart at 1)', async () => {
      const name = fresh();
      await put(name, 'before-delete');
      const { client, clock } = secretsClient();
      await expect(client.get(`ssm:${name}`)).resolves.toBe('before-delete');
      await admin.send(new DeleteParameterCommand({ Name: name }));
      endpointClock.now += 1000;
      await put(name, 'after-recreate');
      clock.advance(61_000);
      await expect(client.get(`ssm:${name}`)).resolves.toBe('after-recreate');
      await expect(client.get(`ssm:${name}`, { versionId: '1' })).resolves.toBe('after-recreate');
    });

    it('reads a version by number (versionId) and by label (versionStage); AWSCURRENT is the latest', async () => {
      const name = fresh();
      await put(name, 'one');
      await put(name, 'two', { Overwrite: true });
      await admin.send(
        new LabelParameterVersionCommand({ Name: name, ParameterVersion: 1, Labels: ['stable'] }),
      );
      const { client } = secretsClient();
      await expect(client.get(`ssm:${name}`, { versionId: '1' })).resolves.toBe('one');
      await expect(client.get(`ssm:${name}`, { versionStage: 'stable' })).resolves.toBe('one');
      await expect(client.get(`ssm:${name}`, { versionStage: 'AWSCURRENT' })).resolves.toBe('two');
      await expect(client.get(`ssm:${name}`, { versionId: '7' })).rejects.toMatchObject({
        code: 'SECRET_NOT_FOUND',
      });
    });

    it('parses JSON with getJson, and refuses getBinary: a parameter holds text', async () => {
      const name = fresh();
      await put(name, '{"user":"app","port":5432}');
      const { client } = secretsClient();
      await expect(client.getJson(`ssm:${name}`)).resolves.toEqual({ user: 'app', port: 5432 });
      await expect(client.getBinary(`ssm:${name}`)).rejects.toMatchObject({ code: 'DECODE_ERROR' });
    });

    it('fails with SECRET_NOT_FOUND for a parameter that does not exist, naming the id', async () => {
      const { client } = secretsClient();
      await expect(client.get('ssm:/no/such/parameter')).rejects.toMatchObject({
        code: 'SECRET_NOT_FOUND',
        secretId: 'ssm:/no/such/parameter',
        message: expect.stringContaining('ParameterNotFound'),
      });
    });

    it('fails with PERMISSION_DENIED when the KMS key of a SecureString is disabled', async () => {
      const { KeyMetadata } = await local.kms().send(new CreateKeyCommand({}));
      const name = fresh();
      await put(name, 'locked', { KeyId: KeyMetadata!.KeyId! });
      await local.kms().send(new DisableKeyCommand({ KeyId: KeyMetadata!.KeyId! }));
      const { client } = secretsClient();
      await expect(client.get(`ssm:${name}`)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    });

    it.each([
      ['a selector in the id', 'ssm:/a/b:3', {}, 'id'],
      ['a path without a leading slash', 'ssm:a/b', {}, 'id'],
      ['a doubled slash', 'ssm:/a//b', {}, 'id'],
      ['an empty name', 'ssm:', {}, 'id'],
      [
        'an ARN after the reference path',
        'ssm:/aws/reference/secretsmanager/arn:aws:secretsmanager:x',
        {},
        'id',
      ],
      ['a staging label of Secrets Manager', 'ssm:/a/b', { versionStage: 'AWSPREVIOUS' }, 'versionStage'],
      ['a label starting with a digit', 'ssm:/a/b', { versionStage: '1st' }, 'versionStage'],
      ['a version that is not a number', 'ssm:/a/b', { versionId: 'v1' }, 'versionId'],
      ['both a version and a label', 'ssm:/a/b', { versionId: '1', versionStage: 'x' }, 'versionId'],
    ])('refuses %s before any call', async (_what, id, options, field) => {
      const { client, ssmSent } = secretsClient();
      await expect(client.get(id, options)).rejects.toMatchObject({ code: 'VALIDATION_ERROR', field });
      expect(ssmSent).toEqual([]);
    });

    it('takes a parameter name without a hierarchy as given, whatever the client scope', async () => {
      const name = `flat-${++counter}`;
      await put(name, 'flat-value', { Type: 'String' });
      const scoped = new SecretsClient({
        ssm: local.ssm(),
        secretsManager: local.sm(),
        environment: 'prod',
        service: 'billing',
      });
      expect(scoped.resolveId(`ssm:${name}`)).toBe(`ssm:${name}`);
      await expect(scoped.get(`ssm:${name}`)).resolves.toBe('flat-value');
    });

    it('refuses an ssm: id in a method that reads Secrets Manager only, saying so', async () => {
      const { client } = secretsClient();
      await expect(client.describe('ssm:/a/b')).rejects.toMatchObject({
        code: 'VALIDATION_ERROR',
        message: expect.stringContaining('names an SSM parameter'),
      });
    });
  });

  describe('the SSM client', () => {
    it('is created from ssmConfig on the first ssm: read, with the timeouts', async () => {
      const name = fresh();
      await put(name, 'configured');
      const client = new SecretsClient({
        secretsManager: local.sm(),
        ssmConfig: {
          endpoint: local.endpoint.url,
          region: 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        },
        timeouts: { connectMs: 500, requestMs: 2_000 },
      });
      await expect(client.get(`ssm:${name}`)).resolves.toBe('configured');
      expect(client.ssm.config.requestHandler).toBeDefined();
    });

    it('is the one passed in, and ssm and ssmConfig are exclusive', () => {
      const ssm = local.ssm();
      expect(new SecretsClient({ secretsManager: local.sm(), ssm }).ssm).toBe(ssm);
      expect(() => new SecretsClient({ ssm, ssmConfig: {} })).toThrow(
        expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'ssmConfig' }),
      );
      expect(
        () => new SecretsClient({ ssmConfig: { requestHandler: {} }, timeouts: { requestMs: 1_000 } }),
      ).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'timeouts' }));
    });
  });

  describe('ssm:/aws/reference/secretsmanager/<secret>', () => {
    it('reads the secret through Parameter Store, by staging label or VersionId too', async () => {
      const { VersionId: first } = await local
        .sm()
        .send(new CreateSecretCommand({ Name: 'ref/app/db', SecretString: 'ref-one' }));
      await local.sm().send(new PutSecretValueCommand({ SecretId: 'ref/app/db', SecretString: 'ref-two' }));
      const { client } = secretsClient();
      const id = 'ssm:/aws/reference/secretsmanager/ref/app/db';
      await expect(client.get(id)).resolves.toBe('ref-two');
      await expect(client.get(id, { versionStage: 'AWSPREVIOUS' })).resolves.toBe('ref-one');
      await expect(client.get(id, { versionId: first! })).resolves.toBe('ref-one');
    });

    it("joins the secret's cache entry when the secret is read by name too: invalidating the secret drops both", async () => {
      await local
        .sm()
        .send(new CreateSecretCommand({ Name: 'ref/app/shared', SecretString: 'shared-value' }));
      const { client, smSent, ssmSent } = secretsClient();
      const id = 'ssm:/aws/reference/secretsmanager/ref/app/shared';
      await expect(client.get('ref/app/shared')).resolves.toBe('shared-value');
      await expect(client.get(id)).resolves.toBe('shared-value');
      await expect(client.get(id)).resolves.toBe('shared-value');
      expect([smSent, ssmSent]).toEqual([['GetSecretValueCommand'], ['GetParameterCommand']]);
      expect(client.cache?.invalidate('ref/app/shared')).toBe(true);
      await expect(client.get(id)).resolves.toBe('shared-value');
      expect(ssmSent).toEqual(['GetParameterCommand', 'GetParameterCommand']);
    });

    it('fails with SECRET_NOT_FOUND for a secret that does not exist', async () => {
      const { client } = secretsClient();
      await expect(client.get('ssm:/aws/reference/secretsmanager/ref/none')).rejects.toMatchObject({
        code: 'SECRET_NOT_FOUND',
      });
    });
  });
});
