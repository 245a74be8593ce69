import { keyOf, requiredText, textList, type KmsContext, type Run } from './context';
import { requireCustomerManaged, requireNotPendingDeletion, type KeyRecord } from './keys';
import { paginate } from './paging';
import { mergeTags, readTags } from './tags';
import type { Body } from '../wire';

/** A key whose tags may change: customer managed and not pending deletion. */
function taggable(ctx: KmsContext, body: Body): KeyRecord {
  const key = keyOf(ctx, requiredText(body, 'KeyId'));
  return requireNotPendingDeletion(requireCustomerManaged(key, 'tag it'));
}

/** Tags of keys: TagKey 1-128 characters, TagValue 0-256, at most 50 per key. */
export const TAG_OPERATIONS = {
  TagResource: (ctx, body) => {
    const key = taggable(ctx, body);
    ctx.keys.setTags(ctx.tx, key.id, mergeTags(ctx.keys.tagsOf(ctx.tx, key.id), readTags(body.Tags)));
    return {};
  },

  UntagResource: (ctx, body) => {
    const key = taggable(ctx, body);
    // Tag keys the key does not have are ignored, as KMS ignores them.
    const removed = new Set(textList(body, 'TagKeys'));
    ctx.keys.setTags(
      ctx.tx,
      key.id,
      ctx.keys.tagsOf(ctx.tx, key.id).filter((tag) => !removed.has(tag.key)),
    );
    return {};
  },

  ListResourceTags: (ctx, body) => {
    const key = keyOf(ctx, requiredText(body, 'KeyId'));
    const page = paginate(ctx.keys.tagsOf(ctx.tx, key.id), (tag) => tag.key, body, 50);
    return { Tags: page.items.map((tag) => ({ TagKey: tag.key, TagValue: tag.value })), ...page.more };
  },
} satisfies Record<string, Run>;
