import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { validateSecretId, validateSecretIds, validateVersionToken } from '../../core';
import { KeystageError, SecretDecodeError, ValidationError } from '../../errors';
import type { Operation } from '../../client/operation';
import { checkCallOptions, type CallOptions } from '../../client/options';
import { readBatchValues } from '../batch-values';
import { BackupValue } from './backup-value';

/** BatchGetSecretValue takes at most 20 ids per call. */
export const BATCH_SIZE = 20;

/** One version's value, as the service answered it (never decrypted, never decoded). */
export interface VersionValue {
  readonly arn: string;
  readonly versionId: string;
  readonly value: BackupValue;
}

function valueOf(
  output: { readonly SecretString?: string; readonly SecretBinary?: Uint8Array },
  secretId: string,
): BackupValue {
  if (output.SecretString !== undefined) return BackupValue.text(output.SecretString);
  if (output.SecretBinary !== undefined) return BackupValue.binary(output.SecretBinary);
  throw new SecretDecodeError(`Secret ${JSON.stringify(secretId)} answered with no value.`, { secretId });
}

/**
 * One version of a secret by VersionId, exactly as stored: an `encrypted-json` value stays
 * its ciphertext, a binary value its bytes. Bypasses the read cache, so a backup of many
 * secrets neither fills nor churns it.
 */
export const readVersion: Operation<
  [id: string, versionId: string, options: CallOptions],
  { readonly secretId: string; readonly versionId: string },
  VersionValue
> = {
  name: 'get',
  kind: 'read',
  validate: (id, versionId, options) => {
    checkCallOptions(options, 'readVersion');
    return { secretId: validateSecretId(id), versionId: validateVersionToken(versionId, 'versionId') };
  },
  secretId: (input) => input.secretId,
  call: async ({ secretId, versionId }, context, invocation) => {
    const output = await context.send('GetSecretValue', secretId, (sm) =>
      sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId })),
    );
    invocation.versionId = output.VersionId ?? versionId;
    return {
      arn: output.ARN ?? '',
      versionId: output.VersionId ?? versionId,
      value: valueOf(output, secretId),
    };
  },
  audit: { action: 'get' },
};

/** The AWSCURRENT values of many secrets, keyed by the id asked for; failures per id. */
export interface CurrentValues {
  readonly values: ReadonlyMap<string, VersionValue>;
  readonly errors: ReadonlyMap<string, KeystageError>;
}

/**
 * The AWSCURRENT values of up to 20 secrets with one BatchGetSecretValue, exactly as stored.
 * Each id is authorized, counted and audited on its own, as for `getMany`.
 */
export const readCurrentValues: Operation<
  [ids: readonly string[], options: CallOptions],
  string[],
  CurrentValues
> = {
  name: 'getMany',
  kind: 'read',
  validate: (ids, options) => {
    checkCallOptions(options, 'readCurrentValues');
    const checked = validateSecretIds(ids);
    if (checked.length > BATCH_SIZE) {
      throw new ValidationError(
        'ids',
        `readCurrentValues takes at most ${BATCH_SIZE} ids, got ${checked.length}.`,
      );
    }
    return checked;
  },
  secretId: () => undefined,
  call: (ids, context) =>
    readBatchValues(context, ids, (entry, id) => ({
      arn: entry.ARN ?? '',
      versionId: entry.VersionId ?? '',
      value: valueOf(entry, id),
    })),
  batch: {
    ids: (ids) => ids,
    only: (_ids, allowed) => [...allowed],
    refuse: (result, refused) => ({ values: result.values, errors: new Map([...refused, ...result.errors]) }),
  },
};
