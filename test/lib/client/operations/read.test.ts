import {
  DecryptionFailure,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  InvalidParameterException,
  InvalidRequestException,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import { inspect } from 'node:util';
import {
  accessDenied,
  arnOf,
  clientFixture,
  meta,
  rejection,
  sm,
  version,
  type ClientFixture,
} from '../../../support/client-fixture';

const NAME = 'prod/billing/db';
const SECRET = 'tOpSeCrEt-42';

describe('SecretsClient reads', () => {
  let f: ClientFixture;
  beforeEach(() => {
    f = clientFixture();
  });

  describe('get', () => {
    it('reads AWSCURRENT by default', async () => {
      sm.on(GetSecretValueCommand).resolves({
        ARN: arnOf(NAME),
        Name: NAME,
        SecretString: 'v1',
        VersionId: version('a'),
      });
      await expect(f.client.get(NAME)).resolves.toBe('v1');
      expect(sm).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: NAME });
      expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: NAME });
    });

    it('reads a stage or a version when asked', async () => {
      sm.on(GetSecretValueCommand).resolves({ SecretString: 'old' });
      await f.client.get(NAME, { versionStage: 'AWSPREVIOUS' });
      await f.client.get(NAME, { versionId: version('b') });
      expect(sm).toHaveReceivedNthCommandWith(1, GetSecretValueCommand, {
        SecretId: NAME,
        VersionStage: 'AWSPREVIOUS',
      });
      expect(sm).toHaveReceivedNthCommandWith(2, GetSecretValueCommand, {
        SecretId: NAME,
        VersionId: version('b'),
      });
    });

    it('refuses a binary secret with DECODE_ERROR', async () => {
      sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2]) });
      const error = await rejection(f.client.get(NAME));
      expect(error.code).toBe('DECODE_ERROR');
      expect(error.message).toMatch(/getBinary/);
    });

    it.each([
      [
        new ResourceNotFoundException({
          message: "Secrets Manager can't find the specified secret.",
          ...meta,
        }),
        'SECRET_NOT_FOUND',
      ],
      [new DecryptionFailure({ message: 'KMS key access denied', ...meta }), 'PERMISSION_DENIED'],
      [new InternalServiceError({ message: 'try later', ...meta }), 'SERVICE_UNAVAILABLE'],
      [new InvalidParameterException({ message: 'bad', ...meta }), 'VALIDATION_ERROR'],
      [
        new InvalidRequestException({
          message: "You can't perform this operation on the secret because it was marked for deletion.",
          ...meta,
        }),
        'SECRET_SCHEDULED_FOR_DELETION',
      ],
    ])('maps %p to its code with the SDK error as cause', async (awsError, code) => {
      sm.on(GetSecretValueCommand).rejects(awsError);
      const error = await rejection(f.client.get(NAME));
      expect(error.code).toBe(code);
      expect(error.cause).toBe(awsError);
      expect(error.secretId).toBe(NAME);
    });

    it('reports the empty AWSPENDING placeholder as SECRET_NOT_FOUND', async () => {
      const token = version('pending');
      sm.on(GetSecretValueCommand, { SecretId: NAME, VersionId: token, VersionStage: 'AWSPENDING' }).rejects(
        new ResourceNotFoundException({
          message: "Secrets Manager can't find the specified secret value for VersionId",
          ...meta,
        }),
      );
      const error = await rejection(f.client.get(NAME, { versionId: token, versionStage: 'AWSPENDING' }));
      expect(error.code).toBe('SECRET_NOT_FOUND');
    });

    it('reports a revoked secret as SECRET_REVOKED with the reason', async () => {
      const denied = accessDenied('explicit deny in a resource-based policy');
      sm.on(GetSecretValueCommand).rejects(denied);
      sm.on(DescribeSecretCommand).resolves({
        Name: NAME,
        Tags: [
          { Key: 'keystage:status', Value: 'revoked' },
          { Key: 'keystage:revoked-reason', Value: 'key leaked' },
          { Key: 'keystage:revoked-at', Value: '2026-01-01T00:00:00.000Z' },
        ],
      });
      const error = await rejection(f.client.get(NAME));
      expect(error).toMatchObject({ code: 'SECRET_REVOKED', reason: 'key leaked', cause: denied });
      expect(error.message).toMatch(/restore\(\)/);
    });

    it('keeps PERMISSION_DENIED when the secret is not revoked', async () => {
      sm.on(GetSecretValueCommand).rejects(accessDenied());
      sm.on(DescribeSecretCommand).resolves({
        Name: NAME,
        Tags: [{ Key: 'keystage:status', Value: 'active' }],
      });
      expect((await rejection(f.client.get(NAME))).code).toBe('PERMISSION_DENIED');
    });

    it('keeps PERMISSION_DENIED when the revocation check is denied too', async () => {
      sm.on(GetSecretValueCommand).rejects(accessDenied());
      sm.on(DescribeSecretCommand).rejects(accessDenied());
      expect((await rejection(f.client.get(NAME))).code).toBe('PERMISSION_DENIED');
    });

    it.each([
      ['', {}, 'id'],
      ['arn:aws:s3:::bucket', {}, 'id'],
      [NAME, { versionStage: '' }, 'versionStage'],
      [NAME, { versionId: 'short' }, 'versionId'],
    ])('rejects id %p with options %p before any call', async (id, options, field) => {
      const error = await rejection(f.client.get(id, options));
      expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field });
      expect(sm).not.toHaveReceivedAnyCommand();
    });
  });

  describe('getJson', () => {
    it('parses JSON', async () => {
      sm.on(GetSecretValueCommand).resolves({ SecretString: '{"username":"app","password":"p"}' });
      await expect(f.client.getJson<{ username: string }>(NAME)).resolves.toEqual({
        username: 'app',
        password: 'p',
      });
    });

    it('returns what a function validator returns', async () => {
      sm.on(GetSecretValueCommand).resolves({ SecretString: '{"port":"5432"}' });
      const port = await f.client.getJson(NAME, { validate: (v) => Number((v as { port: string }).port) });
      expect(port).toBe(5432);
    });

    it('accepts a zod-like schema', async () => {
      sm.on(GetSecretValueCommand).resolves({ SecretString: '{"a":1}' });
      const schema = { parse: (v: unknown) => ({ ...(v as object), checked: true }) };
      await expect(f.client.getJson(NAME, { validate: schema })).resolves.toEqual({ a: 1, checked: true });
    });

    it('fails with DECODE_ERROR and no trace of the value when the text is not JSON', async () => {
      sm.on(GetSecretValueCommand).resolves({ SecretString: `${SECRET} not json` });
      const error = await rejection(f.client.getJson(NAME));
      expect(error.code).toBe('DECODE_ERROR');
      expect(error.cause).toBeUndefined();
      expect([error.message, inspect(error), JSON.stringify(error)].join()).not.toContain(SECRET);
    });

    it('fails with DECODE_ERROR and no trace of the value when the validator throws', async () => {
      sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ password: SECRET }) });
      const error = await rejection(
        f.client.getJson(NAME, {
          validate: (v) => {
            throw new RangeError(`bad input ${JSON.stringify(v)}`);
          },
        }),
      );
      expect(error.code).toBe('DECODE_ERROR');
      expect(error.message).toContain('RangeError');
      expect([error.message, inspect(error, { depth: 5 }), JSON.stringify(error)].join()).not.toContain(
        SECRET,
      );
    });

    it('rejects a validator that is neither a function nor a schema', async () => {
      const error = await rejection(f.client.getJson(NAME, { validate: {} as never }));
      expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'validate' });
      expect(sm).not.toHaveReceivedAnyCommand();
    });
  });

  describe('getBinary', () => {
    it('returns SecretBinary', async () => {
      sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([7, 8, 9]) });
      await expect(f.client.getBinary(NAME)).resolves.toEqual(new Uint8Array([7, 8, 9]));
    });

    it('refuses a string secret with DECODE_ERROR', async () => {
      sm.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
      const error = await rejection(f.client.getBinary(NAME));
      expect(error.code).toBe('DECODE_ERROR');
      expect(error.message).not.toContain(SECRET);
    });
  });
});
