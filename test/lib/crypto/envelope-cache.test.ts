import { EnvelopeEncryption, MAX_MESSAGES_PER_DATA_KEY, type DataKeyCacheOptions } from '../../../lib/crypto';
import { ValidationError } from '../../../lib/errors';
import { startEnvelopeFixture, type EnvelopeFixture } from './envelope-fixture';

// RELIABILITY 52: age, message and byte limits all enforced; none optional when caching.

let fx: EnvelopeFixture;
let keyArn: string;
beforeAll(async () => {
  fx = await startEnvelopeFixture();
  keyArn = await fx.newKey();
});
afterAll(() => fx?.local.endpoint.close());
afterEach(() => jest.restoreAllMocks());

const LIMITS: DataKeyCacheOptions = {
  maxAgeMs: 60_000,
  maxMessagesEncrypted: 1000,
  maxBytesEncrypted: 1 << 20,
};
const context = { purpose: 'cache-test' };

function cached(cache: Partial<DataKeyCacheOptions>) {
  return new EnvelopeEncryption({
    keyId: keyArn,
    kms: fx.local.kms(),
    signed: false,
    cache: cache as DataKeyCacheOptions,
  });
}

async function encryptMany(env: EnvelopeEncryption, count: number, plaintext: string | Uint8Array = 'v') {
  const messages: Uint8Array[] = [];
  for (let i = 0; i < count; i++) messages.push(await env.encrypt(plaintext, { context }));
  return messages;
}

describe('EnvelopeEncryption data-key cache', () => {
  describe('options', () => {
    it.each(['maxAgeMs', 'maxMessagesEncrypted', 'maxBytesEncrypted'] as const)(
      'requires %s when caching, naming it',
      (limit) => {
        const rest: Partial<DataKeyCacheOptions> = { ...LIMITS };
        delete rest[limit];
        expect(() => cached(rest)).toThrow(ValidationError);
        expect(() => cached(rest)).toThrow(expect.objectContaining({ field: `cache.${limit}` }));
      },
    );

    it.each([
      ['maxAgeMs', 0],
      ['maxAgeMs', 2 ** 31],
      ['maxAgeMs', Number.NaN],
      ['maxMessagesEncrypted', 0],
      ['maxMessagesEncrypted', MAX_MESSAGES_PER_DATA_KEY + 1],
      ['maxMessagesEncrypted', 1.5],
      ['maxBytesEncrypted', -1],
      ['maxBytesEncrypted', Number.POSITIVE_INFINITY],
      ['capacity', 0],
      ['capacity', 100_001],
    ] as const)('refuses %s = %s (outside the SDK bounds)', (field, value) => {
      expect(() => cached({ ...LIMITS, [field]: value })).toThrow(
        expect.objectContaining({ field: `cache.${field}` }),
      );
    });

    it('accepts the largest bounds, and the SDK takes them', async () => {
      const env = cached({
        maxAgeMs: 2 ** 31 - 1,
        maxMessagesEncrypted: 2 ** 32,
        maxBytesEncrypted: Number.MAX_SAFE_INTEGER,
      });
      await encryptMany(env, 2);
      expect(env.stats().kms.generateDataKey).toBe(1);
    });

    it('refuses an unknown cache option, and a cache that is not an object', () => {
      expect(() => cached({ ...LIMITS, maxAge: 5 } as never)).toThrow(
        expect.objectContaining({ field: 'cache.maxAge' }),
      );
      expect(() => cached(true as never)).toThrow(expect.objectContaining({ field: 'cache' }));
    });
  });

  describe('limits', () => {
    it('reuses one data key for up to maxMessagesEncrypted messages', async () => {
      const env = cached({ ...LIMITS, maxMessagesEncrypted: 3 });
      await encryptMany(env, 7);
      expect(env.stats().kms.generateDataKey).toBe(3);
      expect(env.stats().cache).toEqual({ hits: 4, misses: 3 });
    });

    it('reuses one data key for up to maxBytesEncrypted plaintext bytes', async () => {
      const env = cached({ ...LIMITS, maxBytesEncrypted: 100 });
      // 40 bytes each: 40, 80, then 120 > 100 needs a new key.
      await encryptMany(env, 6, 'x'.repeat(40));
      expect(env.stats().kms.generateDataKey).toBe(3);
    });

    it('never caches a key for a plaintext larger than maxBytesEncrypted', async () => {
      const env = cached({ ...LIMITS, maxBytesEncrypted: 10 });
      await encryptMany(env, 3, 'x'.repeat(11));
      expect(env.stats().kms.generateDataKey).toBe(3);
    });

    it('uses a data key for at most maxAgeMs, for encryption and decryption', async () => {
      const realNow = Date.now.bind(Date);
      let skew = 0;
      jest.spyOn(Date, 'now').mockImplementation(() => realNow() + skew);
      const env = cached(LIMITS);
      const [message] = await encryptMany(env, 2);
      await env.decrypt(message!, { expectedContext: context });
      await env.decrypt(message!, { expectedContext: context });
      expect(env.stats().kms).toEqual({ generateDataKey: 1, encrypt: 0, decrypt: 1 });

      skew = LIMITS.maxAgeMs + 1;
      await encryptMany(env, 1);
      await env.decrypt(message!, { expectedContext: context });
      expect(env.stats().kms).toEqual({ generateDataKey: 2, encrypt: 0, decrypt: 2 });
    });

    it('keeps a key per context: another context is a miss', async () => {
      const env = cached(LIMITS);
      await env.encrypt('a', { context: { n: '1' } });
      await env.encrypt('b', { context: { n: '2' } });
      await env.encrypt('c', { context: { n: '1' } });
      expect(env.stats().kms.generateDataKey).toBe(2);
    });

    it('holds at most capacity keys, dropping the least recently used', async () => {
      const env = cached({ ...LIMITS, capacity: 1 });
      for (const n of ['1', '2', '1', '2']) await env.encrypt('v', { context: { n } });
      expect(env.stats().kms.generateDataKey).toBe(4);
    });

    it('makes one GenerateDataKey per message without a cache', async () => {
      const env = new EnvelopeEncryption({ keyId: keyArn, kms: fx.local.kms(), signed: false });
      await encryptMany(env, 3);
      expect(env.stats().kms.generateDataKey).toBe(3);
      expect(env.caching).toBe(false);
    });
  });
});
