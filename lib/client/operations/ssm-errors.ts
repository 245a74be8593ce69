import { toKeystageError, type AwsErrorContext } from '../../core';
import { KeystageError, PermissionDeniedError, SecretNotFoundError, ValidationError } from '../../errors';

/**
 * The exceptions of Parameter Store that the one SDK-error map (lib/core/aws-errors) does not
 * know by name, classified as it classifies Secrets Manager's; everything else (throttling,
 * denials, timeouts, validation) goes through that map unchanged.
 */
const NOT_FOUND = new Set(['ParameterNotFound', 'ParameterVersionNotFound']);
/** The parameter's KMS key can't be used (disabled, deleted, or not the caller's to use). */
const KEY_REFUSED = new Set(['InvalidKeyId']);
const INVALID_INPUT = new Set([
  'HierarchyLevelLimitExceededException',
  'InvalidFilter',
  'InvalidFilterKey',
  'InvalidFilterOption',
  'InvalidFilterValue',
  'InvalidNextToken',
  'InvalidParameters',
]);

/**
 * Turns anything an SSM SDK call threw into a KeystageError; the original rides along as
 * `cause`. Parameter Store's messages name parameters and keys, never values.
 * @example
 * throw ssmError(error, { operation: 'GetParameter', secretId: 'ssm:/prod/billing/db_url' });
 */
export function ssmError(error: unknown, context: AwsErrorContext): KeystageError {
  if (error instanceof KeystageError) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
  };
  const name = typeof shape.name === 'string' ? shape.name : 'UnknownError';
  const known = NOT_FOUND.has(name) || KEY_REFUSED.has(name) || INVALID_INPUT.has(name);
  if (!known) return toKeystageError(error, context);
  const explained = (typeof shape.message === 'string' ? shape.message : '').trim().replace(/\.+$/, '');
  const subject = context.secretId === undefined ? '' : ` for ${JSON.stringify(context.secretId)}`;
  const said = `${context.operation}${subject} failed: ${name}${explained === '' ? '' : `: ${explained}`}`;
  const options = { cause: error, secretId: context.secretId };
  if (NOT_FOUND.has(name)) {
    return new SecretNotFoundError(
      `${said}. Check the parameter's name, the region, and the version or label asked for.`,
      options,
    );
  }
  if (KEY_REFUSED.has(name)) {
    return new PermissionDeniedError(
      `${said}. The parameter's KMS key can't be used: it is disabled, deleted, or the key policy does not let the caller decrypt with it.`,
      options,
    );
  }
  return new ValidationError('request', `${said}. Correct the request and try again.`, options);
}
