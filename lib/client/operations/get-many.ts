import {
  BatchGetSecretValueCommand,
  type SecretValueEntry as AwsValueEntry,
} from '@aws-sdk/client-secrets-manager';
import type { FetchedSecret } from '../../cache';
import { namesSecret, paginate, toKeystageError, validateSecretIds } from '../../core';
import { KeystageError, SecretDecodeError, SecretNotFoundError } from '../../errors';
import type { Operation } from '../operation';
import { checkCallOptions, type CallOptions } from '../options';
import type { CallContext } from '../pipeline';
import { SealedSecretValue } from '../sealed-value';
import { explainDenied } from './read';

/** BatchGetSecretValue takes at most 20 ids per call. */
export const BATCH_SIZE = 20;

export interface SecretValueEntry {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly versionId: string;
  readonly versionStages: readonly string[];
  /** The string value; undefined for a binary secret (see `binary`). */
  readonly value: string | undefined;
  readonly binary: Uint8Array | undefined;
}

export interface GetManyResult {
  /** Values keyed by the id the caller passed. */
  readonly values: ReadonlyMap<string, SecretValueEntry>;
  /** Per-id failures keyed by the id the caller passed. */
  readonly errors: ReadonlyMap<string, KeystageError>;
}

/** Which requested id an answer belongs to (the service answers by name and full ARN). */
function requestedId(
  pending: ReadonlySet<string>,
  name: string | undefined,
  arn: string | undefined,
): string | undefined {
  for (const id of pending) if (namesSecret(id, name, arn)) return id;
  return undefined;
}

function entryFrom(id: string, entry: AwsValueEntry, context: CallContext): SecretValueEntry {
  // An encrypted-json value is kept as its ciphertext, never as text (see SealedSecretValue).
  const sealed = SealedSecretValue.fromText(entry.SecretString, context.envelope);
  return {
    id,
    arn: entry.ARN ?? '',
    name: entry.Name ?? '',
    versionId: entry.VersionId ?? '',
    versionStages: entry.VersionStages ?? [],
    value: sealed === undefined ? entry.SecretString : undefined,
    binary: sealed ?? entry.SecretBinary,
  };
}

/**
 * getMany's answer: encrypted-json values are per-id errors (read them with get or
 * getJson), never their ciphertext posing as a binary value. The cache is filled by
 * prefetch, which keeps them sealed.
 */
export function withoutSealed(result: GetManyResult): GetManyResult {
  const sealed = [...result.values].filter(([, entry]) => entry.binary instanceof SealedSecretValue);
  if (sealed.length === 0) return result;
  const values = new Map(result.values);
  const errors = new Map(result.errors);
  for (const [id] of sealed) {
    values.delete(id);
    errors.set(
      id,
      new SecretDecodeError(
        `Secret ${JSON.stringify(id)} holds an encrypted-json value: read it with get() or getJson().`,
        {
          secretId: id,
        },
      ),
    );
  }
  return { values, errors };
}

/** getMany's entries in the shape the cache keeps. */
export function toFetched(values: GetManyResult['values']): Map<string, FetchedSecret> {
  const fetched = new Map<string, FetchedSecret>();
  for (const [id, entry] of values) {
    fetched.set(id, {
      arn: entry.arn,
      name: entry.name,
      versionId: entry.versionId,
      text: entry.value,
      binary: entry.binary,
    });
  }
  return fetched;
}

/**
 * Reads many secrets, 20 per BatchGetSecretValue call, every page of each. Failures are
 * reported per id; only a failure of a whole call is thrown. The work behind `getMany`
 * and `prefetch`, and the cache's source for batches.
 */
export async function fetchMany(ids: readonly string[], context: CallContext): Promise<GetManyResult> {
  const values = new Map<string, SecretValueEntry>();
  const errors = new Map<string, KeystageError>();

  for (let start = 0; start < ids.length; start += BATCH_SIZE) {
    const batch = ids.slice(start, start + BATCH_SIZE);
    const pending = new Set(batch);
    const pages = paginate(
      (nextToken) =>
        context.send('BatchGetSecretValue', undefined, (sm) =>
          sm.send(
            new BatchGetSecretValueCommand({
              SecretIdList: batch,
              ...(nextToken === undefined ? {} : { NextToken: nextToken }),
            }),
          ),
        ),
      'BatchGetSecretValue',
    );
    for await (const page of pages) {
      for (const entry of page.SecretValues ?? []) {
        const id = requestedId(pending, entry.Name, entry.ARN);
        if (id === undefined) continue;
        pending.delete(id);
        values.set(id, entryFrom(id, entry, context));
      }
      for (const failure of page.Errors ?? []) {
        const id = requestedId(pending, failure.SecretId, failure.SecretId);
        if (id === undefined) continue;
        pending.delete(id);
        const error = toKeystageError(
          { name: failure.ErrorCode ?? 'UnknownError', message: failure.Message ?? 'no message' },
          { operation: 'BatchGetSecretValue', secretId: id },
        );
        errors.set(id, (await explainDenied(context, id, error)) as KeystageError);
      }
    }

    for (const id of pending) {
      errors.set(
        id,
        new SecretNotFoundError(
          `BatchGetSecretValue returned neither a value nor an error for ${JSON.stringify(id)}: ` +
            'check the name or ARN and the region.',
          { secretId: id },
        ),
      );
    }
  }
  context.logger.debug('getMany done', { requested: ids.length, values: values.size, errors: errors.size });
  return { values, errors };
}

/** Refused ids first, then the service's own per-id errors. */
export function withRefused(
  errors: ReadonlyMap<string, KeystageError>,
  refused: ReadonlyMap<string, KeystageError>,
): Map<string, KeystageError> {
  return new Map([...refused, ...errors]);
}

/** The ids of a batch as the access stages see them: each on its own. */
export const idsAlone = {
  ids: (ids: string[]) => ids,
  only: (_ids: string[], allowed: readonly string[]) => [...allowed],
};

/**
 * `getMany`: many values at once; what it read stays in the cache, so a `get` that follows
 * is a hit. An id the access policy refuses (or its rate limit throttles) is a per-id
 * error, like an id the service refuses; the other ids are still read.
 */
export const getMany: Operation<[ids: readonly string[], options: CallOptions], string[], GetManyResult> = {
  name: 'getMany',
  kind: 'read',
  validate: (ids, options) => (checkCallOptions(options, 'getMany'), validateSecretIds(ids)),
  secretId: () => undefined,
  call: async (ids, context) => withoutSealed(await fetchMany(ids, context)),
  cache: { keep: (result) => toFetched(result.values) },
  batch: {
    ...idsAlone,
    refuse: (result, refused) => ({ values: result.values, errors: withRefused(result.errors, refused) }),
  },
};

/** `prefetch`: warms the cache for many secrets, skipping those already fresh; returns the per-id errors. */
export const prefetch: Operation<
  [ids: readonly string[], options: CallOptions],
  string[],
  ReadonlyMap<string, KeystageError>
> = {
  name: 'prefetch',
  kind: 'read',
  validate: (ids, options) => (checkCallOptions(options, 'prefetch'), validateSecretIds(ids)),
  secretId: () => undefined,
  call: async (ids, context) => (await fetchMany(ids, context)).errors,
  cache: { serve: (cache, ids) => cache.prefetch(ids) },
  batch: { ...idsAlone, refuse: withRefused },
};
