import { validateSecretIds } from '../../core';
import { ValidationError, show } from '../../errors';
import type { Operation } from '../operation';
import { checkCallOptions, type CallOptions } from '../options';
import { fetchMany, idsAlone, toFetched, withRefused, withoutSealed, type GetManyResult } from './get-many';
import type { ListOptions } from './list';

/**
 * Which secrets `getAll` reads: the filters of `list` (tags are matched exactly), filled from
 * the client's scope unless `scoped: false`.
 */
export interface GetAllOptions extends CallOptions {
  /** Only secrets tagged `keystage:environment=<environment>`. @default - the client's environment, else any */
  readonly environment?: string;
  /** Only secrets tagged `keystage:service=<service>`. @default - the client's service, else any */
  readonly service?: string;
  /** Only secrets with this tag key (and value, when given). @default - any */
  readonly tag?: { readonly key: string; readonly value?: string };
  /** Only secrets whose name starts with this prefix. @default - any */
  readonly prefix?: string;
  /**
   * False to ignore the client's scope. With no filter left at all, `getAll` reads every
   * secret of the account and region, which only `scoped: false` asks for; otherwise such a
   * call is refused (VALIDATION_ERROR, field `scoped`).
   * @default true
   */
  readonly scoped?: boolean;
}

const GET_ALL_KEYS: ReadonlySet<string> = new Set<keyof GetAllOptions>([
  'environment',
  'service',
  'tag',
  'prefix',
  'scoped',
  'principal',
]);

/**
 * Checks getAll's options (before the scope fills them): an object of known keys, as the
 * options of the `list` that finds the names (which checks the filters themselves).
 * @example
 * const listOptions = getAllListing({ environment: 'prod' });
 */
export function getAllListing(options: unknown): ListOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError(
      'options',
      `getAll options must be an object such as { environment }, got ${show(options)}.`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!GET_ALL_KEYS.has(key)) {
      throw new ValidationError(
        key,
        `${show(key)} is not an option of getAll: it takes ${[...GET_ALL_KEYS].join(', ')}.`,
      );
    }
  }
  const { environment, service, tag, prefix, principal, scoped } = options as GetAllOptions;
  return {
    ...(scoped === undefined ? {} : { scoped }),
    ...(environment === undefined ? {} : { environment }),
    ...(service === undefined ? {} : { service }),
    ...(tag === undefined ? {} : { tag }),
    ...(prefix === undefined ? {} : { prefix }),
    ...(principal === undefined ? {} : { principal }),
  };
}

/**
 * `getAll`'s read: the secrets a listing found, by name, 20 per BatchGetSecretValue, as
 * `getMany` reads them. keystage's access policy decides per secret before its value is read,
 * so the names come first (from `list`, where the policy's `list` decides which names the
 * caller may learn; Secrets Manager asks for ListSecrets permission on a filtered batch read
 * too) and each is then authorized and counted as a read: a refused name is a per-name error
 * and its value is never fetched. A read by Filters would fetch every match first.
 */
export const getAll: Operation<[names: readonly string[], options: CallOptions], string[], GetManyResult> = {
  name: 'getAll',
  kind: 'read',
  validate: (names, options) => (checkCallOptions(options, 'getAll'), validateSecretIds(names, 'names')),
  secretId: () => undefined,
  call: async (names, context) => withoutSealed(await fetchMany(names, context)),
  cache: { keep: (result) => toFetched(result.values) },
  batch: {
    ...idsAlone,
    refuse: (result, refused) => ({ values: result.values, errors: withRefused(result.errors, refused) }),
  },
};
