import { flag, integer, keyOf, requiredText, seconds, text, type Run } from './context';
import { customKeyStoreNotFound, invalidState, unsupported, validation } from './faults';
import { isSupportedSpec, specInfo, type KeyUsageName } from './key-spec';
import { DAY_MS, requireCustomerManaged, requireNotPendingDeletion, type KeyRecord } from './keys';
import { keyMetadata } from './metadata';
import { paginate } from './paging';
import { checkKeyPolicy } from './policy';
import { mergeTags, readTags } from './tags';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** CreateKey, DescribeKey and the operations that change a key's state or description. */
export const LIFECYCLE_OPERATIONS = {
  CreateKey: (ctx, body) => {
    const origin = text(body, 'Origin') ?? 'AWS_KMS';
    if (origin !== 'AWS_KMS') {
      throw unsupported(
        `Origin ${origin} is not supported by the local endpoint: it makes the key material itself (Origin AWS_KMS).`,
      );
    }
    if (text(body, 'CustomKeyStoreId') !== undefined) {
      throw customKeyStoreNotFound('The local endpoint has no custom key stores: omit CustomKeyStoreId.');
    }
    if (text(body, 'XksKeyId') !== undefined) {
      throw unsupported(
        'XksKeyId is for keys in an external key store, which the local endpoint has not: omit it.',
      );
    }
    const keySpec = text(body, 'KeySpec');
    const legacySpec = text(body, 'CustomerMasterKeySpec');
    if (keySpec !== undefined && legacySpec !== undefined) {
      throw validation('Specify KeySpec or CustomerMasterKeySpec (its deprecated name), not both.');
    }
    const spec = keySpec ?? legacySpec ?? 'SYMMETRIC_DEFAULT';
    // KMS defaults KeyUsage to ENCRYPT_DECRYPT for every spec, so HMAC and ECC keys must name theirs.
    const usage = (text(body, 'KeyUsage') ?? 'ENCRYPT_DECRYPT') as KeyUsageName;
    if (!isSupportedSpec(spec)) {
      throw unsupported(`KeySpec ${spec} is available only in China Regions: choose another key spec.`);
    }
    const allowed = specInfo(spec).usages;
    if (!allowed.includes(usage)) {
      throw validation(
        `KeyUsage ${usage} is not compatible with KeySpec ${spec}: use KeyUsage ${allowed.join(' or ')}.`,
      );
    }
    if (usage === 'KEY_AGREEMENT') {
      throw unsupported(
        'KeyUsage KEY_AGREEMENT (DeriveSharedSecret) is not supported by the local endpoint.',
      );
    }
    const policy = text(body, 'Policy');
    if (policy !== undefined) checkKeyPolicy(policy);
    const key = ctx.keys.create(
      ctx.tx,
      ctx.region,
      {
        spec,
        usage,
        description: text(body, 'Description') ?? '',
        multiRegion: flag(body, 'MultiRegion') === true,
        manager: 'CUSTOMER',
        ...(policy === undefined ? {} : { policy }),
        tags: mergeTags([], readTags(body.Tags)),
      },
      ctx.now(),
    );
    return { KeyMetadata: keyMetadata(key) };
  },

  DescribeKey: (ctx, body) => ({
    KeyMetadata: keyMetadata(keyOf(ctx, requiredText(body, 'KeyId'), { aliases: true })),
  }),

  EnableKey: (ctx, body) => {
    const key = changeable(keyOf(ctx, requiredText(body, 'KeyId')), 'enable or disable it');
    ctx.keys.save(ctx.tx, { ...key, state: 'Enabled' });
    return {};
  },

  DisableKey: (ctx, body) => {
    const key = changeable(keyOf(ctx, requiredText(body, 'KeyId')), 'enable or disable it');
    ctx.keys.save(ctx.tx, { ...key, state: 'Disabled' });
    return {};
  },

  ScheduleKeyDeletion: (ctx, body) => {
    const key = requireCustomerManaged(keyOf(ctx, requiredText(body, 'KeyId')), 'schedule its deletion');
    if (key.state === 'PendingDeletion') {
      throw invalidState(`${key.arn} is pending deletion already: cancel it with CancelKeyDeletion first.`);
    }
    const days = integer(body, 'PendingWindowInDays') ?? 30;
    const deletionDate = ctx.now() + days * DAY_MS;
    ctx.keys.save(ctx.tx, { ...key, state: 'PendingDeletion', deletionDate });
    return {
      KeyId: key.arn,
      DeletionDate: seconds(deletionDate),
      KeyState: 'PendingDeletion',
      PendingWindowInDays: days,
    };
  },

  CancelKeyDeletion: (ctx, body) => {
    const key = keyOf(ctx, requiredText(body, 'KeyId'));
    if (key.state !== 'PendingDeletion') {
      throw invalidState(`${key.arn} is not pending deletion: there is nothing to cancel.`);
    }
    // A key whose deletion is cancelled is Disabled, as in KMS: enable it to use it again.
    const restored: Mutable<KeyRecord> = { ...key, state: 'Disabled' };
    delete restored.deletionDate;
    ctx.keys.save(ctx.tx, restored);
    return { KeyId: key.arn };
  },

  ListKeys: (ctx, body) => {
    const page = paginate(
      ctx.keys.list(ctx.tx, ctx.region, ctx.now()),
      (key) => `${String(key.createdAt).padStart(16, '0')}/${key.id}`,
      body,
      100,
    );
    return { Keys: page.items.map((key) => ({ KeyId: key.id, KeyArn: key.arn })), ...page.more };
  },

  UpdateKeyDescription: (ctx, body) => {
    const key = changeable(keyOf(ctx, requiredText(body, 'KeyId')), 'change its description');
    ctx.keys.save(ctx.tx, { ...key, description: text(body, 'Description') ?? '' });
    return {};
  },
} satisfies Record<string, Run>;

/** A customer managed key that is not pending deletion. */
function changeable(key: KeyRecord, what: string): KeyRecord {
  return requireNotPendingDeletion(requireCustomerManaged(key, what));
}
