import { ListSecretsCommand, type Filter } from '@aws-sdk/client-secrets-manager';
import { KEYSTAGE_TAGS, paginate, validateBoolean } from '../../core';
import { ValidationError, show } from '../../errors';
import type { Operation } from '../operation';
import type { CallOptions } from '../options';
import type { CallContext } from '../pipeline';
import { listItemFrom, type SecretListItem } from './secret-summary';

export interface ListOptions extends CallOptions {
  /** Only secrets tagged `keystage:environment=<environment>`. @default - any */
  readonly environment?: string;
  /** Only secrets tagged `keystage:service=<service>`. @default - any */
  readonly service?: string;
  /** Only secrets with this tag key (and value, when given). @default - any */
  readonly tag?: { readonly key: string; readonly value?: string };
  /** Only secrets whose name starts with this prefix. @default - any */
  readonly prefix?: string;
  /** Include secrets scheduled for deletion. @default false */
  readonly includeScheduledForDeletion?: boolean;
  /**
   * False to ignore the client's scope: `environment` and `service` then filter only when
   * given. @default true - the client's environment and service fill those not given
   */
  readonly scoped?: boolean;
}

/** What a ListSecrets filter value may contain. */
const FILTER_VALUE = /^[A-Za-z0-9 :_@/+=.\-!]{1,512}$/;

function filterValue(value: unknown, field: string): string {
  if (typeof value !== 'string' || !FILTER_VALUE.test(value) || value.startsWith('!')) {
    throw new ValidationError(
      field,
      `${field} ${show(value)} must be 1 to 512 characters from A-Z a-z 0-9 space : _ @ / + = . - (not starting with !).`,
    );
  }
  return value;
}

/** The exact tag pairs an item must carry, from the options. */
function requiredTags(options: ListOptions): Array<[string, string | undefined]> {
  const pairs: Array<[string, string | undefined]> = [];
  if (options.environment !== undefined) {
    pairs.push([KEYSTAGE_TAGS.environment, filterValue(options.environment, 'environment')]);
  }
  if (options.service !== undefined)
    pairs.push([KEYSTAGE_TAGS.service, filterValue(options.service, 'service')]);
  if (options.tag !== undefined) {
    if (typeof options.tag !== 'object' || options.tag === null) {
      throw new ValidationError('tag', 'tag must be { key, value? }.');
    }
    pairs.push([
      filterValue(options.tag.key, 'tag.key'),
      options.tag.value === undefined ? undefined : filterValue(options.tag.value, 'tag.value'),
    ]);
  }
  return pairs;
}

/** A checked listing: the server-side filters and the exact checks applied to each item. */
interface ListQuery {
  readonly prefix: string | undefined;
  readonly tags: ReadonlyArray<[string, string | undefined]>;
  readonly includePlanned: boolean;
}

function listQuery(options: ListOptions): ListQuery {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', 'list options must be an object.');
  }
  return {
    prefix: options.prefix === undefined ? undefined : filterValue(options.prefix, 'prefix'),
    tags: requiredTags(options),
    includePlanned: validateBoolean(
      options.includeScheduledForDeletion,
      'includeScheduledForDeletion',
      false,
    ),
  };
}

/**
 * Every secret that matches, page by page as the caller iterates. The server-side filters
 * only narrow the search: `tag-key` and `tag-value` match independently (a secret with tag
 * a=x and b=y matches key a with value y), so each item is also checked for the exact pairs.
 */
async function* listPages(query: ListQuery, context: CallContext): AsyncGenerator<SecretListItem> {
  const { prefix, tags, includePlanned } = query;
  const filters: Filter[] = [];
  if (prefix !== undefined) filters.push({ Key: 'name', Values: [prefix] });
  for (const [key, value] of tags) {
    filters.push({ Key: 'tag-key', Values: [key] });
    if (value !== undefined) filters.push({ Key: 'tag-value', Values: [value] });
  }
  const matches = (item: SecretListItem): boolean =>
    (prefix === undefined || item.name.startsWith(prefix)) &&
    tags.every(([key, value]) => key in item.tags && (value === undefined || item.tags[key] === value));

  const pages = paginate(
    (nextToken) =>
      context.send('ListSecrets', undefined, (sm) =>
        sm.send(
          new ListSecretsCommand({
            MaxResults: 100,
            IncludePlannedDeletion: includePlanned,
            ...(filters.length === 0 ? {} : { Filters: filters }),
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          }),
        ),
      ),
    'ListSecrets',
  );
  for await (const page of pages) {
    for (const entry of page.SecretList ?? []) {
      const item = listItemFrom(entry, entry.SecretVersionsToStages);
      if (matches(item)) yield item;
    }
  }
}

/** `list`: a stream of the secrets that match; nothing is sent until the caller iterates. */
export const list: Operation<[options: ListOptions], ListQuery, AsyncIterable<SecretListItem>> = {
  name: 'list',
  kind: 'list',
  validate: (options) => listQuery(options),
  secretId: () => undefined,
  call: async (query, context) => listPages(query, context),
  // Listing reveals names: an item the access policy does not let the caller list is left out.
  listing: {
    filter: (items, keep) =>
      (async function* () {
        for await (const item of items) if (keep(item.name)) yield item;
      })(),
  },
};
