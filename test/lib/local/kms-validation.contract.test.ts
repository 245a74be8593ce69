import { KMS_OPERATIONS } from '../../../lib/local/kms/operations';
import { SHAPES } from '../../../lib/local/kms/shapes';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { membersOf, rawCall, wrongValue } from '../../support/wrong-types';

let local: LocalFixture;

beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.endpoint.close());

const call = (operation: string, body: unknown) =>
  rawCall(local.endpoint.url, 'TrentService', 'kms', operation, body);

const members = membersOf(SHAPES);

describe('KMS input validation', () => {
  it('has an input shape for every operation it answers', () => {
    expect(Object.keys(KMS_OPERATIONS).sort()).toEqual(Object.keys(SHAPES).sort());
    expect(Object.keys(SHAPES).sort()).toEqual(
      [
        ...[
          'CreateKey',
          'DescribeKey',
          'EnableKey',
          'DisableKey',
          'ScheduleKeyDeletion',
          'CancelKeyDeletion',
        ],
        ...[
          'ListKeys',
          'UpdateKeyDescription',
          'EnableKeyRotation',
          'DisableKeyRotation',
          'GetKeyRotationStatus',
        ],
        ...[
          'RotateKeyOnDemand',
          'ListKeyRotations',
          'CreateAlias',
          'UpdateAlias',
          'DeleteAlias',
          'ListAliases',
        ],
        ...[
          'TagResource',
          'UntagResource',
          'ListResourceTags',
          'GetKeyPolicy',
          'PutKeyPolicy',
          'ListKeyPolicies',
        ],
        ...['Encrypt', 'Decrypt', 'ReEncrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext'],
        ...['GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'GenerateRandom', 'Sign', 'Verify'],
        ...['GetPublicKey', 'GenerateMac', 'VerifyMac'],
      ].sort(),
    );
  });

  it('answers 400 ValidationException naming the member for a wrong JSON type of any member', async () => {
    const failures: string[] = [];
    for (const [operation, member, shape] of members) {
      const answer = await call(operation, { [member]: wrongValue(shape) });
      const path = member.charAt(0).toLowerCase() + member.slice(1);
      if (
        answer.status !== 400 ||
        answer.type !== 'ValidationException' ||
        !answer.message.includes(`'${path}'`)
      ) {
        failures.push(`${operation}.${member}: ${answer.status} ${answer.type} ${answer.message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('checks members inside lists and maps', async () => {
    for (const [operation, body] of [
      ['CreateKey', { Tags: [{ TagKey: 1, TagValue: 'v' }] }],
      ['CreateKey', { Tags: [{ TagKey: 'k' }] }],
      ['Encrypt', { KeyId: 'k', Plaintext: 'eA==', EncryptionContext: { a: 1 } }],
      ['Decrypt', { CiphertextBlob: 'eA==', GrantTokens: [1] }],
      ['UntagResource', { KeyId: 'k', TagKeys: [''] }],
    ] as const) {
      await expect(call(operation, body)).resolves.toMatchObject({
        status: 400,
        type: 'ValidationException',
      });
    }
  });

  it.each([
    ['an empty Encrypt Plaintext', 'Encrypt', { KeyId: 'k', Plaintext: '' }],
    [
      'an Encrypt Plaintext over 4096 bytes',
      'Encrypt',
      { KeyId: 'k', Plaintext: Buffer.alloc(4097).toString('base64') },
    ],
    ['a Plaintext that is not base64', 'Encrypt', { KeyId: 'k', Plaintext: 'not base64!' }],
    [
      'a CiphertextBlob over 6144 bytes',
      'Decrypt',
      { CiphertextBlob: Buffer.alloc(6145).toString('base64') },
    ],
    ['NumberOfBytes 1025', 'GenerateDataKey', { KeyId: 'k', NumberOfBytes: 1025 }],
    ['NumberOfBytes 0', 'GenerateDataKey', { KeyId: 'k', NumberOfBytes: 0 }],
    ['an unknown data KeySpec', 'GenerateDataKey', { KeyId: 'k', KeySpec: 'AES_512' }],
    ['GenerateRandom without NumberOfBytes', 'GenerateRandom', {}],
    ['a fractional NumberOfBytes', 'GenerateRandom', { NumberOfBytes: 1.5 }],
    [
      'a Sign Message over 4096 bytes',
      'Sign',
      { KeyId: 'k', Message: Buffer.alloc(4097).toString('base64'), SigningAlgorithm: 'ECDSA_SHA_256' },
    ],
    [
      'an unknown MessageType',
      'Sign',
      { KeyId: 'k', Message: 'eA==', SigningAlgorithm: 'ECDSA_SHA_256', MessageType: 'HASHED' },
    ],
    ['a Description over 8192 characters', 'CreateKey', { Description: 'x'.repeat(8193) }],
    ['an unknown KeySpec', 'CreateKey', { KeySpec: 'AES_256' }],
    ['an empty KeyId', 'DescribeKey', { KeyId: '' }],
    ['a ListKeys Limit over 1000', 'ListKeys', { Limit: 1001 }],
    ['an empty Marker', 'ListKeys', { Marker: '' }],
    ['a policy with characters past U+00FF', 'PutKeyPolicy', { KeyId: 'k', Policy: '{"a":"\u0100"}' }],
  ])('refuses %s with ValidationException', async (_what, operation, body) => {
    await expect(call(operation, body)).resolves.toMatchObject({ status: 400, type: 'ValidationException' });
  });

  it('never answers 500 to an empty body', async () => {
    for (const operation of Object.keys(SHAPES)) {
      const { status } = await call(operation, {});
      expect([operation, status < 500]).toEqual([operation, true]);
    }
  });

  it('never repeats a value in a validation message', async () => {
    const { message } = await call('Encrypt', { KeyId: 'k', Plaintext: 'not-base64-SECRET!' });
    expect(message).not.toContain('SECRET');
  });
});
