import {
  GenerateDataKeyCommand,
  KMSServiceException,
  KMSClient,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { inspect } from 'node:util';
import { DataKey, generateDataKey } from '../../../lib/generate';

const kms = mockClient(KMSClient);
const PLAINTEXT = Buffer.alloc(32, 0x5a);
const WRAPPED = Buffer.alloc(184, 0x11);
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** Every way the plaintext could be written out. */
const PLAINTEXT_FORMS = [
  PLAINTEXT.toString('base64'),
  PLAINTEXT.toString('hex'),
  PLAINTEXT.toString('latin1'),
  [...PLAINTEXT].join(','),
];

describe('generateDataKey', () => {
  /** The Plaintext arrays KMS "returned", one per call. */
  let returned: Uint8Array[];

  beforeEach(() => {
    kms.reset();
    returned = [];
    // A fresh array per call, as the real SDK decodes one per response.
    kms.on(GenerateDataKeyCommand).callsFake(() => {
      const plaintext = new Uint8Array(PLAINTEXT);
      returned.push(plaintext);
      return { KeyId: KEY_ARN, Plaintext: plaintext, CiphertextBlob: WRAPPED };
    });
  });

  const client = () => new KMSClient({ maxAttempts: 1 });

  it('asks KMS for an AES-256 key under the given key and context', async () => {
    await generateDataKey(client(), { keyId: 'alias/app', encryptionContext: { app: 'billing' } });
    expect(kms).toHaveReceivedCommandWith(GenerateDataKeyCommand, {
      KeyId: 'alias/app',
      KeySpec: 'AES_256',
      EncryptionContext: { app: 'billing' },
    });
  });

  it('sends no encryption context when none is given', async () => {
    await generateDataKey(client(), { keyId: 'alias/app' });
    expect(kms.commandCalls(GenerateDataKeyCommand)[0]!.args[0].input).toEqual({
      KeyId: 'alias/app',
      KeySpec: 'AES_256',
    });
  });

  it('returns the plaintext, the wrapped key and the key ARN KMS answered with', async () => {
    const key = await generateDataKey(client(), { keyId: 'alias/app' });
    expect(key).toBeInstanceOf(DataKey);
    expect(key.keyId).toBe(KEY_ARN);
    expect(key.plaintext.equals(PLAINTEXT)).toBe(true);
    expect(Buffer.from(key.wrappedKey).equals(WRAPPED)).toBe(true);
  });

  it('never shows the plaintext in JSON, inspect, String or a spread', async () => {
    const key = await generateDataKey(client(), { keyId: 'alias/app' });
    const shown = [
      JSON.stringify(key),
      JSON.stringify({ nested: [key] }),
      inspect(key),
      inspect({ nested: { key } }, { depth: 10, showHidden: true }),
      String(key),
      `${key}`,
      JSON.stringify({ ...key }),
      inspect({ ...key }),
    ].join('\n');
    for (const form of PLAINTEXT_FORMS) expect(shown).not.toContain(form);
    expect(shown).toContain('[REDACTED]');
    expect(inspect(key)).toContain(KEY_ARN);
  });

  it('serialises to the key id, the wrapped key in base64 and a redacted plaintext', async () => {
    const key = await generateDataKey(client(), { keyId: 'alias/app' });
    expect(JSON.parse(JSON.stringify(key))).toEqual({
      keyId: KEY_ARN,
      wrappedKey: WRAPPED.toString('base64'),
      plaintext: '[REDACTED]',
    });
  });

  it('zeroes the plaintext on destroy', async () => {
    const key = await generateDataKey(client(), { keyId: 'alias/app' });
    key.destroy();
    expect(key.plaintext).toHaveLength(32);
    expect(key.plaintext.every((byte) => byte === 0)).toBe(true);
  });

  it("zeroes the SDK's copy of the plaintext, leaving destroy() the only one to clear", async () => {
    const key = await generateDataKey(client(), { keyId: 'alias/app' });
    expect(returned[0]!.every((byte) => byte === 0)).toBe(true);
    expect(key.plaintext.buffer).not.toBe(returned[0]!.buffer);
  });

  it.each([[''], [undefined], [42]])('rejects key id %p before calling KMS', async (keyId) => {
    await expect(generateDataKey(client(), { keyId: keyId as string })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'keyId',
    });
    expect(kms).not.toHaveReceivedAnyCommand();
  });

  it.each([['a string'], [null], [{ n: 1 }], [['a']]])(
    'rejects encryption context %p before calling KMS',
    async (context) => {
      const options = { keyId: 'alias/app', encryptionContext: context as unknown as Record<string, string> };
      await expect(generateDataKey(client(), options)).rejects.toMatchObject({
        code: 'VALIDATION_ERROR',
        field: 'encryptionContext',
      });
      expect(kms).not.toHaveReceivedAnyCommand();
    },
  );

  it.each([
    [
      // KMS models no AccessDeniedException class: the SDK raises its base exception with that name.
      'AccessDeniedException',
      new KMSServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'not allowed',
        $metadata: {},
      }),
      'PERMISSION_DENIED',
    ],
    [
      'NotFoundException',
      new NotFoundException({ message: 'no such key', $metadata: {} }),
      'SECRET_NOT_FOUND',
    ],
  ])('maps %s to %s', async (_, error, code) => {
    kms.on(GenerateDataKeyCommand).rejects(error);
    await expect(generateDataKey(client(), { keyId: 'alias/app' })).rejects.toMatchObject({
      code,
      cause: error,
      secretId: 'alias/app',
    });
  });

  it.each([
    ['Plaintext', { KeyId: KEY_ARN, CiphertextBlob: WRAPPED }],
    ['CiphertextBlob', { KeyId: KEY_ARN, Plaintext: new Uint8Array(32) }],
    ['KeyId', { Plaintext: new Uint8Array(32), CiphertextBlob: WRAPPED }],
  ])('refuses a response without %s', async (_, response) => {
    kms.on(GenerateDataKeyCommand).resolves(response);
    await expect(generateDataKey(client(), { keyId: 'alias/app' })).rejects.toMatchObject({
      code: 'SERVICE_ERROR',
    });
  });

  it('zeroes a plaintext that came without the rest of the response', async () => {
    const plaintext = new Uint8Array(PLAINTEXT);
    kms.on(GenerateDataKeyCommand).resolves({ KeyId: KEY_ARN, Plaintext: plaintext });
    await expect(generateDataKey(client(), { keyId: 'alias/app' })).rejects.toMatchObject({
      code: 'SERVICE_ERROR',
    });
    expect(plaintext.every((byte) => byte === 0)).toBe(true);
  });
});
