import { randomBytes } from 'node:crypto';
import { ServiceFault, invalidParameter } from '../fault';
import {
  epochSeconds,
  optionalBlob,
  optionalNumber,
  optionalRecord,
  optionalString,
  requiredString,
  type Body,
} from '../wire';
import type { Transaction } from '../storage/table';
import type { Operation } from '../operation';
import type { KeyRecord, KeyStore } from './keys';
import { SHAPES } from './shapes';

export interface KmsContext {
  readonly keys: KeyStore;
  /** The operation's changes; committed (and made durable) only if it returns. */
  readonly tx: Transaction;
  readonly region: string;
  readonly now: () => number;
}

const validation = (message: string): ServiceFault => new ServiceFault('ValidationException', message);

function metadata(key: KeyRecord): object {
  return {
    KeyId: key.id,
    Arn: key.arn,
    AWSAccountId: key.arn.split(':')[4],
    CreationDate: epochSeconds(key.createdAt),
    Enabled: key.enabled,
    Description: key.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: key.enabled ? 'Enabled' : 'Disabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    KeySpec: 'SYMMETRIC_DEFAULT',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
  };
}

function dataKeyBytes(body: Body): number {
  const spec = optionalString(body, 'KeySpec');
  const count = optionalNumber(body, 'NumberOfBytes');
  if (spec !== undefined && count !== undefined)
    throw validation('Specify KeySpec or NumberOfBytes, not both.');
  if (spec === 'AES_256') return 32;
  if (spec === 'AES_128') return 16;
  if (spec !== undefined) throw validation(`KeySpec ${spec} is not AES_256 or AES_128.`);
  if (count === undefined) throw validation('Specify KeySpec or NumberOfBytes.');
  if (!Number.isInteger(count) || count < 1 || count > 1024)
    throw validation('NumberOfBytes must be between 1 and 1024.');
  return count;
}

function generateDataKey(ctx: KmsContext, body: Body, withPlaintext: boolean): object {
  const key = ctx.keys.usable(ctx.tx, requiredString(body, 'KeyId'), ctx.region);
  const plaintext = randomBytes(dataKeyBytes(body));
  const blob = ctx.keys.encrypt(key, plaintext, optionalRecord(body, 'EncryptionContext') ?? {});
  return {
    KeyId: key.arn,
    CiphertextBlob: blob.toString('base64'),
    ...(withPlaintext ? { Plaintext: plaintext.toString('base64') } : {}),
  };
}

const RUN: Readonly<Record<string, Operation<KmsContext>['run']>> = {
  CreateKey: (ctx, body) => ({
    KeyMetadata: metadata(
      ctx.keys.create(ctx.tx, ctx.region, optionalString(body, 'Description') ?? '', ctx.now()),
    ),
  }),
  DescribeKey: (ctx, body) => ({
    KeyMetadata: metadata(ctx.keys.resolve(ctx.tx, requiredString(body, 'KeyId'), ctx.region)),
  }),
  CreateAlias: (ctx, body) => {
    const name = requiredString(body, 'AliasName');
    if (!/^alias\/[A-Za-z0-9/_-]{1,250}$/.test(name) || name.startsWith('alias/aws/')) {
      throw validation(
        `Alias name ${name} is invalid: use alias/ followed by letters, digits, / _ -, not alias/aws/.`,
      );
    }
    if (ctx.tx.get(ctx.keys.aliases, `${ctx.region}/${name}`) !== undefined) {
      throw new ServiceFault('AlreadyExistsException', `An alias with the name ${name} already exists.`);
    }
    const key = ctx.keys.resolve(ctx.tx, requiredString(body, 'TargetKeyId'), ctx.region);
    const arn = `arn:aws:kms:${ctx.region}:${ctx.keys.accountId}:${name}`;
    ctx.tx.put(ctx.keys.aliases, `${ctx.region}/${name}`, { name, arn, targetKeyId: key.id });
    return {};
  },
  ListAliases: (ctx, body) => {
    const keyId = optionalString(body, 'KeyId');
    const target = keyId === undefined ? undefined : ctx.keys.resolve(ctx.tx, keyId, ctx.region).id;
    const Aliases = [...ctx.keys.aliases.entries()]
      .filter(
        ([scoped, alias]) =>
          scoped.startsWith(`${ctx.region}/`) && (target === undefined || alias.targetKeyId === target),
      )
      .map(([, alias]) => ({ AliasName: alias.name, AliasArn: alias.arn, TargetKeyId: alias.targetKeyId }));
    return { Aliases, Truncated: false };
  },
  Encrypt: (ctx, body) => {
    const key = ctx.keys.usable(ctx.tx, requiredString(body, 'KeyId'), ctx.region);
    const plaintext = optionalBlob(body, 'Plaintext');
    if (plaintext === undefined || plaintext.length === 0 || plaintext.length > 4096) {
      throw validation('Plaintext must be between 1 and 4096 bytes.');
    }
    const blob = ctx.keys.encrypt(key, plaintext, optionalRecord(body, 'EncryptionContext') ?? {});
    return {
      KeyId: key.arn,
      CiphertextBlob: blob.toString('base64'),
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    };
  },
  Decrypt: (ctx, body) => {
    const blob = optionalBlob(body, 'CiphertextBlob');
    if (blob === undefined) throw invalidParameter('CiphertextBlob is required.');
    const { key, plaintext } = ctx.keys.decrypt(
      blob,
      ctx.region,
      optionalRecord(body, 'EncryptionContext') ?? {},
    );
    const wanted = optionalString(body, 'KeyId');
    if (wanted !== undefined && ctx.keys.resolve(ctx.tx, wanted, ctx.region).id !== key.id) {
      throw new ServiceFault(
        'IncorrectKeyException',
        'The key ID in the request does not identify the key that encrypted the ciphertext.',
      );
    }
    return {
      KeyId: key.arn,
      Plaintext: plaintext.toString('base64'),
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    };
  },
  GenerateDataKey: (ctx, body) => generateDataKey(ctx, body, true),
  GenerateDataKeyWithoutPlaintext: (ctx, body) => generateDataKey(ctx, body, false),
  GenerateRandom: (_ctx, body) => {
    const count = optionalNumber(body, 'NumberOfBytes');
    if (count === undefined || !Number.isInteger(count) || count < 1 || count > 1024) {
      throw validation('NumberOfBytes must be between 1 and 1024.');
    }
    return { Plaintext: randomBytes(count).toString('base64') };
  },
  EnableKeyRotation: (ctx, body) => {
    const key = ctx.keys.usable(ctx.tx, requiredString(body, 'KeyId'), ctx.region);
    ctx.tx.edit(ctx.keys.keys, key.id)!.rotationEnabled = true;
    return {};
  },
  GetKeyRotationStatus: (ctx, body) => {
    const key = ctx.keys.resolve(ctx.tx, requiredString(body, 'KeyId'), ctx.region);
    return { KeyRotationEnabled: key.rotationEnabled, KeyId: key.arn };
  },
};

/** The KMS operations the local endpoint answers, by `X-Amz-Target` name. */
export const KMS_OPERATIONS: Readonly<Record<string, Operation<KmsContext>>> = Object.fromEntries(
  Object.entries(RUN).map(([name, run]) => [name, { input: SHAPES[name]!, run }]),
);
