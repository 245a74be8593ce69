import { CommitmentPolicy, KmsKeyringNode, buildClient } from '@aws-crypto/client-node';
import { CreateKeyCommand, KMS, type KMSClient } from '@aws-sdk/client-kms';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { SecretsClient, type SecretsClientOptions } from '../../../lib/client';
import { SECRET_CONTEXT_KEYS } from '../../../lib/crypto';
import { ConfigurationError, KeystageError, SecretDecodeError, ValidationError } from '../../../lib/errors';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

const PLANTED = 'planted-7hQ2-never-shown';
const VALUE = { username: 'app', password: PLANTED };

let local: LocalFixture;
let keyArn: string;
let n = 0;
const name = () => `ej${++n}`;

beforeAll(async () => {
  local = await startLocal();
  keyArn = (await local.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
});
afterAll(() => local.endpoint.close());

/** Counts the commands a client sends, by name. */
function countCalls(client: KMSClient | SecretsManagerClient): Map<string, number> {
  const counts = new Map<string, number>();
  (client.middlewareStack as { add: (mw: unknown, opts: unknown) => void }).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
      const command = context.commandName ?? 'unknown';
      counts.set(command, (counts.get(command) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return counts;
}

function client(
  envelope: SecretsClientOptions['envelope'] | null = { keyId: keyArn },
  extra: SecretsClientOptions = {},
) {
  const kms = local.kms();
  const sm = local.sm();
  const kmsCalls = countCalls(kms);
  const smCalls = countCalls(sm);
  const secrets = new SecretsClient({
    secretsManager: sm,
    kms,
    ...(envelope === null ? {} : { envelope }),
    ...extra,
  });
  return { secrets, sm, kmsCalls, smCalls, decrypts: () => kmsCalls.get('DecryptCommand') ?? 0 };
}

async function stored(sm: SecretsManagerClient, id: string, versionId?: string) {
  return sm.send(
    new GetSecretValueCommand({ SecretId: id, ...(versionId === undefined ? {} : { VersionId: versionId }) }),
  );
}

describe('SecretsClient kind encrypted-json', () => {
  describe('create and read', () => {
    it('round-trips through create, get and getJson', async () => {
      const { secrets } = client();
      const ref = await secrets.create({ name: name(), kind: 'encrypted-json', value: VALUE });
      expect(await secrets.getJson(ref.name)).toEqual(VALUE);
      expect(JSON.parse(await secrets.get(ref.name, { versionId: ref.versionId }))).toEqual(VALUE);
    });

    it('stores an envelope document whose VersionId and ARN are the context, never the plaintext', async () => {
      const { secrets, sm } = client();
      const ref = await secrets.create({
        name: name(),
        kind: 'encrypted-json',
        value: JSON.stringify(VALUE),
      });
      const raw = await stored(sm, ref.name);
      expect(raw.VersionId).toBe(ref.versionId);
      expect(raw.ARN).toBe(ref.arn);
      expect(raw.SecretString).not.toContain(PLANTED);
      const document = JSON.parse(raw.SecretString!) as Record<string, unknown>;
      expect(Object.keys(document)).toEqual(['keystage:envelope', 'message']);
      expect(document['keystage:envelope']).toBe(1);

      // Any Encryption SDK reads it, given the key and the context.
      const sdkKms = new KMS({
        endpoint: local.endpoint.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
      const keyring = new KmsKeyringNode({ keyIds: [keyArn], clientProvider: () => sdkKms });
      const { plaintext, messageHeader } = await sdk.decrypt(
        keyring,
        Buffer.from(document.message as string, 'base64'),
      );
      expect(JSON.parse(plaintext.toString('utf8'))).toEqual(VALUE);
      expect(messageHeader.encryptionContext).toEqual({
        [SECRET_CONTEXT_KEYS.arn]: ref.arn,
        [SECRET_CONTEXT_KEYS.versionId]: ref.versionId,
      });
    });

    it('tags the secret with its kind', async () => {
      const { secrets, sm } = client();
      const ref = await secrets.create({ name: name(), kind: 'encrypted-json', value: VALUE });
      const described = await sm.send(new DescribeSecretCommand({ SecretId: ref.arn }));
      expect(described.Tags).toContainEqual({ Key: 'keystage:type', Value: 'encrypted-json' });
    });

    it.each([
      ['no value', { value: undefined }, 'value'],
      ['bytes', { value: new Uint8Array([1]) }, 'value'],
      ['text that is not JSON', { value: 'plain' }, 'value'],
      ['replicas', { value: VALUE, replicaRegions: ['eu-west-1'] }, 'replicaRegions'],
    ])('refuses %s before any call', async (_what, options, field) => {
      const { secrets, smCalls } = client();
      await expect(
        secrets.create({ name: name(), kind: 'encrypted-json', ...options }),
      ).rejects.toMatchObject({
        code: 'VALIDATION_ERROR',
        field,
      });
      expect(smCalls.size).toBe(0);
    });

    it('needs the client envelope, and creates nothing without it', async () => {
      const { secrets, smCalls } = client(null);
      const error = await secrets
        .create({ name: name(), kind: 'encrypted-json', value: VALUE })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({ variable: 'envelope' });
      expect(smCalls.get('CreateSecretCommand')).toBeUndefined();
    });

    it('refuses bad envelope options when the client is built', () => {
      expect(() => client({ keyId: 'alias/app' })).toThrow(
        expect.objectContaining({ field: 'envelope.keyId' }),
      );
      expect(() => client({ keyId: keyArn, cache: { maxAgeMs: 1000 } as never })).toThrow(
        expect.objectContaining({ field: 'envelope.cache.maxMessagesEncrypted' }),
      );
      expect(() => client({ keyId: keyArn, cacheDecrypted: 'yes' as never })).toThrow(
        expect.objectContaining({ field: 'envelope.cacheDecrypted' }),
      );
      expect(() => client({ keyId: keyArn, typo: 1 } as never)).toThrow(
        expect.objectContaining({ field: 'envelope.typo' }),
      );
    });

    it('reads fail with CONFIGURATION_ERROR on a client without an envelope, showing no ciphertext as the value', async () => {
      const ref = await client().secrets.create({ name: name(), kind: 'encrypted-json', value: VALUE });
      const { secrets } = client(null);
      await expect(secrets.get(ref.name)).rejects.toBeInstanceOf(ConfigurationError);
      await expect(secrets.getJson(ref.name)).rejects.toBeInstanceOf(ConfigurationError);
    });

    it('is not a binary secret, and getMany reports it per id instead of returning ciphertext', async () => {
      const { secrets } = client();
      const ref = await secrets.create({ name: name(), kind: 'encrypted-json', value: VALUE });
      const plain = await secrets.create({ name: name(), kind: 'json', value: { a: 1 } });
      await expect(secrets.getBinary(ref.name)).rejects.toBeInstanceOf(SecretDecodeError);
      const { values, errors } = await secrets.getMany([ref.name, plain.name]);
      expect([...values.keys()]).toEqual([plain.name]);
      expect(errors.get(ref.name)).toBeInstanceOf(SecretDecodeError);
    });

    it('hands withSecret the decrypted value', async () => {
      const { secrets } = client();
      const ref = await secrets.create({ name: name(), kind: 'encrypted-json', value: VALUE });
      await expect(secrets.withSecret(ref.name, async (text) => JSON.parse(text).username)).resolves.toBe(
        'app',
      );
    });
  });

  describe('put', () => {
    it('stores a new encrypted version that becomes current, with the token as its VersionId', async () => {
      const { secrets, sm } = client();
      const ref = await secrets.create({ name: name(), kind: 'encrypted-json', value: VALUE });
      const token = randomUUID();
      const versionId = await secrets.put(
        ref.name,
        { ...VALUE, password: 'second' },
        { kind: 'encrypted-json', clientRequestToken: token },
      );
      expect(versionId).toBe(token);
      expect(await secrets.getJson(ref.name)).toEqual({ ...VALUE, password: 'second' });
      expect(await secrets.getJson(ref.name, { versionStage: 'AWSPREVIOUS' })).toEqual(VALUE);
      expect((await stored(sm, ref.name)).SecretString).not.toContain('second');
    });

    it('treats a retry with the same token and value as done, and a different value as a conflict', async () => {
      const { secrets } = client();
      const ref = await secrets.create({ name: name(), kind: 'encrypted-json', value: VALUE });
      const token = randomUUID();
      await secrets.put(ref.name, { v: 2 }, { kind: 'encrypted-json', clientRequestToken: token });
      await expect(
        secrets.put(ref.name, { v: 2 }, { kind: 'encrypted-json', clientRequestToken: token }),
      ).resolves.toBe(token);
      await expect(
        secrets.put(ref.name, { v: 3 }, { kind: 'encrypted-json', clientRequestToken: token }),
      ).rejects.toMatchObject({
        code: 'CONFLICT',
      });
    });

    it.each<[string, string | Uint8Array | object, boolean]>([
      ['an object', { ...VALUE, password: 'downgraded' }, true],
      ['text', 'downgraded', true],
      ['bytes', Buffer.from('downgraded'), true],
      ['an object, from a client without an envelope,', { password: 'downgraded' }, false],
    ])(
      'refuses a plain put of %s into an encrypted-json secret, leaving the current version as it was',
      async (_what, value, withEnvelope) => {
        const ref = await client().secrets.create({ name: name(), kind: 'encrypted-json', value: VALUE });
        const { secrets, sm, smCalls } = client(withEnvelope ? { keyId: keyArn } : null);
        const before = await stored(sm, ref.arn);
        const error = await secrets.put(ref.name, value).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect(error).toMatchObject({ field: 'kind' });
        expect((error as Error).message).toContain("{ kind: 'encrypted-json' }");
        expect(smCalls.get('PutSecretValueCommand')).toBeUndefined();
        const after = await stored(sm, ref.arn);
        expect(after.VersionId).toBe(before.VersionId);
        expect(after.SecretString).toBe(before.SecretString);
        const { Versions } = await sm.send(new ListSecretVersionIdsCommand({ SecretId: ref.arn }));
        expect(Versions).toHaveLength(1);
        expect(await client().secrets.getJson(ref.name)).toEqual(VALUE);
      },
    );

    it('refuses to put an encrypted-json value into a secret of another kind', async () => {
      const { secrets, sm } = client();
      const plain = await secrets.create({ name: name(), kind: 'json', value: { a: 1 } });
      await expect(secrets.put(plain.name, { a: 2 }, { kind: 'encrypted-json' })).rejects.toMatchObject({
        field: 'kind',
      });
      expect((await stored(sm, plain.arn)).VersionId).toBe(plain.versionId);
      // A plain put into it still works.
      await secrets.put(plain.name, { a: 3 });
      expect(await secrets.getJson(plain.name)).toEqual({ a: 3 });
    });

    it('refuses a bad kind or a non-JSON value', async () => {
      const { secrets } = client();
      await expect(secrets.put('x', { a: 1 }, { kind: 'json' as never })).rejects.toMatchObject({
        field: 'kind',
      });
      await expect(secrets.put('x', 'not json', { kind: 'encrypted-json' })).rejects.toMatchObject({
        field: 'value',
      });
    });
  });

  describe('binding to the secret and version', () => {
    it('refuses a value copied from another secret', async () => {
      const { secrets, sm } = client();
      const a = await secrets.create({ name: name(), kind: 'encrypted-json', value: VALUE });
      const b = await secrets.create({ name: name(), kind: 'encrypted-json', value: { other: true } });
      const copied = (await stored(sm, a.arn)).SecretString!;
      await sm.send(new PutSecretValueCommand({ SecretId: b.arn, SecretString: copied }));
      const error = await secrets.getJson(b.name).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SecretDecodeError);
      expect((error as Error).message).toMatch(/keystage:secret-arn/);
    });

    it('refuses a value copied into another version of the same secret', async () => {
      const { secrets, sm } = client();
      const a = await secrets.create({ name: name(), kind: 'encrypted-json', value: VALUE });
      const old = (await stored(sm, a.arn)).SecretString!;
      await secrets.put(a.name, { v: 2 }, { kind: 'encrypted-json' });
      await sm.send(new PutSecretValueCommand({ SecretId: a.arn, SecretString: old }));
      const error = await secrets.get(a.name).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SecretDecodeError);
      expect((error as Error).message).toMatch(/keystage:secret-version-id/);
    });
  });

  describe('read cache', () => {
    it('holds ciphertext and decrypts on every read', async () => {
      const { secrets, decrypts, smCalls } = client();
      const ref = await secrets.create({ name: name(), kind: 'encrypted-json', value: VALUE });
      const before = decrypts();
      for (let i = 0; i < 3; i++) expect(await secrets.getJson(ref.name)).toEqual(VALUE);
      expect(await secrets.get(ref.name)).toContain('app');
      expect(smCalls.get('GetSecretValueCommand')).toBe(1);
      expect(decrypts() - before).toBe(4);
      const cached = secrets.cache!.peek(ref.name, {})!;
      expect(cached.text).toBeUndefined();
      expect(Buffer.from(cached.binary!).includes(PLANTED)).toBe(false);
    });

    it('with cacheDecrypted decrypts once per version, and getJson answers a frozen object', async () => {
      const { secrets, decrypts } = client({ keyId: keyArn, cacheDecrypted: true });
      const ref = await secrets.create({ name: name(), kind: 'encrypted-json', value: VALUE });
      const before = decrypts();
      const first = await secrets.getJson(ref.name);
      for (let i = 0; i < 3; i++) await secrets.getJson(ref.name);
      await secrets.get(ref.name);
      expect(decrypts() - before).toBe(1);
      expect(Object.isFrozen(first)).toBe(true);
    });

    it('with a data-key cache decrypts every read but asks KMS once', async () => {
      const { secrets, decrypts } = client({
        keyId: keyArn,
        cache: { maxAgeMs: 60_000, maxMessagesEncrypted: 100, maxBytesEncrypted: 1 << 20 },
      });
      const ref = await secrets.create({ name: name(), kind: 'encrypted-json', value: VALUE });
      const before = decrypts();
      for (let i = 0; i < 5; i++) expect(await secrets.getJson(ref.name)).toEqual(VALUE);
      expect(decrypts() - before).toBe(1);
    });

    it('decrypts per read without a read cache too', async () => {
      const { secrets, decrypts } = client({ keyId: keyArn }, { cache: false });
      const ref = await secrets.create({ name: name(), kind: 'encrypted-json', value: VALUE });
      const before = decrypts();
      await secrets.getJson(ref.name);
      await secrets.getJson(ref.name);
      expect(decrypts() - before).toBe(2);
    });
  });

  describe('no leaks', () => {
    it('never shows the value in errors, JSON or inspect output', async () => {
      const { secrets, sm } = client({ keyId: keyArn, cacheDecrypted: true });
      const ref = await secrets.create({ name: name(), kind: 'encrypted-json', value: VALUE });
      await secrets.getJson(ref.name);
      const other = await secrets.create({ name: name(), kind: 'encrypted-json', value: VALUE });
      await sm.send(
        new PutSecretValueCommand({
          SecretId: other.arn,
          SecretString: (await stored(sm, ref.arn)).SecretString!,
        }),
      );
      const errors = await Promise.all([
        secrets.getJson(other.name).catch((e: unknown) => e),
        secrets.getBinary(ref.name).catch((e: unknown) => e),
        secrets.put(ref.name, PLANTED, { kind: 'encrypted-json' }).catch((e: unknown) => e),
      ]);
      const cached = secrets.cache!.peek(ref.name, {})!;
      const shown = [
        ...errors.flatMap((error) => {
          expect(error).toBeInstanceOf(KeystageError);
          return [(error as Error).message, JSON.stringify(error), inspect(error, { depth: 10 })];
        }),
        JSON.stringify(secrets),
        inspect(secrets, { depth: 10, showHidden: true }),
        inspect(secrets.cache, { depth: 10 }),
        inspect(cached, { depth: 10 }),
        JSON.stringify(cached),
      ];
      for (const text of shown) expect(text).not.toContain(PLANTED);
      expect(errors[2]).toBeInstanceOf(ValidationError);
    });
  });
});
