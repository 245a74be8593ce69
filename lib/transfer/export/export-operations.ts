import { GetSecretValueCommand, ListSecretsCommand, type Filter } from '@aws-sdk/client-secrets-manager';
import {
  KEYSTAGE_TAGS,
  paginate,
  validateSecretId,
  validateSecretIds,
  validateVersionToken,
} from '../../core';
import { KeystageError, SecretNotFoundError } from '../../errors';
import { describeRaw } from '../../client/operations/describe';
import { tagsToRecord } from '../../client/metadata';
import { readBatchValues } from '../batch-values';
import type { Operation } from '../../client/operation';
import type { CallContext } from '../../client/pipeline';

/**
 * The reads export and import make, as operations of the client's pipeline under the names
 * of the client methods they resemble (`list`, `getMany`, `get`, `describe`): an access
 * policy that allows those allows these, and the audit trail records them as those. They
 * differ from the methods in what they keep: stages and creation dates, raw values.
 */

/** A secret as a listing shows it, with its versions' stages. */
export interface ListedSecret {
  readonly arn: string;
  readonly name: string;
  readonly description: string | null;
  readonly tags: Readonly<Record<string, string>>;
  /** Every version with at least one staging label, and its labels. */
  readonly stages: Readonly<Record<string, readonly string[]>>;
  /** Set when the secret is scheduled for deletion. */
  readonly deleted: boolean;
}

/** One version's value, as it is stored. */
export interface StoredVersion {
  readonly arn: string;
  readonly name: string;
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly createdAt: Date | undefined;
  readonly value: string | Uint8Array;
}

/** What a batch read answers: values and per-id errors, keyed by the id asked for. */
export interface StoredValues {
  readonly values: ReadonlyMap<string, StoredVersion>;
  readonly errors: ReadonlyMap<string, KeystageError>;
}

/** Which secrets a listing is about: exact keystage tags. */
export interface TransferScope {
  readonly environment: string;
  readonly service: string | undefined;
}

function listed(
  fields: {
    ARN?: string;
    Name?: string;
    Description?: string;
    Tags?: { Key?: string; Value?: string }[];
    DeletedDate?: Date;
  },
  stages: Record<string, string[]> | undefined,
): ListedSecret {
  return {
    arn: fields.ARN ?? '',
    name: fields.Name ?? '',
    description: fields.Description ?? null,
    tags: tagsToRecord(fields.Tags),
    stages: Object.fromEntries(Object.entries(stages ?? {}).filter(([, labels]) => labels.length > 0)),
    deleted: fields.DeletedDate !== undefined,
  };
}

async function* listScope(scope: TransferScope, context: CallContext): AsyncGenerator<ListedSecret> {
  const pairs: Array<[string, string]> = [[KEYSTAGE_TAGS.environment, scope.environment]];
  if (scope.service !== undefined) pairs.push([KEYSTAGE_TAGS.service, scope.service]);
  const filters: Filter[] = pairs.flatMap(([key, value]) => [
    { Key: 'tag-key', Values: [key] },
    { Key: 'tag-value', Values: [value] },
  ]);
  const pages = paginate(
    (nextToken) =>
      context.send('ListSecrets', undefined, (sm) =>
        sm.send(
          new ListSecretsCommand({
            MaxResults: 100,
            IncludePlannedDeletion: false,
            Filters: filters,
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          }),
        ),
      ),
    'ListSecrets',
  );
  for await (const page of pages) {
    for (const entry of page.SecretList ?? []) {
      const item = listed(entry, entry.SecretVersionsToStages);
      // tag-key and tag-value match independently: check the exact pairs.
      if (pairs.every(([key, value]) => item.tags[key] === value)) yield item;
    }
  }
}

/** `list` for transfers: the secrets of an environment (and service), 100 per ListSecrets page, with stages. */
export const listForTransfer: Operation<
  [scope: TransferScope],
  TransferScope,
  AsyncIterable<ListedSecret>
> = {
  name: 'list',
  kind: 'list',
  validate: (scope) => scope,
  secretId: () => undefined,
  call: async (scope, context) => listScope(scope, context),
  listing: {
    filter: (items, keep) =>
      (async function* () {
        for await (const item of items) if (keep(item.name)) yield item;
      })(),
  },
};

function storedFrom(entry: {
  ARN?: string;
  Name?: string;
  VersionId?: string;
  VersionStages?: string[];
  CreatedDate?: Date;
  SecretString?: string;
  SecretBinary?: Uint8Array;
}): StoredVersion {
  return {
    arn: entry.ARN ?? '',
    name: entry.Name ?? '',
    versionId: entry.VersionId ?? '',
    stages: entry.VersionStages ?? [],
    createdAt: entry.CreatedDate,
    value: entry.SecretString ?? entry.SecretBinary ?? '',
  };
}

/** `getMany` for transfers: current values with their VersionIds, stages and dates, 20 per call. */
export const readCurrentValues: Operation<[ids: readonly string[]], string[], StoredValues> = {
  name: 'getMany',
  kind: 'read',
  validate: (ids) => validateSecretIds(ids),
  secretId: () => undefined,
  call: (ids, context) => readBatchValues(context, ids, storedFrom),
  batch: {
    ids: (ids) => ids,
    only: (_ids, allowed) => [...allowed],
    refuse: (result, refused) => ({ values: result.values, errors: new Map([...refused, ...result.errors]) }),
  },
};

/** `get` for transfers: one version by VersionId, with its stages and date. */
export const readVersion: Operation<
  [id: string, versionId: string],
  { readonly id: string; readonly versionId: string },
  StoredVersion
> = {
  name: 'get',
  kind: 'read',
  validate: (id, versionId) => ({
    id: validateSecretId(id),
    versionId: validateVersionToken(versionId, 'versionId'),
  }),
  secretId: (input) => input.id,
  call: async ({ id, versionId }, context, invocation) => {
    const output = await context.send('GetSecretValue', id, (sm) =>
      sm.send(new GetSecretValueCommand({ SecretId: id, VersionId: versionId })),
    );
    invocation.versionId = output.VersionId;
    return storedFrom(output);
  },
};

/** `describe` for transfers: one DescribeSecret; undefined when the secret does not exist. */
export const describeForTransfer: Operation<[id: string], string, ListedSecret | undefined> = {
  name: 'describe',
  kind: 'list',
  validate: (id) => validateSecretId(id),
  secretId: (id) => id,
  call: async (id, context) => {
    try {
      const described = await describeRaw(context, id);
      return listed(described, described.VersionIdsToStages);
    } catch (error) {
      if (error instanceof SecretNotFoundError) return undefined;
      throw error;
    }
  },
};
