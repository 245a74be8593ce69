import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { validateSecretId, validateTagKeys, validateTags } from '../../core';
import { ValidationError } from '../../errors';
import { recordToTags } from '../metadata';
import type { Operation } from '../operation';
import { checkCallOptions, type CallOptions } from '../options';

/** `tag`: adds or overwrites tags. */
export const tag: Operation<
  [id: string, tags: Readonly<Record<string, string>>, options: CallOptions],
  { readonly secretId: string; readonly tags: Record<string, string> },
  void
> = {
  name: 'tag',
  kind: 'manage',
  validate: (id, tags, options) => {
    checkCallOptions(options, 'tag');
    const secretId = validateSecretId(id);
    const valid = validateTags(tags);
    if (Object.keys(valid).length === 0)
      throw new ValidationError('tags', 'tags is empty: pass at least one tag.');
    return { secretId, tags: valid };
  },
  secretId: (input) => input.secretId,
  call: async ({ secretId, tags }, context) => {
    await context.send('TagResource', secretId, (sm) =>
      sm.send(new TagResourceCommand({ SecretId: secretId, Tags: recordToTags(tags) })),
    );
  },
  audit: { action: 'tag', describe: (input) => ({ details: { keys: Object.keys(input.tags) } }) },
};

/** `untag`: removes tags by key. */
export const untag: Operation<
  [id: string, keys: readonly string[], options: CallOptions],
  { readonly secretId: string; readonly keys: string[] },
  void
> = {
  name: 'untag',
  kind: 'manage',
  validate: (id, keys, options) => {
    checkCallOptions(options, 'untag');
    return { secretId: validateSecretId(id), keys: validateTagKeys(keys) };
  },
  secretId: (input) => input.secretId,
  call: async ({ secretId, keys }, context) => {
    await context.send('UntagResource', secretId, (sm) =>
      sm.send(new UntagResourceCommand({ SecretId: secretId, TagKeys: keys })),
    );
  },
  audit: { action: 'untag', describe: (input) => ({ details: { keys: input.keys } }) },
};
