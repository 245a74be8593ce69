import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { KEYSTAGE_TAGS, validateSecretId, validateTags } from '../../core';
import { ValidationError, show } from '../../errors';
import type { Operation } from '../../client/operation';
import { checkCallOptions, type CallOptions } from '../../client/options';

/**
 * Groups and dependencies live in two tags on each secret: `keystage:group` lists the groups
 * it belongs to and `keystage:depends-on` the secrets it depends on, by name. A tag value
 * holds at most 256 characters of letters, digits, spaces and `_ . : / = + - @` (Secrets
 * Manager's Tag limits), so each is a sorted, space-separated list: neither a group name nor
 * a secret name can hold a space.
 */

/** The tags this module writes; callers cannot set `keystage:` tags through `client.tag`. */
export type OrganiseTag = typeof KEYSTAGE_TAGS.group | typeof KEYSTAGE_TAGS.dependsOn;

/** Secrets Manager's limit on a tag value. */
export const MAX_TAG_VALUE = 256;

/** A group name: 1 to 64 of `A-Z a-z 0-9 _ . / = + - @`, so it fits a tag value and has no space. */
const GROUP_NAME = /^[A-Za-z0-9_./=+@-]{1,64}$/;

/**
 * A group name, checked.
 * @example
 * validateGroupName('payments'); // 'payments'
 */
export function validateGroupName(value: unknown, field = 'name'): string {
  if (typeof value !== 'string' || !GROUP_NAME.test(value)) {
    throw new ValidationError(
      field,
      `${field} ${show(value)} must be 1 to 64 characters of A-Z a-z 0-9 _ . / = + - @ (a group name, no spaces).`,
    );
  }
  return value;
}

/** The list a tag value holds; an absent tag is an empty list. */
export function parseList(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(' ').filter((item) => item !== '');
}

/** A list as a tag value: sorted, without duplicates. */
export function formatList(items: Iterable<string>): string {
  return [...new Set(items)].sort().join(' ');
}

interface TagWrite {
  readonly secretId: string;
  readonly key: OrganiseTag;
  /** The new value; undefined removes the tag. */
  readonly value: string | undefined;
}

function checkWrite(secretId: unknown, key: unknown, value: unknown, options: unknown): TagWrite {
  checkCallOptions(options, 'tag');
  const id = validateSecretId(secretId);
  if (key !== KEYSTAGE_TAGS.group && key !== KEYSTAGE_TAGS.dependsOn) {
    throw new ValidationError('key', `key ${show(key)} is not a tag keystage/organise writes.`);
  }
  if (value !== undefined) validateTags({ [key]: value });
  return { secretId: id, key, value: value as string | undefined };
}

/**
 * Sets or removes one of the organise tags of a secret: a `manage` operation, so the access
 * policy, rate limits and audit trail see it as the tag change it is (`tag` with the key, or
 * `untag` when the list becomes empty).
 */
export const setOrganiseTag: Operation<
  [secretId: string, key: OrganiseTag, value: string, options: CallOptions],
  TagWrite,
  void
> = {
  name: 'tag',
  kind: 'manage',
  validate: (secretId, key, value, options) => checkWrite(secretId, key, value, options),
  secretId: (write) => write.secretId,
  call: async ({ secretId, key, value }, context) => {
    await context.send('TagResource', secretId, (sm) =>
      sm.send(new TagResourceCommand({ SecretId: secretId, Tags: [{ Key: key, Value: value! }] })),
    );
  },
  audit: { action: 'tag', describe: (write) => ({ details: { keys: [write.key] } }) },
};

/** Removes one of the organise tags of a secret (see {@link setOrganiseTag}). */
export const removeOrganiseTag: Operation<
  [secretId: string, key: OrganiseTag, options: CallOptions],
  TagWrite,
  void
> = {
  name: 'untag',
  kind: 'manage',
  validate: (secretId, key, options) => checkWrite(secretId, key, undefined, options),
  secretId: (write) => write.secretId,
  call: async ({ secretId, key }, context) => {
    await context.send('UntagResource', secretId, (sm) =>
      sm.send(new UntagResourceCommand({ SecretId: secretId, TagKeys: [key] })),
    );
  },
  audit: { action: 'untag', describe: (write) => ({ details: { keys: [write.key] } }) },
};
