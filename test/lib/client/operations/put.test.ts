import {
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
    sm.on(PutSecretValueCommand).resolves({
      ARN: arnOf(NAME),
      VersionId: version('v2'),
      VersionStages: ['AWSCURRENT'],
    });
  });

  it('stores a string and returns the new VersionId', async () => {
    await expect(f.client.put(NAME, 'next')).resolves.toBe(version('v2'));
    expect(sm).toHaveReceivedCommandWith(PutSecretValueCommand, { SecretId: NAME, SecretString: 'next' });
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
      SecretId: NAME,
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
    sm.on(PutSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'no', ...meta }));
    expect((await rejection(f.client.put(NAME, 'v'))).code).toBe('SECRET_NOT_FOUND');
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
