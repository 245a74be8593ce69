import { invalidParameter, limitExceeded } from '../fault';
import { optionalStringList, requiredString, type Body } from '../wire';
import type { SmContext } from './context';
import { assertNotDeleted } from './versions';

/** The most tags a secret can have. */
export const MAX_TAGS = 50;

/** Tag keys starting with `aws:` belong to AWS, in any case. */
function assertNotReserved(key: string): void {
  if (key.toLowerCase().startsWith('aws:')) {
    throw invalidParameter(
      `The tag key ${key} starts with aws:, a prefix reserved for AWS use. Choose a key without it.`,
    );
  }
}

/** The Tags of a request as a record; keys are checked, a missing Value is empty. */
export function tagsOf(body: Body): Record<string, string> {
  const tags = (body.Tags ?? []) as Array<{ Key?: string; Value?: string }>;
  const record: Record<string, string> = {};
  for (const [i, tag] of tags.entries()) {
    if (tag.Key === undefined) throw invalidParameter(`Tag ${i + 1} has no Key. Give every tag a Key.`);
    assertNotReserved(tag.Key);
    record[tag.Key] = tag.Value ?? '';
  }
  return record;
}

/** TagResource: adds or replaces tags, at most 50 on a secret. */
export function tagResource(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  assertNotDeleted(record);
  const tags = { ...record.tags, ...tagsOf(body) };
  if (Object.keys(tags).length > MAX_TAGS) {
    throw limitExceeded(`A secret can have at most ${MAX_TAGS} tags. Remove some with UntagResource first.`);
  }
  record.tags = tags;
  record.lastChangedAt = ctx.now();
  return {};
}

/** Idempotent, as documented: a key the secret does not have is no error. */
export function untagResource(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  assertNotDeleted(record);
  const keys = optionalStringList(body, 'TagKeys') ?? [];
  keys.forEach(assertNotReserved);
  const before = Object.keys(record.tags).length;
  for (const key of keys) delete record.tags[key];
  if (Object.keys(record.tags).length !== before) record.lastChangedAt = ctx.now();
  return {};
}
