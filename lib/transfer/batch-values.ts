import { BatchGetSecretValueCommand, type SecretValueEntry } from '@aws-sdk/client-secrets-manager';
import { namesSecret, paginate, toKeystageError } from '../core';
import { SecretNotFoundError, type KeystageError } from '../errors';
import type { CallContext } from '../client/pipeline';
import { BATCH_SIZE } from '../client/operations/get-many';

/** Values keyed by the id asked for, and the failures per id. */
export interface BatchValues<V> {
  readonly values: Map<string, V>;
  readonly errors: Map<string, KeystageError>;
}

/**
 * The AWSCURRENT values of `ids`, 20 per BatchGetSecretValue and every page of each, each
 * answer turned into what the caller keeps by `valueOf` (which may throw: that id's error).
 * An id the service answered neither way for is a SECRET_NOT_FOUND, so every id asked for
 * ends in `values` or in `errors`. The bulk reads of export and backup share it.
 */
export async function readBatchValues<V>(
  context: CallContext,
  ids: readonly string[],
  valueOf: (entry: SecretValueEntry, id: string) => V,
): Promise<BatchValues<V>> {
  const values = new Map<string, V>();
  const errors = new Map<string, KeystageError>();
  for (let start = 0; start < ids.length; start += BATCH_SIZE) {
    const batch = ids.slice(start, start + BATCH_SIZE);
    const pending = new Set(batch);
    const owner = (name: string | undefined, arn: string | undefined): string | undefined => {
      for (const id of pending) if (namesSecret(id, name, arn)) return id;
      return undefined;
    };
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
        const id = owner(entry.Name, entry.ARN);
        if (id === undefined) continue;
        pending.delete(id);
        try {
          values.set(id, valueOf(entry, id));
        } catch (error) {
          errors.set(id, error as KeystageError);
        }
      }
      for (const failure of page.Errors ?? []) {
        const id = owner(failure.SecretId, failure.SecretId);
        if (id === undefined) continue;
        pending.delete(id);
        errors.set(
          id,
          toKeystageError(
            { name: failure.ErrorCode ?? 'UnknownError', message: failure.Message ?? 'no message' },
            { operation: 'BatchGetSecretValue', secretId: id },
          ),
        );
      }
    }
    for (const id of pending) {
      errors.set(
        id,
        new SecretNotFoundError(
          `BatchGetSecretValue returned neither a value nor an error for ${JSON.stringify(id)}.`,
          { secretId: id },
        ),
      );
    }
  }
  return { values, errors };
}
