import { validateBoolean, validateSecretId } from '../../core';
import { SecretNotFoundError, SecretScheduledForDeletionError, ValidationError, show } from '../../errors';
import type { Operation } from '../operation';
import type { CallOptions } from '../options';
import { describeRaw } from './describe';

export interface ExistsOptions extends CallOptions {
  /**
   * Count a secret scheduled for deletion as existing. Such a secret cannot be read or
   * written until `undelete`, and its name cannot be reused until it is gone.
   * @default false (as ListSecrets leaves such secrets out by default)
   */
  readonly includeScheduledForDeletion?: boolean;
}

interface ExistsRequest {
  readonly secretId: string;
  readonly includePlanned: boolean;
}

function checkExistsOptions(options: unknown): boolean {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError('options', `exists options must be an object, got ${show(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'principal' && key !== 'includeScheduledForDeletion') {
      throw new ValidationError(
        key,
        `${show(key)} is not an option of exists: it takes { includeScheduledForDeletion, principal }.`,
      );
    }
  }
  return validateBoolean(
    (options as ExistsOptions).includeScheduledForDeletion,
    'includeScheduledForDeletion',
    false,
  );
}

/**
 * `exists`: whether the secret exists, from one DescribeSecret (its metadata; the value is
 * never read). Only "not found" answers false; a refusal (IAM, a resource policy, the access
 * policy), a throttle or any other failure throws, so "may not look" never reads as "absent".
 * A secret scheduled for deletion answers false unless `includeScheduledForDeletion`.
 */
export const exists: Operation<[id: string, options: ExistsOptions], ExistsRequest, boolean> = {
  name: 'exists',
  kind: 'list',
  validate: (id, options) => ({
    secretId: validateSecretId(id),
    includePlanned: checkExistsOptions(options),
  }),
  secretId: (request) => request.secretId,
  call: async ({ secretId, includePlanned }, context) => {
    try {
      const described = await describeRaw(context, secretId);
      return described.DeletedDate === undefined || includePlanned;
    } catch (error) {
      if (error instanceof SecretNotFoundError) return false;
      if (error instanceof SecretScheduledForDeletionError) return includePlanned;
      throw error;
    }
  },
  audit: { action: 'exists', describe: (_request, found) => ({ details: { exists: found } }) },
};
