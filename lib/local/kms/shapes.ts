import { shape, type Shape, type StructureShape } from '../schema';
import {
  DATA_KEY_PAIR_SPECS,
  ENCRYPTION_ALGORITHMS,
  KEY_SPECS,
  KEY_USAGES,
  MAC_ALGORITHMS,
  SIGNING_ALGORITHMS,
} from './key-spec';

/*
 * Input shapes of the KMS operations, from the Smithy model of KMS (2014-11-01): member
 * types, required members, lengths, ranges, enums and the cheap patterns. Where the API
 * reference narrows a range the model leaves wide (PendingWindowInDays 7-30, the Limit of
 * ListAliases and ListResourceTags), the shape has the documented range. Only members an
 * operation uses or documents are listed; the service ignores others, and so does the check.
 */

const keyIdType = shape.string({ min: 1, max: 2048 });
const keyId = shape.required(keyIdType);
const aliasName = shape.required(shape.string({ min: 1, max: 256, pattern: /^[a-zA-Z0-9:/_-]+$/ }));
const description = shape.string({ min: 0, max: 8192 });
const plaintext = shape.blob({ min: 1, max: 4096 });
const ciphertext = shape.blob({ min: 1, max: 6144 });
const encryptionContext = shape.map(shape.string(), shape.string());
const grantTokens = shape.list(shape.string({ min: 1, max: 8192 }), { max: 10 });
const encryptionAlgorithm = shape.string({ enum: ENCRYPTION_ALGORITHMS });
const signingAlgorithm = shape.required(shape.string({ enum: SIGNING_ALGORITHMS }));
const macAlgorithm = shape.required(shape.string({ enum: MAC_ALGORITHMS }));
const messageType = shape.string({ enum: ['RAW', 'DIGEST'] });
const dataKeySpec = shape.string({ enum: ['AES_256', 'AES_128'] });
const numberOfBytes = shape.integer({ min: 1, max: 1024 });
const policyName = shape.string({ min: 1, max: 128, pattern: /^\w+$/ });
// Tab, line feed, carriage return and U+0020-U+00FF, as the reference lists them.
// eslint-disable-next-line no-control-regex
const policy = shape.string({ min: 1, max: 131_072, pattern: /^[\u0009\u000A\u000D\u0020-\u00FF]+$/ });
const marker = shape.string({ min: 1, max: 1024, pattern: /^[\u0020-\u00FF]*$/ });
const limit = (max: number) => shape.integer({ min: 1, max });
const dryRun = shape.boolean();
const customKeyStoreId = shape.string({ min: 1, max: 64 });
const recipient = shape.structure({
  KeyEncryptionAlgorithm: shape.string({ enum: ['RSAES_OAEP_SHA_256'] }),
  AttestationDocument: shape.blob({ min: 1, max: 262_144 }),
});
const tagKey = shape.string({ min: 1, max: 128 });
const tags = shape.list(
  shape.structure({
    TagKey: shape.required(tagKey),
    TagValue: shape.required(shape.string({ min: 0, max: 256 })),
  }),
);

const op = (members: Record<string, Shape>): StructureShape => shape.structure(members);

const dataKey = {
  KeyId: keyId,
  EncryptionContext: encryptionContext,
  NumberOfBytes: numberOfBytes,
  KeySpec: dataKeySpec,
  GrantTokens: grantTokens,
  DryRun: dryRun,
};

const dataKeyPair = {
  KeyId: keyId,
  EncryptionContext: encryptionContext,
  KeyPairSpec: shape.required(shape.string({ enum: DATA_KEY_PAIR_SPECS })),
  GrantTokens: grantTokens,
  DryRun: dryRun,
};

