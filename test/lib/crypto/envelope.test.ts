import { CommitmentPolicy, KmsKeyringNode, buildClient } from '@aws-crypto/client-node';
import { DisableKeyCommand } from '@aws-sdk/client-kms';
import { inspect } from 'node:util';
import { EnvelopeEncryption, MAX_ENVELOPE_PLAINTEXT_BYTES, secretContext } from '../../../lib/crypto';
import { KeystageError, SecretDecodeError, ValidationError } from '../../../lib/errors';
import { startEnvelopeFixture, type EnvelopeFixture } from './envelope-fixture';

const PLANTED = 'planted-Zq81-value-never-shown';
let fx: EnvelopeFixture;
let keyArn: string;

beforeAll(async () => {
  fx = await startEnvelopeFixture();
  keyArn = await fx.newKey();
});
afterAll(() => fx?.local.endpoint.close());

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

function envelope(options: Partial<ConstructorParameters<typeof EnvelopeEncryption>[0]> = {}) {
  return new EnvelopeEncryption({ keyId: keyArn, kms: fx.local.kms(), ...options });
}

describe('EnvelopeEncryption', () => {
  describe('constructor', () => {
    it.each([
      ['an alias', 'alias/app'],
      ['a bare key id', '1234abcd-12ab-34cd-56ef-1234567890ab'],
      ['an alias ARN', 'arn:aws:kms:us-east-1:123456789012:alias/app'],
      ['an empty string', ''],
    ])('refuses %s as keyId: decryption needs the key ARN', (_what, keyId) => {
      expect(() => new EnvelopeEncryption({ keyId })).toThrow(ValidationError);
      expect(() => new EnvelopeEncryption({ keyId })).toThrow(/keyId/);
    });

    it('refuses a bad decryptKeyIds entry, naming its index', () => {
      expect(() => envelope({ decryptKeyIds: [keyArn, 'alias/old'] })).toThrow(
        expect.objectContaining({ field: 'decryptKeyIds[1]' }),
      );
    });

    it('refuses a non-boolean signed', () => {
      expect(() => envelope({ signed: 'yes' as unknown as boolean })).toThrow(
        expect.objectContaining({ field: 'signed' }),
      );
    });
  });

  describe('encrypt and decrypt', () => {
    it.each([true, false])('round-trips strings and bytes (signed: %s)', async (signed) => {
      const env = envelope({ signed });
      const context = { purpose: 'test', team: 'billing' };
      const message = await env.encrypt(PLANTED, { context });
      expect(text(await env.decrypt(message, { expectedContext: context }))).toBe(PLANTED);
      const bytes = new Uint8Array([0, 1, 2, 255]);
      const binary = await env.encrypt(bytes);
      expect([...(await env.decrypt(binary, { expectedContext: {} }))]).toEqual([...bytes]);
    });

    it('writes the committing suite, signed by default and unsigned on request', async () => {
      // Message format v2: byte 0 is the version, bytes 1-2 the suite id.
      const signed = await envelope().encrypt('x');
      const unsigned = await envelope({ signed: false }).encrypt('x');
      expect([signed[0], Buffer.from(signed).readUInt16BE(1)]).toEqual([2, 0x0578]);
      expect([unsigned[0], Buffer.from(unsigned).readUInt16BE(1)]).toEqual([2, 0x0478]);
    });

    it('never writes the plaintext into the message', async () => {
      const message = await envelope().encrypt(PLANTED);
      expect(Buffer.from(message).includes(PLANTED)).toBe(false);
    });

    it('decrypts messages of a key listed in decryptKeyIds, and refuses a key it was not given', async () => {
      const oldKey = await fx.newKey();
      const message = await envelope({ keyId: oldKey }).encrypt('rotated');
      expect(
        text(await envelope({ decryptKeyIds: [oldKey] }).decrypt(message, { expectedContext: {} })),
      ).toBe('rotated');
      await expect(envelope().decrypt(message, { expectedContext: {} })).rejects.toBeInstanceOf(
        SecretDecodeError,
      );
    });

    it.each([
      ['a number', 42],
      ['null', null],
      ['an object', { value: 'x' }],
    ])('refuses %s as plaintext', async (_what, plaintext) => {
      await expect(envelope().encrypt(plaintext as unknown as string)).rejects.toMatchObject({
        field: 'plaintext',
      });
    });

    it('refuses a plaintext over the size limit before calling KMS', async () => {
      const env = envelope();
      await expect(env.encrypt(new Uint8Array(MAX_ENVELOPE_PLAINTEXT_BYTES + 1))).rejects.toMatchObject({
        field: 'plaintext',
      });
      expect(env.stats().kms.generateDataKey).toBe(0);
    });

    it.each([
      ['a reserved aws-crypto- key', { 'aws-crypto-public-key': 'x' }],
      ['a non-string value', { count: 3 }],
      ['an empty key', { '': 'x' }],
      ['an array', ['a']],
    ])('refuses a context with %s', async (_what, context) => {
      await expect(envelope().encrypt('x', { context: context as never })).rejects.toMatchObject({
        code: 'VALIDATION_ERROR',
        field: 'context',
      });
    });

    it('requires expectedContext on decrypt', async () => {
      const message = await envelope().encrypt('x');
      await expect(envelope().decrypt(message, {} as never)).rejects.toMatchObject({
        field: 'expectedContext',
      });
      await expect(
        envelope().decrypt(message, { expectedContext: { 'aws-crypto-x': 'y' } }),
      ).rejects.toMatchObject({
        field: 'expectedContext',
      });
    });

    it('refuses what is not a message', async () => {
      await expect(
        envelope().decrypt('abc' as unknown as Uint8Array, { expectedContext: {} }),
      ).rejects.toMatchObject({
        field: 'message',
      });
      await expect(
        envelope().decrypt(Buffer.from('not a message'), { expectedContext: {} }),
      ).rejects.toBeInstanceOf(SecretDecodeError);
    });
  });

  describe('encryption context', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app/db-AbCdEf';
    const context = secretContext(arn, 'a'.repeat(32));

    it('binds a secret payload to its ARN and VersionId', () => {
      expect(context).toEqual({ 'keystage:secret-arn': arn, 'keystage:secret-version-id': 'a'.repeat(32) });
      expect(() => secretContext('prod/app/db', 'v')).toThrow(ValidationError);
      expect(() => secretContext(arn, '')).toThrow(ValidationError);
    });

    it.each([
      [
        'lacks an expected pair',
        { 'keystage:secret-arn': arn },
        context,
        /no "keystage:secret-version-id" pair/,
      ],
      [
        'has a different value',
        context,
        { ...context, 'keystage:secret-version-id': 'b'.repeat(32) },
        /different value for "keystage:secret-version-id"/,
      ],
      [
        'has an unexpected pair',
        { ...context, tenant: 't1' },
        context,
        /has a "tenant" pair, which was not expected/,
      ],
    ])(
      'refuses a message whose context %s, naming the key only',
      async (_what, written, expected, pattern) => {
        const env = envelope();
        const message = await env.encrypt(PLANTED, { context: written });
        const error = await env.decrypt(message, { expectedContext: expected }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SecretDecodeError);
        expect((error as Error).message).toMatch(pattern);
        for (const value of [PLANTED, arn, 'a'.repeat(32), 'b'.repeat(32), 't1']) {
          expect((error as Error).message).not.toContain(value);
        }
        expect(env.stats().failures).toBe(1);
      },
    );
  });

  describe('interoperability with the AWS Encryption SDK', () => {
    const context = { purpose: 'interop' };

    it('decrypts a message the Encryption SDK wrote with its own KMS keyring', async () => {
      const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
      const keyring = new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider: () => fx.sdkKms() });
      const { result } = await sdk.encrypt(keyring, PLANTED, { encryptionContext: context });
      expect(text(await envelope().decrypt(result, { expectedContext: context }))).toBe(PLANTED);
    });

    it.each([true, false])('writes messages the Encryption SDK decrypts (signed: %s)', async (signed) => {
      const message = await envelope({ signed }).encrypt(PLANTED, { context });
      const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
      const keyring = new KmsKeyringNode({ keyIds: [keyArn], clientProvider: () => fx.sdkKms() });
      const { plaintext, messageHeader } = await sdk.decrypt(keyring, message);
      expect(plaintext.toString('utf8')).toBe(PLANTED);
      expect(messageHeader.encryptionContext).toMatchObject(context);
    });

    it('refuses a message written without key commitment', async () => {
      const legacy = buildClient(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT);
      const keyring = new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider: () => fx.sdkKms() });
      const { result } = await legacy.encrypt(keyring, 'legacy');
      await expect(envelope().decrypt(result, { expectedContext: {} })).rejects.toBeInstanceOf(
        SecretDecodeError,
      );
    });
  });

  describe('errors', () => {
    it('reports KMS refusals with their own code, without the plaintext', async () => {
      const disabled = await fx.newKey();
      await fx.local.kms().send(new DisableKeyCommand({ KeyId: disabled }));
      const error = await envelope({ keyId: disabled })
        .encrypt(PLANTED)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KeystageError);
      expect((error as KeystageError).code).not.toBe('DECODE_ERROR');
      expect((error as Error).message).toMatch(/KMS GenerateDataKey/);
      expect(inspect(error, { depth: 10 })).not.toContain(PLANTED);
    });

    it('keeps the SDK error as a stripped cause: name and message only', async () => {
      const env = envelope();
      const message = Buffer.from(await env.encrypt(PLANTED));
      message[message.length - 1]! ^= 1;
      const error = (await env.decrypt(message, { expectedContext: {} }).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(SecretDecodeError);
      expect(Object.keys(error.cause as object).sort()).toEqual(['message', 'name']);
      for (const shown of [error.message, JSON.stringify(error), inspect(error, { depth: 10 })]) {
        expect(shown).not.toContain(PLANTED);
      }
    });
  });

  describe('default KMS client', () => {
    it('follows the standard SDK environment (AWS_ENDPOINT_URL_KMS)', async () => {
      process.env.AWS_ENDPOINT_URL_KMS = fx.local.endpoint.url;
      try {
        const env = new EnvelopeEncryption({ keyId: keyArn });
        const message = await env.encrypt('via the environment');
        expect(text(await env.decrypt(message, { expectedContext: {} }))).toBe('via the environment');
      } finally {
        delete process.env.AWS_ENDPOINT_URL_KMS;
      }
    });
  });

  describe('stats and inspection', () => {
    it('counts messages and KMS calls: one GenerateDataKey per encrypt, one Decrypt per decrypt, without a cache', async () => {
      const env = envelope();
      const messages = await Promise.all([1, 2, 3].map((n) => env.encrypt(`v${n}`)));
      for (const message of messages) await env.decrypt(message, { expectedContext: {} });
      expect(env.stats()).toEqual({
        encrypted: 3,
        decrypted: 3,
        failures: 0,
        kms: { generateDataKey: 3, encrypt: 0, decrypt: 3 },
        cache: { hits: 0, misses: 0 },
      });
    });

    it('shows configuration only in JSON and inspect', async () => {
      const env = envelope();
      await env.encrypt(PLANTED);
      expect(JSON.parse(JSON.stringify(env))).toEqual({ keyId: keyArn, caching: false });
      expect(inspect(env, { depth: 10, showHidden: true })).not.toContain(PLANTED);
    });
  });
});
