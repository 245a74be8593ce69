import { KMSClient } from '@aws-sdk/client-kms';
import {
  BatchGetSecretValueCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsClient } from '../../../lib';
import { FakeClock } from '../../support/fake-clock';
import { accessDenied, arnOf, clientFixture, sm, version } from '../../support/client-fixture';

const NAME = 'prod/app/db';

function answer(value: string, tag = 'v1') {
  return {
    ARN: arnOf(NAME),
    Name: NAME,
    SecretString: value,
    VersionId: version(tag),
    VersionStages: ['AWSCURRENT'],
  };
}

describe('SecretsClient reads through its cache', () => {
  it('serves a repeated read from the cache, by name and by ARN', async () => {
    const { client } = clientFixture();
    sm.on(GetSecretValueCommand).resolves(answer('{"user":"app"}'));
    await client.get(NAME);
    await client.get(arnOf(NAME));
    const first = await client.getJson<{ user: string }>(NAME);
    expect(first).toEqual({ user: 'app' });
    expect(Object.isFrozen(first)).toBe(true);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(client.cache?.stats()).toMatchObject({ hits: 2, misses: 1, size: 1 });
  });

  it('re-reads after the label TTL', async () => {
    const clock = new FakeClock();
    const client = new SecretsClient({
      secretsManager: new SecretsManagerClient({ maxAttempts: 1 }),
      kms: new KMSClient({}),
      clock,
      cache: { ttlMs: 1_000 },
    });
    sm.reset();
    sm.on(GetSecretValueCommand).resolvesOnce(answer('old')).resolves(answer('new', 'v2'));
    await client.get(NAME);
    clock.advance(1_001);
    await expect(client.get(NAME)).resolves.toBe('new');
  });

  it('invalidates on its own writes', async () => {
    const { client } = clientFixture();
    sm.on(GetSecretValueCommand).resolvesOnce(answer('old')).resolves(answer('new', 'v2'));
    sm.on(PutSecretValueCommand).resolves({ ARN: arnOf(NAME), VersionId: version('v2') });
    sm.on(DescribeSecretCommand).resolves({ ARN: arnOf(NAME), Name: NAME });
    await client.get(NAME);
    await client.put(NAME, 'new');
    await expect(client.get(NAME)).resolves.toBe('new');
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('invalidates after a failed write too: it may have changed the secret', async () => {
    const { client } = clientFixture();
    sm.on(GetSecretValueCommand).resolvesOnce(answer('old')).resolves(answer('new', 'v2'));
    sm.on(PutSecretValueCommand).rejects(accessDenied('not allowed to put'));
    sm.on(DescribeSecretCommand).resolves({ ARN: arnOf(NAME), Name: NAME });
    await client.get(NAME);
    await expect(client.put(NAME, 'new')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(client.get(NAME)).resolves.toBe('new');
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('reads a miss through the same call as an uncached read, revocation check included', async () => {
    const { client } = clientFixture();
    sm.on(GetSecretValueCommand).rejects(accessDenied());
    sm.on(DescribeSecretCommand).resolves({
      Name: NAME,
      Tags: [{ Key: 'keystage:status', Value: 'revoked' }],
    });
    await expect(client.get(NAME)).rejects.toMatchObject({ code: 'SECRET_REVOKED' });
    await expect(client.cache!.get(NAME)).rejects.toMatchObject({ code: 'SECRET_REVOKED' });
  });

  it('never caches a failure', async () => {
    const { client } = clientFixture();
    sm.on(GetSecretValueCommand).rejectsOnce(accessDenied()).resolves(answer('ok'));
    await expect(client.get(NAME)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(client.get(NAME)).resolves.toBe('ok');
  });

  it('validates arguments on a miss even with the cache on', async () => {
    const { client } = clientFixture();
    await expect(client.get('', {})).rejects.toMatchObject({ code: 'VALIDATION_ERROR', field: 'id' });
    await expect(client.get(NAME, { versionId: 'short' })).rejects.toMatchObject({ field: 'versionId' });
    expect(sm).not.toHaveReceivedAnyCommand();
  });

  it('reads every time with cache: false', async () => {
    sm.reset();
    sm.on(GetSecretValueCommand).resolves(answer('v'));
    const client = new SecretsClient({
      secretsManager: new SecretsManagerClient({}),
      kms: new KMSClient({}),
      cache: false,
    });
    await client.get(NAME);
    await client.get(NAME);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    expect(client.cache).toBeUndefined();
    await expect(client.withSecret(NAME, async (v) => v)).rejects.toMatchObject({ field: 'cache' });
  });

  it('prefetches with BatchGetSecretValue and then reads without a call', async () => {
    const { client } = clientFixture();
    sm.on(BatchGetSecretValueCommand).resolves({ SecretValues: [answer('batched')] });
    const errors = await client.prefetch([NAME]);
    expect(errors.size).toBe(0);
    await expect(client.get(NAME)).resolves.toBe('batched');
    expect(sm).not.toHaveReceivedCommand(GetSecretValueCommand);
  });

  it('keeps what getMany read, so a get that follows makes no call', async () => {
    const { client } = clientFixture();
    sm.on(BatchGetSecretValueCommand).resolves({ SecretValues: [answer('batched')] });
    const { values } = await client.getMany([NAME]);
    expect(values.get(NAME)?.value).toBe('batched');
    await expect(client.get(NAME)).resolves.toBe('batched');
    await expect(client.get(arnOf(NAME))).resolves.toBe('batched');
    expect(sm).not.toHaveReceivedCommand(GetSecretValueCommand);
  });

  it('does not keep a read that its own write overtook', async () => {
    const { client } = clientFixture();
    let answerRead: (value: ReturnType<typeof answer>) => void = () => undefined;
    sm.on(GetSecretValueCommand)
      .callsFakeOnce(() => new Promise((resolve) => (answerRead = resolve)))
      .resolves(answer('new', 'v2'));
    sm.on(PutSecretValueCommand).resolves({ ARN: arnOf(NAME), VersionId: version('v2') });
    sm.on(DescribeSecretCommand).resolves({ ARN: arnOf(NAME), Name: NAME });
    const read = client.get(NAME);
    await new Promise((resolve) => setImmediate(resolve));
    await client.put(NAME, 'new');
    answerRead(answer('old'));
    await expect(read).resolves.toBe('old');
    await expect(client.get(NAME)).resolves.toBe('new');
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('retries withSecret once with the rotated value after an auth error', async () => {
    const { client } = clientFixture();
    sm.on(GetSecretValueCommand).resolvesOnce(answer('old')).resolves(answer('new', 'v2'));
    const seen: string[] = [];
    const result = await client.withSecret(NAME, async (value) => {
      seen.push(value);
      if (value === 'old') throw Object.assign(new Error('auth'), { code: '28P01' });
      return 'connected';
    });
    expect(result).toBe('connected');
    expect(seen).toEqual(['old', 'new']);
  });

  it('stops background work on close', async () => {
    const { client } = clientFixture();
    client.close();
    await expect(client.get(NAME)).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
