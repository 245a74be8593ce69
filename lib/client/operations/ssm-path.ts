import { paginate } from '../../core';
import { KeystageError, SecretNotFoundError, ValidationError, show } from '../../errors';
import type { FetchedSecret } from '../../cache';
import type { Operation } from '../operation';
import { checkCallOptions, type CallOptions } from '../options';
import type { CallContext } from '../pipeline';
import {
  SSM_ID_PREFIX,
  fetchedParameter,
  isSsmId,
  parameterName,
  validateParameterPath,
  validateSsmId,
  type AnsweredParameter,
} from '../ssm-source';
import { idsAlone, withRefused, type GetManyResult, type SecretValueEntry } from './get-many';
import { sendSsm } from './ssm-read';
import { ssmSdk } from './ssm-sdk';

/** GetParametersByPath and GetParameters answer at most 10 parameters per call. */
const PAGE_SIZE = 10;

export interface GetByPathOptions extends CallOptions {
  /**
   * Read every level below the path, not only the parameters directly in it.
   * @default false - one level, as GetParametersByPath reads by default
   */
  readonly recursive?: boolean;
}

/** What a parameter holds, as Parameter Store types it. */
export type ParameterType = 'String' | 'StringList' | 'SecureString';

/** One parameter of a `getByPath` answer: its value (decrypted), type and version number. */
export interface ParameterValueEntry extends SecretValueEntry {
  /** The `ssm:` id, as the answer's maps key it: `ssm:/prod/billing/db_url`. */
  readonly id: string;
  /** The parameter's ARN. */
  readonly arn: string;
  /** The parameter's name: `/prod/billing/db_url`. */
  readonly name: string;
  /** The version number and its write time (`3@1767225600000`), unique over recreations; see `version`. */
  readonly versionId: string;
  /** Parameter Store's version number. */
  readonly version: number;
  readonly type: ParameterType;
  /** Parameter Store answers no labels with a value: always empty. */
  readonly versionStages: readonly string[];
  /** Parameters hold text: always undefined. */
  readonly binary: undefined;
}

export interface GetByPathResult extends GetManyResult {
  /** Values keyed by `ssm:` id. */
  readonly values: ReadonlyMap<string, ParameterValueEntry>;
}

/** A checked path read: the path as GetParametersByPath takes it, and how deep. */
export interface PathListing {
  readonly path: string;
  readonly recursive: boolean;
}

/** A parameter the listing of a path found: its id only (the listing keeps no value). */
export interface ListedParameter {
  readonly id: string;
}

const PATH_OPTIONS: ReadonlySet<string> = new Set(['recursive', 'principal']);

/** Checks `getByPath`'s path and options before anything is sent. */
export function pathListing(path: unknown, options: unknown): PathListing {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError(
      'options',
      `getByPath options must be an object such as { recursive: true }, got ${show(options)}.`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!PATH_OPTIONS.has(key)) {
      throw new ValidationError(
        key,
        `${show(key)} is not an option of getByPath: it takes recursive, principal.`,
      );
    }
  }
  const { recursive } = options as GetByPathOptions;
  if (recursive !== undefined && typeof recursive !== 'boolean') {
    throw new ValidationError('recursive', `recursive must be true or false, got ${show(recursive)}.`);
  }
  return { path: validateParameterPath(path), recursive: recursive ?? false };
}

/**
 * The ids of the parameters under a path: GetParametersByPath without decryption, 10 a page.
 * What a page holds besides the names (a String's text, a SecureString's ciphertext) is
 * dropped at once; the values are read by `getByPath` afterwards, for the ids the access
 * policy lets the caller read.
 */
async function* listedUnder(listing: PathListing, context: CallContext): AsyncGenerator<ListedParameter> {
  const pages = paginate(
    (nextToken) =>
      sendSsm(context, 'GetParametersByPath', `${SSM_ID_PREFIX}${listing.path}`, (ssm) =>
        ssm.send(
          new (ssmSdk().GetParametersByPathCommand)({
            Path: listing.path,
            Recursive: listing.recursive,
            WithDecryption: false,
            MaxResults: PAGE_SIZE,
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          }),
        ),
      ),
    'GetParametersByPath',
  );
  for await (const page of pages) {
    for (const parameter of page.Parameters ?? []) {
      if (parameter.Name !== undefined) yield { id: `${SSM_ID_PREFIX}${parameter.Name}` };
    }
  }
}

/**
 * `getByPath`'s listing: the `ssm:` ids under a path, as a stream. A listing for the access
 * policy, as `list` is for secrets: an id the caller may not list is left out.
 */
