import { toKeystageError } from '../../core';
import {
  ConfigurationError,
  ConflictError,
  KeystageError,
  PermissionDeniedError,
  ValidationError,
} from '../../errors';

/** The target (service, cluster, function) does not exist, or is not active. */
const TARGET_MISSING = new Set([
  'ServiceNotFoundException',
  'ServiceNotActiveException',
  'ClusterNotFoundException',
  'ResourceNotFoundException',
]);
/** Lambda: another update is running, or the function changed since it was read. */
const CHANGED_UNDER_US = new Set(['ResourceConflictException', 'PreconditionFailedException']);
const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);

interface ErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/**
 * The one map of ECS, Lambda and SSM errors. What is specific to a workload (its target is
 * missing, its IAM policy refuses, it changed under the call) is said here; everything else
 * (throttling, outages, configuration) goes through keystage's general SDK error map.
 */
export function workloadError(error: unknown, operation: string, target: string): KeystageError {
  if (error instanceof KeystageError) return error;
  const shape: ErrorShape = typeof error === 'object' && error !== null ? (error as ErrorShape) : {};
  const name = typeof shape.name === 'string' ? shape.name : 'UnknownError';
  const message = typeof shape.message === 'string' ? shape.message.trim().replace(/\.+$/, '') : '';
  const said = `${operation} for ${target} failed: ${name}${message === '' ? '' : `: ${message}`}`;
  const status = shape.$metadata?.httpStatusCode;
  const options = { cause: error };
  if (name === 'ParameterNotFound') {
    return new ConfigurationError(
      'extensionLayer',
      `${said}. The region publishes no Parameters and Secrets extension parameter for this architecture: ` +
        'pass the layer version ARN as extensionLayer.',
      options,
    );
  }
  if (TARGET_MISSING.has(name)) {
    return new ValidationError('target', `${said}. Check the name, the account and the region.`, options);
  }
  if (DENIED.has(name) || status === 403) {
    return new PermissionDeniedError(
      `${said}. The caller's IAM policy does not allow ${operation}.`,
      options,
    );
  }
  if (CHANGED_UNDER_US.has(name)) {
    return new ConflictError(
      `${said}. The target changed or was being updated while keystage worked on it: run the same call again.`,
      options,
    );
  }
  if (
    name === 'ClientException' ||
    name === 'InvalidParameterException' ||
    name === 'InvalidParameterValueException'
  ) {
    return new ValidationError(
      'target',
      `${said}. Correct the target's configuration and run again.`,
      options,
    );
  }
  return toKeystageError(error, { operation });
}
