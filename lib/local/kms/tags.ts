import { tagFault } from './faults';

/** One tag of a key; kept as a list of pairs so any key text ("__proto__" too) is plain data. */
export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** Tags a key can have at most. */
export const MAX_TAGS = 50;

/** The Tags member of CreateKey and TagResource (its shape was checked: TagKey 1-128, TagValue 0-256). */
export function readTags(value: unknown): Tag[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => {
    const tag = item as { TagKey: string; TagValue: string };
    return { key: tag.TagKey, value: tag.TagValue };
  });
}

/**
 * Adds tags to a key's tags: a tag key already there gets the new value. Refuses the
 * reserved `aws:` prefix and more than {@link MAX_TAGS} tags with TagException.
 */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(existing.map((tag) => [tag.key, tag.value]));
  for (const tag of added) {
    if (tag.key.toLowerCase().startsWith('aws:')) {
      throw tagFault(`Tag key ${tag.key} starts with aws:, which is reserved for AWS: choose another key.`);
    }
    byKey.set(tag.key, tag.value);
  }
  if (byKey.size > MAX_TAGS) {
    throw tagFault(
      `A key can have at most ${MAX_TAGS} tags; this request would leave ${byKey.size}: remove some with UntagResource first.`,
    );
  }
  return [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => ({ key, value }));
}
