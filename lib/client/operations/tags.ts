import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { ValidationError } from '../../errors';
import { audited, call, type ClientContext } from '../context';
import { recordToTags } from '../metadata';
import { validateSecretId, validateTagKeys, validateTags } from '../validation';

/** Adds or overwrites tags. */
export async function tagSecret(
  ctx: ClientContext,
  id: string,
  tags: Readonly<Record<string, string>>,
): Promise<void> {
  const secretId = validateSecretId(id);
  const valid = validateTags(tags);
  const keys = Object.keys(valid);
  if (keys.length === 0) throw new ValidationError('tags', 'tags is empty: pass at least one tag.');
  await audited(
    ctx,
    'tag',
    secretId,
    () =>
      call('TagResource', secretId, () =>
        ctx.sm.send(new TagResourceCommand({ SecretId: secretId, Tags: recordToTags(valid) })),
      ),
    () => ({ details: { keys } }),
  );
}

/** Removes tags by key. */
export async function untagSecret(ctx: ClientContext, id: string, keys: readonly string[]): Promise<void> {
  const secretId = validateSecretId(id);
  const valid = validateTagKeys(keys);
  await audited(
    ctx,
    'untag',
    secretId,
    () =>
      call('UntagResource', secretId, () =>
        ctx.sm.send(new UntagResourceCommand({ SecretId: secretId, TagKeys: valid })),
      ),
    () => ({ details: { keys: valid } }),
  );
}
