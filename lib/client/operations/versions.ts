import { ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import { paginate, validateBoolean, validateSecretId } from '../../core';
import type { Operation } from '../operation';
import type { CallOptions } from '../options';
import type { CallContext } from '../pipeline';
import { newestFirst, versionFrom, type SecretVersion } from './secret-summary';

export interface VersionsOptions extends CallOptions {
  /** Include versions with no staging label. @default false */
  readonly includeDeprecated?: boolean;
}

export interface VersionListing {
  readonly arn: string | undefined;
  readonly name: string | undefined;
  /** Newest first. */
  readonly versions: SecretVersion[];
}

/** Every page of ListSecretVersionIds. */
export async function fetchVersions(
  context: CallContext,
  secretId: string,
  includeDeprecated: boolean,
): Promise<VersionListing> {
  const versions: SecretVersion[] = [];
  let arn: string | undefined;
  let name: string | undefined;
  const pages = paginate(
    (nextToken) =>
      context.send('ListSecretVersionIds', secretId, (sm) =>
        sm.send(
          new ListSecretVersionIdsCommand({
            SecretId: secretId,
            IncludeDeprecated: includeDeprecated,
            MaxResults: 100,
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          }),
        ),
      ),
    'ListSecretVersionIds',
  );
  for await (const page of pages) {
    versions.push(...(page.Versions ?? []).map(versionFrom));
    arn ??= page.ARN;
    name ??= page.Name;
  }
  return { arn, name, versions: versions.sort(newestFirst) };
}

/** `versions`: the secret's versions, newest first. */
export const versions: Operation<
  [id: string, options: VersionsOptions],
  { readonly id: string; readonly includeDeprecated: boolean },
  SecretVersion[]
> = {
  name: 'versions',
  kind: 'list',
  validate: (id, options) => ({
    id: validateSecretId(id),
    includeDeprecated: validateBoolean(options?.includeDeprecated, 'includeDeprecated', false),
  }),
  secretId: (input) => input.id,
  call: async (input, context) => (await fetchVersions(context, input.id, input.includeDeprecated)).versions,
};
