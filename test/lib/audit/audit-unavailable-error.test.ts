import { AuditUnavailableError, KeystageError, isKeystageError } from '../../../lib/errors';

describe('AuditUnavailableError', () => {
  const error = new AuditUnavailableError('CloudWatchLogsAuditSink(/a:b)', 'not written', {
    secretId: 'prod/db',
  });

  it('is a retryable KeystageError with the code AUDIT_UNAVAILABLE', () => {
    expect(error).toBeInstanceOf(KeystageError);
    expect(error).toMatchObject({
      code: 'AUDIT_UNAVAILABLE',
      retryable: true,
      name: 'AuditUnavailableError',
    });
    expect(isKeystageError(error, 'AUDIT_UNAVAILABLE')).toBe(true);
  });

  it('names the sink in a field and in its JSON', () => {
    expect(error.sink).toBe('CloudWatchLogsAuditSink(/a:b)');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'AuditUnavailableError',
      code: 'AUDIT_UNAVAILABLE',
      message: 'not written',
      secretId: 'prod/db',
      sink: 'CloudWatchLogsAuditSink(/a:b)',
    });
  });
});