export const listParameters: Operation<
  [listing: PathListing],
  PathListing,
  AsyncIterable<ListedParameter>
> = {
  name: 'listParameters',
  kind: 'list',
  validate: (listing) => {
    const { path, recursive } = (listing ?? {}) as Partial<PathListing>;
    return pathListing(path, recursive === undefined ? {} : { recursive });
  },
  secretId: () => undefined,
  call: async (listing, context) => listedUnder(listing, context),
  listing: {
    filter: (items, keep) =>
      (async function* () {
        for await (const item of items) if (keep(item.id)) yield item;
      })(),
  },
  audit: {
    action: 'listParameters',
    describe: (listing) => ({ details: { path: listing.path, recursive: listing.recursive } }),
  },
};

function entryFor(
  id: string,
  parameter: AnsweredParameter & { readonly Type?: string },
): ParameterValueEntry {
  const fetched = fetchedParameter(id, parameter);
  return {
    id,
    arn: parameter.ARN ?? '',
    name: parameterName(id),
    versionId: fetched.versionId,
    versionStages: [],
    value: fetched.text,
    binary: undefined,
    version: parameter.Version ?? 0,
    type: (parameter.Type ?? 'String') as ParameterType,
  };
}

/** GetParameters with decryption, 10 ids a call; an id it cannot read is a per-id error. */
async function fetchParameters(ids: readonly string[], context: CallContext): Promise<GetByPathResult> {
  const values = new Map<string, ParameterValueEntry>();
  const errors = new Map<string, KeystageError>();
  for (let start = 0; start < ids.length; start += PAGE_SIZE) {
    const batch = ids.slice(start, start + PAGE_SIZE);
    const byName = new Map(batch.map((id) => [parameterName(id), id]));
    const output = await sendSsm(context, 'GetParameters', undefined, (ssm) =>
      ssm.send(new (ssmSdk().GetParametersCommand)({ Names: [...byName.keys()], WithDecryption: true })),
    );
    for (const parameter of output.Parameters ?? []) {
      const id = parameter.Name === undefined ? undefined : byName.get(parameter.Name);
      if (id !== undefined && !values.has(id)) values.set(id, entryFor(id, parameter));
    }
    for (const id of batch) {
      if (values.has(id)) continue;
      errors.set(
        id,
        new SecretNotFoundError(
          `GetParameters did not answer ${JSON.stringify(id)}: it was deleted since the path was listed, or cannot be read.`,
          { secretId: id },
        ),
      );
    }
  }
  return { values, errors };
}

/** The answer's values in the shape the cache keeps (by `ssm:` id, like `get` keeps them). */
function toFetched(values: GetByPathResult['values']): Map<string, FetchedSecret> {
  const fetched = new Map<string, FetchedSecret>();
  for (const [id, entry] of values) {
    // Keyed and refreshed by the ssm: id, as get keeps a parameter (see fetchedParameter).
    fetched.set(id, { arn: id, name: id, versionId: entry.versionId, text: entry.value, binary: undefined });
  }
  return fetched;
}

function validateSsmIds(ids: unknown): string[] {
  if (!Array.isArray(ids)) throw new ValidationError('ids', 'ids must be an array of ssm: ids.');
  return [
    ...new Set(
      ids.map((id, i) => {
        if (!isSsmId(id)) throw new ValidationError(`ids[${i}]`, `ids[${i}] ${show(id)} is not an ssm: id.`);
        return validateSsmId(id, `ids[${i}]`);
      }),
    ),
  ];
}

/**
 * `getByPath`'s read: the values of the parameters its listing found, 10 per GetParameters,
 * decrypted. Each id is authorized and counted as a read on its own, as `getAll` does for
 * secrets: an id the policy refuses is a per-id error and its value is never fetched. What it
 * read stays in the cache, so a `get` of one of them that follows makes no call.
 */
export const getByPath: Operation<[ids: readonly string[], options: CallOptions], string[], GetByPathResult> =
  {
    name: 'getByPath',
    kind: 'read',
    validate: (ids, options) => (checkCallOptions(options, 'getByPath'), validateSsmIds(ids)),
    secretId: () => undefined,
    call: (ids, context) => fetchParameters(ids, context),
    cache: { keep: (result) => toFetched(result.values) },
    batch: {
      ...idsAlone,
      refuse: (result, refused) => ({ values: result.values, errors: withRefused(result.errors, refused) }),
    },
  };