/** Input shapes of the KMS operations the endpoint answers, by operation name. */
export const SHAPES = {
  CreateKey: op({
    Policy: policy,
    Description: description,
    KeyUsage: shape.string({ enum: KEY_USAGES }),
    CustomerMasterKeySpec: shape.string({ enum: KEY_SPECS }),
    KeySpec: shape.string({ enum: KEY_SPECS }),
    Origin: shape.string({ enum: ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] }),
    CustomKeyStoreId: customKeyStoreId,
    BypassPolicyLockoutSafetyCheck: shape.boolean(),
    Tags: tags,
    MultiRegion: shape.boolean(),
    XksKeyId: shape.string({ min: 1, max: 128, pattern: /^[a-zA-Z0-9-_.]+$/ }),
  }),
  DescribeKey: op({ KeyId: keyId, GrantTokens: grantTokens }),
  EnableKey: op({ KeyId: keyId }),
  DisableKey: op({ KeyId: keyId }),
  ScheduleKeyDeletion: op({ KeyId: keyId, PendingWindowInDays: shape.integer({ min: 7, max: 30 }) }),
  CancelKeyDeletion: op({ KeyId: keyId }),
  ListKeys: op({ Limit: limit(1000), Marker: marker }),
  UpdateKeyDescription: op({ KeyId: keyId, Description: shape.required(description) }),

  EnableKeyRotation: op({ KeyId: keyId, RotationPeriodInDays: shape.integer({ min: 90, max: 2560 }) }),
  DisableKeyRotation: op({ KeyId: keyId }),
  GetKeyRotationStatus: op({ KeyId: keyId }),
  RotateKeyOnDemand: op({ KeyId: keyId }),
  ListKeyRotations: op({ KeyId: keyId, Limit: limit(1000), Marker: marker }),

  CreateAlias: op({ AliasName: aliasName, TargetKeyId: keyId }),
  UpdateAlias: op({ AliasName: aliasName, TargetKeyId: keyId }),
  DeleteAlias: op({ AliasName: aliasName }),
  ListAliases: op({ KeyId: keyIdType, Limit: limit(100), Marker: marker }),

  TagResource: op({ KeyId: keyId, Tags: shape.required(tags) }),
  UntagResource: op({ KeyId: keyId, TagKeys: shape.required(shape.list(tagKey)) }),
  ListResourceTags: op({ KeyId: keyId, Limit: limit(50), Marker: marker }),

  GetKeyPolicy: op({ KeyId: keyId, PolicyName: policyName }),
  PutKeyPolicy: op({
    KeyId: keyId,
    PolicyName: policyName,
    Policy: shape.required(policy),
    BypassPolicyLockoutSafetyCheck: shape.boolean(),
  }),
  ListKeyPolicies: op({ KeyId: keyId, Limit: limit(1000), Marker: marker }),

  Encrypt: op({
    KeyId: keyId,
    Plaintext: shape.required(plaintext),
    EncryptionContext: encryptionContext,
    GrantTokens: grantTokens,
    EncryptionAlgorithm: encryptionAlgorithm,
    DryRun: dryRun,
  }),
  Decrypt: op({
    CiphertextBlob: shape.required(ciphertext),
    EncryptionContext: encryptionContext,
    GrantTokens: grantTokens,
    KeyId: keyIdType,
    EncryptionAlgorithm: encryptionAlgorithm,
    Recipient: recipient,
    DryRun: dryRun,
  }),
  ReEncrypt: op({
    CiphertextBlob: shape.required(ciphertext),
    SourceEncryptionContext: encryptionContext,
    SourceKeyId: keyIdType,
    DestinationKeyId: keyId,
    DestinationEncryptionContext: encryptionContext,
    SourceEncryptionAlgorithm: encryptionAlgorithm,
    DestinationEncryptionAlgorithm: encryptionAlgorithm,
    GrantTokens: grantTokens,
    DryRun: dryRun,
  }),
  GenerateDataKey: op({ ...dataKey, Recipient: recipient }),
  GenerateDataKeyWithoutPlaintext: op(dataKey),
  GenerateDataKeyPair: op({ ...dataKeyPair, Recipient: recipient }),
  GenerateDataKeyPairWithoutPlaintext: op(dataKeyPair),
  // The model leaves NumberOfBytes optional; the reference says it is required.
  GenerateRandom: op({
    NumberOfBytes: shape.required(numberOfBytes),
    CustomKeyStoreId: customKeyStoreId,
    Recipient: recipient,
  }),

  Sign: op({
    KeyId: keyId,
    Message: shape.required(plaintext),
    MessageType: messageType,
    GrantTokens: grantTokens,
    SigningAlgorithm: signingAlgorithm,
    DryRun: dryRun,
  }),
  Verify: op({
    KeyId: keyId,
    Message: shape.required(plaintext),
    MessageType: messageType,
    Signature: shape.required(ciphertext),
    SigningAlgorithm: signingAlgorithm,
    GrantTokens: grantTokens,
    DryRun: dryRun,
  }),
  GetPublicKey: op({ KeyId: keyId, GrantTokens: grantTokens }),
  GenerateMac: op({
    Message: shape.required(plaintext),
    KeyId: keyId,
    MacAlgorithm: macAlgorithm,
    GrantTokens: grantTokens,
    DryRun: dryRun,
  }),
  VerifyMac: op({
    Message: shape.required(plaintext),
    KeyId: keyId,
    MacAlgorithm: macAlgorithm,
    Mac: shape.required(ciphertext),
    GrantTokens: grantTokens,
    DryRun: dryRun,
  }),
} satisfies Record<string, StructureShape>;

export type KmsOperationName = keyof typeof SHAPES;
