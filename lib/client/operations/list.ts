import { ListSecretsCommand, type Filter } from '@aws-sdk/client-secrets-manager';
import { ValidationError, show } from '../../errors';
import { call, type ClientContext } from '../context';
import { KEYSTAGE_TAGS, type ListOptions, type SecretListItem } from '../types';
import { validateBoolean } from '../validation';
import { listItemFrom } from './describe';

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

/**
 * Every secret that matches, across all pages. The server-side filters only narrow the
 * search: `tag-key` and `tag-value` match independently (a secret with tag a=x and b=y
 * matches key a with value y), so each item is also checked for the exact pairs here.
 */
export function listSecrets(ctx: ClientContext, options: ListOptions): AsyncIterable<SecretListItem> {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', 'list options must be an object.');
  }
  const prefix = options.prefix === undefined ? undefined : filterValue(options.prefix, 'prefix');
  const tags = requiredTags(options);
  const includePlanned = validateBoolean(
    options.includeScheduledForDeletion,
    'includeScheduledForDeletion',
    false,
  );
  const filters: Filter[] = [];
  if (prefix !== undefined) filters.push({ Key: 'name', Values: [prefix] });
  for (const [key, value] of tags) {
    filters.push({ Key: 'tag-key', Values: [key] });
    if (value !== undefined) filters.push({ Key: 'tag-value', Values: [value] });
  }
  const matches = (item: SecretListItem): boolean =>
    (prefix === undefined || item.name.startsWith(prefix)) &&
    tags.every(([key, value]) => key in item.tags && (value === undefined || item.tags[key] === value));

  return {
    async *[Symbol.asyncIterator]() {
      let nextToken: string | undefined;
      do {
        const page = await call('ListSecrets', undefined, () =>
          ctx.sm.send(
            new ListSecretsCommand({
              MaxResults: 100,
              IncludePlannedDeletion: includePlanned,
              ...(filters.length === 0 ? {} : { Filters: filters }),
              ...(nextToken === undefined ? {} : { NextToken: nextToken }),
            }),
          ),
        );
        for (const entry of page.SecretList ?? []) {
          const item = listItemFrom(entry, entry.SecretVersionsToStages);
          if (matches(item)) yield item;
        }
        nextToken = page.NextToken;
      } while (nextToken !== undefined);
    },
  };
}
