import {
  ConfigurationError,
  ConflictError,
  KeystageError,
  PermissionDeniedError,
  RotationInProgressError,
  SecretNotFoundError,
  SecretScheduledForDeletionError,
  ServiceUnavailableError,
  ThrottledError,
  UnexpectedServiceError,
  ValidationError,
} from '../errors';

/** What the failing call was, so the message can say it. */
export interface AwsErrorContext {
  /** The API operation, e.g. `GetSecretValue`. */
  readonly operation: string;
  /** The secret (or key) id the call was about. */
  readonly secretId?: string;
}

const NOT_FOUND = new Set(['ResourceNotFoundException', 'NotFoundException']);
const DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'InvalidClientTokenId',
  'KMSAccessDeniedException',
  'DecryptionFailure',
  'EncryptionFailure',
  'IncorrectKeyException',
  'InvalidKeyUsageException',
]);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);
const UNAVAILABLE = new Set([
  'InternalServiceError',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);
const INVALID_INPUT = new Set([
  'InvalidParameterException',
  'ValidationException',
  'MalformedPolicyDocumentException',
  'InvalidNextTokenException',
  'InvalidCiphertextException',
  'InvalidArnException',
  'TagException',
]);
const STATE_CONFLICT = new Set([
  'ResourceExistsException',
  'AlreadyExistsException',
  'PreconditionNotMetException',
  'DisabledException',
  'KMSInvalidStateException',
  'KeyUnavailableException',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** What the SDK says when no region is configured (`@smithy/config-resolver`, unchanged since 2020). */
const REGION_MISSING = /^Region is missing/;
/** The SDK's error when the credential provider chain found nothing (or a provider is misconfigured). */
const CREDENTIALS_MISSING = new Set(['CredentialsProviderError', 'TokenProviderError']);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/**
 * Turns anything an AWS SDK call threw into a {@link KeystageError}; the original rides
 * along as `cause`. This is the one place SDK exceptions are classified.
 *
 * AWS messages name resources and parameters, never secret values, so the service's own
 * explanation is kept in the message, followed by what to do.
 * @example
 * try {
 *   return await sm.send(new GetSecretValueCommand({ SecretId: id }));
 * } catch (error) {
 *   throw toKeystageError(error, { operation: 'GetSecretValue', secretId: id });
 * }
 */
export function toKeystageError(error: unknown, context: AwsErrorContext): KeystageError {
  if (error instanceof KeystageError) return error;
  const shape: SdkErrorShape = typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
  const name = typeof shape.name === 'string' ? shape.name : 'UnknownError';
  const awsMessage = typeof shape.message === 'string' ? shape.message : String(error);
  const status =
    typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  const subject = context.secretId === undefined ? '' : ` for ${JSON.stringify(context.secretId)}`;
  const options = { cause: error, secretId: context.secretId };
  // AWS messages usually end with a period of their own; ours follows after exactly one.
  const explained = awsMessage.trim().replace(/\.+$/, '');
  const said = `${context.operation}${subject} failed: ${name}${explained === '' ? '' : `: ${explained}`}`;

  if (REGION_MISSING.test(awsMessage)) {
    return new ConfigurationError(
      'AWS_REGION',
      `${said}. No AWS region is configured: set AWS_REGION (the AWS SDK for JavaScript does not read ` +
        'AWS_DEFAULT_REGION), a region in the profile AWS_PROFILE names, or pass { region } in ' +
        'secretsManagerConfig and kmsConfig.',
      options,
    );
  }
  if (CREDENTIALS_MISSING.has(name)) {
    return new ConfigurationError(
      'AWS_PROFILE',
      `${said}. No usable AWS credentials were found: set AWS_PROFILE to a configured profile, or ` +
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass credentials in secretsManagerConfig and ' +
        'kmsConfig; on AWS, give the function, task or instance an IAM role.',
      options,
    );
  }
  if (NOT_FOUND.has(name)) {
    return new SecretNotFoundError(
      `${said}. Check the name or ARN, the region, and the version asked for.`,
      options,
    );
  }
  if (
    name === 'InvalidRequestException' &&
    /marked for deletion|scheduled for deletion|deleted/i.test(awsMessage)
  ) {
    return new SecretScheduledForDeletionError(
      `${said}. The secret is scheduled for deletion: call undelete() to restore it first.`,
      options,
    );
  }
  if (
    name === 'InvalidRequestException' &&
    /rotation/i.test(awsMessage) &&
    /progress|complete/i.test(awsMessage)
  ) {
    return new RotationInProgressError(
      `${said}. Wait for the current rotation to finish (or cancel it) and try again.`,
      options,
    );
  }
  if (DENIED.has(name) || status === 401 || status === 403) {
    return new PermissionDeniedError(
      `${said}. The caller's IAM policy, the secret's resource policy or the KMS key policy does not allow this.`,
      options,
    );
  }
  if (THROTTLED.has(name) || status === 429) {
    return new ThrottledError(`${said}. A rate or quota limit was hit: retry with backoff.`, options);
  }
  if (INVALID_INPUT.has(name)) {
    return new ValidationError('request', `${said}. Correct the request and try again.`, options);
  }
  if (STATE_CONFLICT.has(name) || name === 'InvalidRequestException') {
    return new ConflictError(`${said}. The secret's current state does not allow this call.`, options);
  }
  const code = typeof shape.code === 'string' ? shape.code : undefined;
  if (
    UNAVAILABLE.has(name) ||
    shape.$fault === 'server' ||
    (status !== undefined && status >= 500) ||
    (code !== undefined && NETWORK_CODES.has(code))
  ) {
    return new ServiceUnavailableError(
      `${said}. The service or network failed or did not answer in time: retry later.`,
      options,
    );
  }
  return new UnexpectedServiceError(`${said}.`, options);
}
