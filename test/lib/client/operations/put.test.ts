import {
  DescribeSecretCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import {
  arnOf,
  clientFixture,
  meta,
  rejection,
  sm,
  version,
  type ClientFixture,
} from '../../../support/client-fixture';

const NAME = 'prod/app/key';

describe('SecretsClient.put', () => {
  let f: ClientFixture;
  beforeEach(() => {
    f = clientFixture();
    sm.on(DescribeSecretCommand).resolves({ ARN: arnOf(NAME), Name: NAME, Tags: [] });
    sm.on(PutSecretValueCommand).resolves({
      ARN: arnOf(NAME),
      VersionId: version('v2'),
      VersionStages: ['AWSCURRENT'],
    });
  });

  it('stores a string and returns the new VersionId', async () => {
    await expect(f.client.put(NAME, 'next')).resolves.toBe(version('v2'));
    expect(sm).toHaveReceivedCommandWith(PutSecretValueCommand, {
      SecretId: arnOf(NAME),
      SecretString: 'next',
    });
    expect(f.events[0]).toMatchObject({
      action: 'put',
      secret_name: NAME,
      version_id: version('v2'),
      details: { arn: arnOf(NAME) },
    });
  });

  it('passes the idempotency token and the stages', async () => {
    const token = '3f1e8a4c-2b7d-4e9f-8a6b-1c2d3e4f5a6b';
    await f.client.put(NAME, new Uint8Array([9]), {
      clientRequestToken: token,
      versionStages: ['AWSPENDING'],
    });
    expect(sm).toHaveReceivedCommandWith(PutSecretValueCommand, {
      SecretId: arnOf(NAME),
      SecretBinary: new Uint8Array([9]),
      ClientRequestToken: token,
      VersionStages: ['AWSPENDING'],
    });
  });

  it('stores an object as JSON', async () => {
    await f.client.put(NAME, { a: 1 });
    expect(sm).toHaveReceivedCommandWith(PutSecretValueCommand, { SecretString: '{"a":1}' });
  });

  it('maps the same token with a different value to CONFLICT', async () => {
    const exists = new ResourceExistsException({
      message: "You can't modify an existing version, you can only create new versions.",
      ...meta,
    });
    sm.on(PutSecretValueCommand).rejects(exists);
    expect(await rejection(f.client.put(NAME, 'v', { clientRequestToken: 'a'.repeat(32) }))).toMatchObject({
      code: 'CONFLICT',
      cause: exists,
    });
  });

  it('maps a missing secret to SECRET_NOT_FOUND', async () => {
    sm.on(DescribeSecretCommand).rejects(new ResourceNotFoundException({ message: 'no', ...meta }));
    expect((await rejection(f.client.put(NAME, 'v'))).code).toBe('SECRET_NOT_FOUND');
    expect(sm).not.toHaveReceivedCommand(PutSecretValueCommand);
  });

  it('reads the kind tag first and writes to the ARN it answered', async () => {
    await f.client.put(NAME, 'next');
    expect(sm).toHaveReceivedNthCommandWith(1, DescribeSecretCommand, { SecretId: NAME });
    expect(sm).toHaveReceivedNthCommandWith(2, PutSecretValueCommand, { SecretId: arnOf(NAME) });
    expect(sm.calls()).toHaveLength(2);
  });

  it.each<[string, string | Uint8Array | object]>([
    ['an object', { a: 1 }],
    ['text', 'plain text'],
    ['bytes', new Uint8Array([1])],
  ])('refuses to store %s unencrypted in an encrypted-json secret, writing nothing', async (_what, value) => {
    sm.on(DescribeSecretCommand).resolves({
      ARN: arnOf(NAME),
      Name: NAME,
      Tags: [{ Key: 'keystage:type', Value: 'encrypted-json' }],
    });
    const error = await rejection(f.client.put(NAME, value));
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'kind' });
    expect(error.message).toContain("{ kind: 'encrypted-json' }");
    expect(sm).not.toHaveReceivedCommand(PutSecretValueCommand);
  });

  it('stores a plain value in a secret of any other kind', async () => {
    sm.on(DescribeSecretCommand).resolves({
      ARN: arnOf(NAME),
      Tags: [{ Key: 'keystage:type', Value: 'json' }],
    });
    await expect(f.client.put(NAME, { a: 1 })).resolves.toBe(version('v2'));
  });

  it.each<[unknown, object, string]>([
    ['', {}, 'value'],
    ['x'.repeat(65_537), {}, 'value'],
    [42, {}, 'value'],
    ['v', { clientRequestToken: 'short' }, 'clientRequestToken'],
    ['v', { versionStages: [] }, 'versionStages'],
    ['v', { versionStages: [''] }, 'versionStages[0]'],
  ])('rejects value %p with %p before any call', async (value, options, field) => {
    const error = await rejection(f.client.put(NAME, value as string, options));
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field });
    expect(sm).not.toHaveReceivedAnyCommand();
  });
});
