import { inspect } from 'node:util';
import {
  ConfigurationError,
  ConflictError,
  KeystageError,
  PermissionDeniedError,
  RotationInProgressError,
  SecretDecodeError,
  SecretNotFoundError,
  SecretRevokedError,
  SecretScheduledForDeletionError,
  ServiceUnavailableError,
  ThrottledError,
  UnexpectedServiceError,
  ValidationError,
  isKeystageError,
} from '../../lib/errors';

describe('KeystageError', () => {
  const cases: Array<[KeystageError, string, boolean]> = [
    [new SecretNotFoundError('m'), 'SECRET_NOT_FOUND', false],
    [new PermissionDeniedError('m'), 'PERMISSION_DENIED', false],
    [new SecretRevokedError('m'), 'SECRET_REVOKED', false],
    [new SecretScheduledForDeletionError('m'), 'SECRET_SCHEDULED_FOR_DELETION', false],
    [new RotationInProgressError('m'), 'ROTATION_IN_PROGRESS', true],
    [new ValidationError('name', 'm'), 'VALIDATION_ERROR', false],
    [new SecretDecodeError('m'), 'DECODE_ERROR', false],
    [new ThrottledError('m'), 'THROTTLED', true],
    [new ConflictError('m'), 'CONFLICT', false],
    [new ServiceUnavailableError('m'), 'SERVICE_UNAVAILABLE', true],
    [new UnexpectedServiceError('m'), 'SERVICE_ERROR', false],
    [new ConfigurationError('AWS_REGION', 'm'), 'CONFIGURATION_ERROR', false],
  ];

  it.each(cases)('%p has its stable code and retryability', (error, code, retryable) => {
    expect(error).toBeInstanceOf(KeystageError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.name).toBe(error.constructor.name);
    expect(isKeystageError(error, error.code)).toBe(true);
  });

  it('keeps the cause and the secret id', () => {
    const cause = new Error('sdk');
    const error = new SecretNotFoundError('missing', { cause, secretId: 'prod/db' });
    expect(error.cause).toBe(cause);
    expect(error.secretId).toBe('prod/db');
  });

  it('serialises to name, code, message and id only', () => {
    const error = new ValidationError('name', 'bad name', { cause: { payload: 'hidden' }, secretId: 's' });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'ValidationError',
      code: 'VALIDATION_ERROR',
      message: 'bad name',
      secretId: 's',
      field: 'name',
    });
  });

  it('serialises a configuration error with the variable to set', () => {
    expect(JSON.parse(JSON.stringify(new ConfigurationError('AWS_REGION', 'no region')))).toEqual({
      name: 'ConfigurationError',
      code: 'CONFIGURATION_ERROR',
      message: 'no region',
      variable: 'AWS_REGION',
    });
  });

  it('records the revocation reason', () => {
    expect(new SecretRevokedError('revoked', { reason: 'leak' }).reason).toBe('leak');
  });

  it('is told apart from other errors by isKeystageError', () => {
    expect(isKeystageError(new Error('x'))).toBe(false);
    expect(isKeystageError(new ThrottledError('x'), 'CONFLICT')).toBe(false);
    expect(inspect(new ThrottledError('slow down'))).toContain('THROTTLED');
  });
});
