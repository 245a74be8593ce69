import {
  BatchGetSecretValueCommand,
  type SecretValueEntry as AwsValueEntry,
} from '@aws-sdk/client-secrets-manager';
import { KeystageError, SecretNotFoundError } from '../../errors';
import { toKeystageError } from '../aws-errors';
import { call, type ClientContext } from '../context';
import type { GetManyResult, SecretValueEntry } from '../types';
import { validateSecretIds } from '../validation';
import { explainDenied } from './read';

/** BatchGetSecretValue takes at most 20 ids per call. */
export const BATCH_SIZE = 20;

/**
 * Which requested id an answer belongs to: the service answers with the secret's name and
 * full ARN, while the caller may have asked by name, full ARN or partial ARN (the ARN
 * without its `-` and six random characters).
 */
function requestedId(
  pending: ReadonlySet<string>,
  name: string | undefined,
  arn: string | undefined,
): string | undefined {
  for (const id of pending) {
    if (id === name || id === arn) return id;
    if (
      arn !== undefined &&
      id.startsWith('arn:') &&
      arn.length === id.length + 7 &&
      arn.startsWith(`${id}-`)
    ) {
      return id;
    }
  }
  return undefined;
}

function entryFrom(id: string, entry: AwsValueEntry): SecretValueEntry {
  return {
    id,
    arn: entry.ARN ?? '',
    name: entry.Name ?? '',
    versionId: entry.VersionId ?? '',
    versionStages: entry.VersionStages ?? [],
    value: entry.SecretString,
    binary: entry.SecretBinary,
  };
}

/**
 * Reads many secrets, 20 per BatchGetSecretValue call, following NextToken within each
 * call. Failures are reported per id; only a failure of a whole call is thrown.
 */
export async function getManySecrets(ctx: ClientContext, ids: readonly string[]): Promise<GetManyResult> {
  const unique = validateSecretIds(ids);
  const values = new Map<string, SecretValueEntry>();
  const errors = new Map<string, KeystageError>();

  for (let start = 0; start < unique.length; start += BATCH_SIZE) {
    const batch = unique.slice(start, start + BATCH_SIZE);
    const pending = new Set(batch);
    let nextToken: string | undefined;
    do {
      const page = await call('BatchGetSecretValue', undefined, () =>
        ctx.sm.send(
          new BatchGetSecretValueCommand({
            SecretIdList: batch,
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          }),
        ),
      );
      for (const entry of page.SecretValues ?? []) {
        const id = requestedId(pending, entry.Name, entry.ARN);
        if (id === undefined) continue;
        pending.delete(id);
        values.set(id, entryFrom(id, entry));
      }
      for (const failure of page.Errors ?? []) {
        const id = requestedId(pending, failure.SecretId, failure.SecretId);
        if (id === undefined) continue;
        pending.delete(id);
        const error = toKeystageError(
          { name: failure.ErrorCode ?? 'UnknownError', message: failure.Message ?? 'no message' },
          { operation: 'BatchGetSecretValue', secretId: id },
        );
        errors.set(id, (await explainDenied(ctx, id, error)) as KeystageError);
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined);

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
  ctx.logger.debug('getMany done', { requested: unique.length, values: values.size, errors: errors.size });
  return { values, errors };
}
