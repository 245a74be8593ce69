import { BatchGetSecretValueCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ThrottledError } from '../../../lib';
import type { RateLimitStore } from '../../../lib/policy/rate-limit-store';
import { arnOf, rejection, sm, version } from '../../support/client-fixture';
import { ALICE, BOB, RecordingPolicy, allowAll, governedClient } from './governance-fixture';

const NAME = 'prod/billing/db';
const HOUR = 3_600_000;

function answer(name = NAME) {
  return {
    ARN: arnOf(name),
    Name: name,
    SecretString: 'the value',
    VersionId: version('v1'),
    VersionStages: ['AWSCURRENT'],
  };
}

/** A client whose one rule allows everything, three requests per hour per principal. */
function limited(store?: RateLimitStore) {
  const f = governedClient({
    policy: new RecordingPolicy([allowAll({ id: 'three-an-hour', maxRequestsPerHour: 3 })]),
    principal: ALICE,
    ...(store === undefined ? {} : { rateLimitStore: store }),
  });
  sm.on(GetSecretValueCommand).resolves(answer());
  return f;
}

describe('SecretsClient rate limits', () => {
  it('counts cache hits: the fourth read in an hour is THROTTLED though three were hits', async () => {
    const { client } = limited();
    for (let i = 0; i < 3; i++) await client.get(NAME);
    const error = await rejection(client.get(NAME));
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({ code: 'THROTTLED', rule: 'three-an-hour', secretId: NAME });
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(client.cache!.stats()).toMatchObject({ hits: 2, misses: 1 });
  });

  it('says when the next request fits, against the client’s clock', async () => {
    const { client, clock } = limited();
    for (let i = 0; i < 3; i++) await client.get(NAME);
    clock.advance(HOUR / 3 - 1);
    await expect(client.get(NAME)).rejects.toMatchObject({ retryAfterMs: 1 });
    clock.advance(1);
    await expect(client.get(NAME)).resolves.toBe('the value');
  });

  it('reports the full wait for one request to refill right after the limit is reached', async () => {
    const { client } = limited();
    for (let i = 0; i < 3; i++) await client.get(NAME);
    await expect(client.get(NAME)).rejects.toMatchObject({ retryAfterMs: HOUR / 3 });
  });

  it('counts per principal: another principal has its own allowance', async () => {
    const { client } = limited();
    for (let i = 0; i < 3; i++) await client.get(NAME);
    await expect(client.get(NAME, { principal: BOB })).resolves.toBe('the value');
  });

  it('counts per rule: a call another rule decides is not charged to the first', async () => {
    const { client } = governedClient({
      policy: new RecordingPolicy([
        allowAll({ id: 'db-once', secrets: [NAME], maxRequestsPerHour: 1 }),
        allowAll({ id: 'rest', maxRequestsPerHour: 1 }),
      ]),
      principal: ALICE,
    });
    sm.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => answer(input.SecretId));
    await client.get(NAME);
    await expect(client.get('prod/billing/key')).resolves.toBe('the value');
    await expect(client.get(NAME)).rejects.toMatchObject({ rule: 'db-once' });
  });

  it('does not count calls a rule without a limit allows', async () => {
    const store: RateLimitStore = { take: jest.fn(() => 0) };
    const { client } = governedClient({
      policy: new RecordingPolicy([allowAll()]),
      principal: ALICE,
      rateLimitStore: store,
    });
    sm.on(GetSecretValueCommand).resolves(answer());
    await client.get(NAME);
    expect(store.take).not.toHaveBeenCalled();
  });

  it('does not count denied calls', async () => {
    const store: RateLimitStore = { take: jest.fn(() => 0) };
    const { client } = governedClient({
      policy: new RecordingPolicy([]),
      principal: ALICE,
      rateLimitStore: store,
    });
    await rejection(client.get(NAME));
    expect(store.take).not.toHaveBeenCalled();
  });

  it('counts each id of a getMany and reports the ids over the limit per id', async () => {
    const { client } = limited();
    sm.on(BatchGetSecretValueCommand).callsFake((input: { SecretIdList: string[] }) => ({
      SecretValues: input.SecretIdList.map((id) => answer(id)),
    }));
    const ids = ['prod/billing/a', 'prod/billing/b', 'prod/billing/c', 'prod/billing/d'];
    const { values, errors } = await client.getMany(ids);
    expect([...values.keys()]).toEqual(ids.slice(0, 3));
    expect(errors.get('prod/billing/d')).toMatchObject({ code: 'THROTTLED', retryAfterMs: HOUR / 3 });
    expect(sm).toHaveReceivedCommandWith(BatchGetSecretValueCommand, { SecretIdList: ids.slice(0, 3) });
  });

  describe('with a store of its own', () => {
    it('takes from it per principal id and rule, with the limit, the hour and the client’s clock', async () => {
      const take = jest.fn(() => 0);
      const { client, clock } = limited({ take });
      await client.get(NAME);
      expect(take).toHaveBeenCalledWith('13:three-an-hour:alice', 3, HOUR, clock.now());
    });

    it('waits for an asynchronous answer and throttles on it', async () => {
      const { client } = limited({ take: async () => 42 });
      await expect(client.get(NAME)).rejects.toMatchObject({ code: 'THROTTLED', retryAfterMs: 42 });
      expect(sm).not.toHaveReceivedAnyCommand();
    });

    it('lets the call through on an asynchronous 0', async () => {
      const { client } = limited({ take: async () => 0 });
      await expect(client.get(NAME)).resolves.toBe('the value');
    });

    it('fails the call with SERVICE_UNAVAILABLE when the store rejects, before any SDK call', async () => {
      const failure = new Error('redis down');
      const { client } = limited({ take: async () => Promise.reject(failure) });
      await expect(client.get(NAME)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', cause: failure });
      expect(sm).not.toHaveReceivedAnyCommand();
    });

    it('fails the call with SERVICE_UNAVAILABLE when the store throws', async () => {
      const { client } = limited({
        take: () => {
          throw new Error('misconfigured');
        },
      });
      await expect(client.get(NAME)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    });
  });
});
