import { SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { toKeystageError } from '../../../../lib/core';
import {
  PermissionDeniedError,
  SecretDecodeError,
  ThrottledError,
  ValidationError,
} from '../../../../lib/errors';
import { epochSeconds, errorReply } from '../../../../lib/injection/agent/agent-reply';

const sdkError = (name: string, message: string, httpStatusCode: number) =>
  new SecretsManagerServiceException({ name, $fault: 'client', message, $metadata: { httpStatusCode } });

describe('agent replies', () => {
  describe('epochSeconds', () => {
    it('writes CreatedDate as the Agent does: seconds and their fraction, as a string', () => {
      expect(epochSeconds(new Date(1569534789046))).toBe('1569534789.046');
      expect(epochSeconds(new Date(1569534789500))).toBe('1569534789.5');
      expect(epochSeconds(new Date(1569534789000))).toBe('1569534789');
      expect(epochSeconds(undefined)).toBeNull();
    });
  });

  describe('errorReply', () => {
    it("passes the service's status, error type and message through", () => {
      const error = toKeystageError(
        sdkError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.", 400),
        { operation: 'GetSecretValue', secretId: 'prod/x' },
      );
      expect(errorReply(error)).toEqual({
        status: 400,
        json: true,
        body: JSON.stringify({
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        }),
      });
    });

    it('answers a timeout 504 and a network failure 502, as the Agent does', () => {
      const timeout = Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
      const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      expect(errorReply(toKeystageError(timeout, { operation: 'GetSecretValue' }))).toMatchObject({
        status: 504,
        body: JSON.stringify({ __type: 'TimeoutError', message: 'Timeout' }),
      });
      expect(errorReply(toKeystageError(refused, { operation: 'GetSecretValue' }))).toMatchObject({
        status: 502,
        body: JSON.stringify({ __type: 'ConnectionError', message: 'Read Error' }),
      });
    });

    it("gives keystage's own refusals the type the service would use, with keystage's message", () => {
      const denied = new PermissionDeniedError('Access policy denies read of "prod/x" (rule "deny-prod").', {
        rule: 'deny-prod',
      });
      expect(errorReply(denied)).toMatchObject({
        status: 400,
        body: JSON.stringify({ __type: 'AccessDeniedException', message: denied.message }),
      });
      expect(errorReply(new ThrottledError('Rate limit of rule "hourly" reached.'))).toMatchObject({
        status: 400,
        body: expect.stringContaining('"ThrottlingException"'),
      });
      expect(
        errorReply(new ValidationError('versionId', 'versionId must be 32 to 64 characters.')),
      ).toMatchObject({
        status: 400,
        body: expect.stringContaining('"InvalidParameterException"'),
      });
    });

    it('answers anything else 500 InternalFailure, with no detail', () => {
      const internal = { status: 500, json: true, body: '{"__type":"InternalFailure"}' };
      expect(errorReply(new SecretDecodeError('Secret "prod/x" returned no value.'))).toEqual(internal);
      expect(errorReply(new Error('a bug with planted-value in it'))).toEqual(internal);
    });
  });
});
