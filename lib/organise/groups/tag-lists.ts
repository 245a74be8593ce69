import type { SecretListItem, SecretSummary } from '../../client';
import type { CallOptions } from '../../client/options';
import { runOperation, type SecretsClient } from '../../client/secrets-client';
import { MAX_TAGS, validateSecretIds } from '../../core';
import { ValidationError } from '../../errors';
import {
  MAX_TAG_VALUE,
  formatList,
  parseList,
  removeOrganiseTag,
  setOrganiseTag,
  type OrganiseTag,
} from './organise-tags';

/** One secret's planned list tag: what it holds now and what it will hold. */
export interface ListChange {
  readonly secret: SecretSummary | SecretListItem;
  readonly key: OrganiseTag;
  readonly before: string | undefined;
  /** The new value; undefined removes the tag. */
  readonly after: string | undefined;
}

/** The principal of `options`, as the client methods take it. */
export function callOptions(options: CallOptions | undefined): CallOptions {
  return options?.principal === undefined ? {} : { principal: options.principal };
}

/** The secrets `ids` name, each described (which also proves it exists), in the order given. */
export async function describeAll(
  client: SecretsClient,
  ids: readonly string[],
  options: CallOptions,
): Promise<SecretSummary[]> {
  const found: SecretSummary[] = [];
  for (const id of ids) found.push(await client.describe(id, options));
  // Two ids may name one secret (a name and its ARN).
  return found.filter((secret, i) => found.findIndex((other) => other.arn === secret.arn) === i);
}

/** `ids` checked as a non-empty list of secret ids. */
export function checkIds(ids: unknown, field: string): string[] {
  const checked = validateSecretIds(ids, field);
  if (checked.length === 0) throw new ValidationError(field, `${field} is empty: name at least one secret.`);
  return checked;
}

/**
 * The change that makes `secret`'s `key` list hold `items`, or undefined when it already
 * does. Refused (before anything is written) when the list would not fit a tag value, or
 * the tag would be one too many for the secret.
 */
export function planList(
  secret: SecretSummary | SecretListItem,
  key: OrganiseTag,
  items: Iterable<string>,
  what: string,
): ListChange | undefined {
  const before = secret.tags[key];
  const value = formatList(items);
  const after = value === '' ? undefined : value;
  if (after === before || (after === undefined && before === undefined)) return undefined;
  if (after !== undefined && after.length > MAX_TAG_VALUE) {
    throw new ValidationError(
      key,
      `Secret ${JSON.stringify(secret.name)} would list ${parseList(after).length} ${what} in its ${key} tag, ` +
        `${after.length} characters; a tag value holds at most ${MAX_TAG_VALUE}. Use fewer or shorter ${what}.`,
    );
  }
  if (before === undefined && after !== undefined && Object.keys(secret.tags).length >= MAX_TAGS) {
    throw new ValidationError(
      key,
      `Secret ${JSON.stringify(secret.name)} carries ${MAX_TAGS} tags already, the most a secret can have: remove one to add ${key}.`,
    );
  }
  return { secret, key, before, after };
}

function write(
  client: SecretsClient,
  arn: string,
  key: OrganiseTag,
  value: string | undefined,
  options: CallOptions,
) {
  return value === undefined
    ? runOperation(client, removeOrganiseTag, [arn, key, options], options)
    : runOperation(client, setOrganiseTag, [arn, key, value, options], options);
}

/**
 * Applies planned changes one by one. If one fails, those already made are put back as they
 * were (best effort: a put-back that fails too is left for a rerun, which converges) and the
 * first failure is thrown.
 */
export async function applyChanges(
  client: SecretsClient,
  changes: readonly ListChange[],
  options: CallOptions,
): Promise<void> {
  const done: ListChange[] = [];
  for (const change of changes) {
    try {
      await write(client, change.secret.arn, change.key, change.after, options);
      done.push(change);
    } catch (error) {
      for (const made of done.reverse()) {
        await write(client, made.secret.arn, made.key, made.before, options).catch(() => undefined);
      }
      throw error;
    }
  }
}
