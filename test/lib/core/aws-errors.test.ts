import * as SM from '@aws-sdk/client-secrets-manager';
import * as KMS from '@aws-sdk/client-kms';
import { toKeystageError } from '../../../lib/core';
import { ConfigurationError, SecretNotFoundError, type KeystageErrorCode } from '../../../lib/errors';

const meta = { $metadata: {} };

describe('toKeystageError', () => {
  const cases: Array<[string, unknown, KeystageErrorCode]> = [
    [
      'ResourceNotFoundException',
      new SM.ResourceNotFoundException({ message: 'no', ...meta }),
      'SECRET_NOT_FOUND',
    ],
    ['KMS NotFoundException', new KMS.NotFoundException({ message: 'no key', ...meta }), 'SECRET_NOT_FOUND'],
    ['DecryptionFailure', new SM.DecryptionFailure({ message: 'kms', ...meta }), 'PERMISSION_DENIED'],
    ['KMSInvalidStateException', new KMS.KMSInvalidStateException({ message: 'state', ...meta }), 'CONFLICT'],
    [
      'InvalidParameterException',
      new SM.InvalidParameterException({ message: 'p', ...meta }),
      'VALIDATION_ERROR',
    ],
    ['ResourceExistsException', new SM.ResourceExistsException({ message: 'exists', ...meta }), 'CONFLICT'],
    ['LimitExceededException', new SM.LimitExceededException({ message: 'quota', ...meta }), 'THROTTLED'],
    [
      'InternalServiceError',
      new SM.InternalServiceError({ message: 'oops', ...meta }),
      'SERVICE_UNAVAILABLE',
    ],
    [
      'InvalidRequestException (deletion)',
      new SM.InvalidRequestException({
        message: "You can't perform this operation on the secret because it was marked for deletion.",
        ...meta,
      }),
      'SECRET_SCHEDULED_FOR_DELETION',
    ],
    [
      'InvalidRequestException (rotation)',
      new SM.InvalidRequestException({
        message: "A previous rotation isn't complete. That rotation will be reattempted.",
        ...meta,
      }),
      'ROTATION_IN_PROGRESS',
    ],
    [
      'InvalidRequestException (other)',
      new SM.InvalidRequestException({ message: 'state', ...meta }),
      'CONFLICT',
    ],
    [
      'AccessDeniedException by name',
      { name: 'AccessDeniedException', message: 'denied' },
      'PERMISSION_DENIED',
    ],
    ['ThrottlingException by name', { name: 'ThrottlingException', message: 'slow' }, 'THROTTLED'],
    ['HTTP 403', { name: 'Weird', message: 'x', $metadata: { httpStatusCode: 403 } }, 'PERMISSION_DENIED'],
    ['HTTP 429', { name: 'Weird', message: 'x', $metadata: { httpStatusCode: 429 } }, 'THROTTLED'],
    ['HTTP 503', { name: 'Weird', message: 'x', $metadata: { httpStatusCode: 503 } }, 'SERVICE_UNAVAILABLE'],
    ['server fault', { name: 'Weird', message: 'x', $fault: 'server' }, 'SERVICE_UNAVAILABLE'],
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'SERVICE_UNAVAILABLE',
    ],
    ['anything else', new Error('strange'), 'SERVICE_ERROR'],
    ['a non-error', 'a string was thrown', 'SERVICE_ERROR'],
  ];

  it.each(cases)('maps %s', (_label, error, code) => {
    const mapped = toKeystageError(error, { operation: 'GetSecretValue', secretId: 'prod/db' });
    expect(mapped.code).toBe(code);
    expect(mapped.cause).toBe(error);
    expect(mapped.secretId).toBe('prod/db');
    expect(mapped.message).toContain('GetSecretValue for "prod/db" failed');
  });

  it('passes keystage errors through unchanged', () => {
    const error = new SecretNotFoundError('already mapped');
    expect(toKeystageError(error, { operation: 'X' })).toBe(error);
  });

  it('ends a wrapped AWS message that has its own period with exactly one', () => {
    const mapped = toKeystageError(
      new SM.ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        ...meta,
      }),
      { operation: 'GetSecretValue', secretId: 'prod/db' },
    );
    expect(mapped.message).toContain("can't find the specified secret. Check the name");
    expect(mapped.message).not.toMatch(/\.\./);
  });

  it('ends an unclassified error with exactly one period', () => {
    const mapped = toKeystageError(new Error('strange thing happened...'), { operation: 'GetSecretValue' });
    expect(mapped.message).toBe('GetSecretValue failed: Error: strange thing happened.');
  });

  it("maps the SDK's missing region to CONFIGURATION_ERROR naming AWS_REGION", () => {
    const mapped = toKeystageError(new Error('Region is missing'), {
      operation: 'GetSecretValue',
      secretId: 'db',
    });
    expect(mapped).toBeInstanceOf(ConfigurationError);
    expect(mapped).toMatchObject({ code: 'CONFIGURATION_ERROR', variable: 'AWS_REGION', retryable: false });
    expect(mapped.message).toMatch(/set AWS_REGION/);
  });

  it('maps a CredentialsProviderError to CONFIGURATION_ERROR naming AWS_PROFILE', () => {
    const sdkError = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    const mapped = toKeystageError(sdkError, { operation: 'GetSecretValue' });
    expect(mapped).toMatchObject({ code: 'CONFIGURATION_ERROR', variable: 'AWS_PROFILE', cause: sdkError });
    expect(mapped.message).toMatch(/AWS_PROFILE .* AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });

  it("maps the SDK's attempt timeout to a retryable SERVICE_UNAVAILABLE", () => {
    const timeout = Object.assign(
      new Error('a request has exceeded the configured 5000 ms requestTimeout.'),
      {
        name: 'TimeoutError',
        code: 'ETIMEDOUT',
      },
    );
    expect(toKeystageError(timeout, { operation: 'GetSecretValue' })).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      retryable: true,
    });
  });

  it('says what to do next', () => {
    const mapped = toKeystageError(new SM.ResourceNotFoundException({ message: 'no', ...meta }), {
      operation: 'Get',
    });
    expect(mapped.message).toMatch(/Check the name or ARN/);
  });
});
