import {
  GenerateDataKeyCommand,
  KMSServiceException,
  KMSClient,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { inspect } from 'node:util';
import { generateDataKey } from '../../../lib/generate';

const kms = mockClient(KMSClient);
const PLAINTEXT = Buffer.alloc(32, 0x5a);
const WRAPPED = Buffer.alloc(184, 0x11);
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('generateDataKey', () => {
  beforeEach(() => {
    kms.reset();
    kms
      .on(GenerateDataKeyCommand)
      .resolves({ KeyId: KEY_ARN, Plaintext: PLAINTEXT, CiphertextBlob: WRAPPED });
  });

  const client = () => new KMSClient({ maxAttempts: 1 });

  it('asks KMS for an AES-256 key under the given key and context', async () => {
    const key = await generateDataKey(client(), {
      keyId: 'alias/app',
      encryptionContext: { app: 'billing' },
    });
    expect(kms).toHaveReceivedCommandWith(GenerateDataKeyCommand, {
      KeyId: 'alias/app',
      KeySpec: 'AES_256',
      EncryptionContext: { app: 'billing' },
    });
    expect(key.keyId).toBe(KEY_ARN);
    expect(key.plaintext.equals(PLAINTEXT)).toBe(true);
    expect(Buffer.from(key.wrappedKey).equals(WRAPPED)).toBe(true);
  });

  it('never shows the plaintext', async () => {
    const key = await generateDataKey(client(), { keyId: 'alias/app' });
    const shown = [JSON.stringify(key), inspect(key), String(key), `${key}`].join('\n');
    for (const encoding of ['base64', 'hex', 'latin1'] as const) {
      expect(shown).not.toContain(PLAINTEXT.toString(encoding));
    }
    expect(JSON.parse(JSON.stringify(key))).toEqual({
      keyId: KEY_ARN,
      wrappedKey: WRAPPED.toString('base64'),
      plaintext: '[REDACTED]',
    });
  });

  it('zeroes the plaintext on destroy', async () => {
    const key = await generateDataKey(client(), { keyId: 'alias/app' });
    key.destroy();
    expect(key.plaintext.every((byte) => byte === 0)).toBe(true);
  });

  it('rejects a missing key id before calling KMS', async () => {
    await expect(generateDataKey(client(), { keyId: '' })).rejects.toMatchObject({ field: 'keyId' });
    expect(kms).not.toHaveReceivedAnyCommand();
  });

  it.each([
    [
      // KMS models no class for it: the SDK raises its base exception with this name.
      new KMSServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'not allowed',
        $metadata: {},
      }),
      'PERMISSION_DENIED',
    ],
    [new NotFoundException({ message: 'no such key', $metadata: {} }), 'SECRET_NOT_FOUND'],
  ])('maps %p', async (error, code) => {
    kms.on(GenerateDataKeyCommand).rejects(error);
    await expect(generateDataKey(client(), { keyId: 'alias/app' })).rejects.toMatchObject({
      code,
      cause: error,
    });
  });

  it('refuses a response without key material', async () => {
    kms.on(GenerateDataKeyCommand).resolves({ KeyId: KEY_ARN });
    await expect(generateDataKey(client(), { keyId: 'alias/app' })).rejects.toMatchObject({
      code: 'SERVICE_ERROR',
    });
  });
});
