import {
  BatchGetSecretValueCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
} from '@aws-sdk/client-secrets-manager';
import { PermissionDeniedError, type SecretsClient } from '../../../lib';
import type { Principal } from '../../../lib/client/access';
import type { PolicyOperation } from '../../../lib/policy/operations';
import { arnOf, kms, rejection, sm, version } from '../../support/client-fixture';
import { ALICE, BOB, RecordingPolicy, allowAll, governedClient } from './governance-fixture';

const NAME = 'prod/billing/db';

function answer(name = NAME, value = 'the value') {
  return {
    ARN: arnOf(name),
    Name: name,
    SecretString: value,
    VersionId: version('v1'),
    VersionStages: ['AWSCURRENT'],
  };
}

async function drain<T>(items: AsyncIterable<T>): Promise<T[]> {
  const seen: T[] = [];
  for await (const item of items) seen.push(item);
  return seen;
}

type CallOptions = { readonly principal?: Principal };

/** Every SecretsClient method, called on NAME with `o` in its options, and the policy operation it must be asked as. */
const METHODS: ReadonlyArray<
  readonly [string, PolicyOperation, (client: SecretsClient, o: CallOptions) => Promise<unknown>]
> = [
  [
    'create',
    'create',
    (c, o) => c.create({ name: 'db', kind: 'generic', environment: 'prod', service: 'billing', ...o }),
  ],
  ['get', 'read', (c, o) => c.get(NAME, o)],
  ['getJson', 'read', (c, o) => c.getJson(NAME, o)],
  ['getBinary', 'read', (c, o) => c.getBinary(NAME, o)],
  ['withSecret', 'read', (c, o) => c.withSecret(NAME, async (value) => value, o)],
  ['put', 'update', (c, o) => c.put(NAME, 'new value', o)],
  ['describe', 'list', (c, o) => c.describe(NAME, o)],
  ['versions', 'list', (c, o) => c.versions(NAME, o)],
  ['rollback', 'update', (c, o) => c.rollback(NAME, o)],
  ['rotate', 'rotate', (c, o) => c.rotate(NAME, o)],
  ['revoke', 'revoke', (c, o) => c.revoke(NAME, { reason: 'leaked', ...o })],
  ['restore', 'revoke', (c, o) => c.restore(NAME, o)],
  ['delete', 'delete', (c, o) => c.delete(NAME, o)],
  ['undelete', 'delete', (c, o) => c.undelete(NAME, o)],
  ['tag', 'manage', (c, o) => c.tag(NAME, { owner: 'billing' }, o)],
  ['untag', 'manage', (c, o) => c.untag(NAME, ['owner'], o)],
  ['getMany', 'read', (c, o) => c.getMany([NAME], o)],
  ['prefetch', 'read', (c, o) => c.prefetch([NAME], o)],
];

/** The methods that name one secret: a refusal fails the call. */
const SINGLE = METHODS.filter(([method]) => method !== 'getMany' && method !== 'prefetch');

describe('SecretsClient with an access policy', () => {
  describe.each(METHODS)('%s', (_method, operation, call) => {
    it(`is asked about as ${operation} of the secret's name, for the client's principal`, async () => {
      const policy = new RecordingPolicy([]);
      const { client } = governedClient({ policy, principal: ALICE });
      await call(client, {}).catch(() => undefined);
      expect(policy.requests).toEqual([{ principal: ALICE, operation, secret: NAME }]);
    });

    it('is asked about for the principal passed with the call', async () => {
      const policy = new RecordingPolicy([]);
      const { client } = governedClient({ policy, principal: ALICE });
      await call(client, { principal: BOB }).catch(() => undefined);
      expect(policy.requests.map((request) => request.principal)).toEqual([BOB]);
    });
  });

  describe.each(SINGLE)('%s', (_method, operation, call) => {
    it('is refused with PermissionDeniedError before any SDK call when no rule allows it', async () => {
      const { client } = governedClient({ policy: new RecordingPolicy([]), principal: ALICE });
      const error = await rejection(call(client, {}));
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect(error).toMatchObject({
        rule: undefined,
        reason: `no rule allows ${operation} of ${NAME} for service billing in prod`,
      });
      expect(sm).not.toHaveReceivedAnyCommand();
      expect(kms).not.toHaveReceivedAnyCommand();
    });
  });

  describe.each([
    ['getMany', (c: SecretsClient) => c.getMany([NAME]).then((r) => r.errors)],
    ['prefetch', (c: SecretsClient) => c.prefetch([NAME])],
  ] as const)('%s', (_method, call) => {
    it('reports a refused id as its per-id error, without any SDK call', async () => {
      const { client } = governedClient({ policy: new RecordingPolicy([]), principal: ALICE });
      const errors = await call(client);
      expect(errors.get(NAME)).toBeInstanceOf(PermissionDeniedError);
      expect(sm).not.toHaveReceivedAnyCommand();
    });
  });

  describe('list', () => {
    it('is refused before any SDK call without a principal', async () => {
      const { client } = governedClient({ policy: new RecordingPolicy([allowAll()]) });
      await expect(drain(client.list())).rejects.toBeInstanceOf(PermissionDeniedError);
      expect(sm).not.toHaveReceivedAnyCommand();
    });

    it('leaves out the secrets the policy does not let the principal list', async () => {
      const policy = new RecordingPolicy([allowAll({ id: 'billing', secrets: ['prod/billing/*'] })]);
      const { client } = governedClient({ policy, principal: ALICE });
      sm.on(ListSecretsCommand).resolves({
        SecretList: [
          { Name: NAME, ARN: arnOf(NAME) },
          { Name: 'prod/payments/key', ARN: arnOf('prod/payments/key') },
        ],
      });
      expect((await drain(client.list())).map((item) => item.name)).toEqual([NAME]);
      expect(policy.requests.map((r) => [r.operation, r.secret])).toEqual([
        ['list', NAME],
        ['list', 'prod/payments/key'],
      ]);
    });
  });

  it('asks about the items of a list for the principal passed with the call', async () => {
    const policy = new RecordingPolicy([allowAll({ roles: ['admin'] })]);
    const { client } = governedClient({ policy, principal: ALICE });
    sm.on(ListSecretsCommand).resolves({ SecretList: [{ Name: NAME, ARN: arnOf(NAME) }] });
    expect((await drain(client.list({ principal: BOB }))).map((item) => item.name)).toEqual([NAME]);
    expect(policy.requests.map((r) => r.principal)).toEqual([BOB]);
  });

  it('denies every call when neither the client nor the call names a principal', async () => {
    const { client } = governedClient({ policy: new RecordingPolicy([allowAll()]) });
    const error = await rejection(client.get(NAME));
    expect(error).toMatchObject({ code: 'PERMISSION_DENIED', rule: undefined });
    expect((error as PermissionDeniedError).reason).toMatch(/^no principal was given/);
    expect(sm).not.toHaveReceivedAnyCommand();
  });

  it('lets a deny rule win over an allow rule, naming it', async () => {
    const policy = new RecordingPolicy([
      allowAll(),
      allowAll({
        id: 'no-prod-db',
        effect: 'deny',
        secrets: [NAME],
        description: 'the database is off limits',
      }),
    ]);
    const { client } = governedClient({ policy, principal: ALICE });
    await expect(client.get(NAME)).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      rule: 'no-prod-db',
      reason: 'denied by rule no-prod-db: the database is off limits',
      secretId: NAME,
      message:
        `The access policy denies get of "${NAME}" (rule "no-prod-db"): ` +
        'denied by rule no-prod-db: the database is off limits.',
    });
  });

  it('denies a cache hit once the policy no longer allows it', async () => {
    const policy = new RecordingPolicy([allowAll()]);
    const { client } = governedClient({ policy, principal: ALICE });
    sm.on(GetSecretValueCommand).resolves(answer());
    await expect(client.get(NAME)).resolves.toBe('the value');
    policy.rules = [];
    await expect(client.get(NAME)).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(client.cache!.stats()).toMatchObject({ hits: 0, misses: 1 });
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('denies a cached value to a principal the policy does not allow', async () => {
    const policy = new RecordingPolicy([allowAll({ id: 'developers', roles: ['developer'] })]);
    const { client } = governedClient({ policy, principal: ALICE });
    sm.on(GetSecretValueCommand).resolves(answer());
    await client.get(NAME);
    await expect(client.get(NAME, { principal: BOB })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(client.cache!.stats()).toMatchObject({ hits: 0 });
  });

  it('serves a cache hit it allows, after evaluating it', async () => {
    const policy = new RecordingPolicy([allowAll()]);
    const { client } = governedClient({ policy, principal: ALICE });
    sm.on(GetSecretValueCommand).resolves(answer());
    await client.get(NAME);
    await expect(client.get(NAME)).resolves.toBe('the value');
    expect(policy.requests).toHaveLength(2);
    expect(client.cache!.stats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it('decides for the principal passed with the call rather than the client’s', async () => {
    const policy = new RecordingPolicy([allowAll({ id: 'admins', roles: ['admin'] })]);
    const { client } = governedClient({ policy, principal: ALICE });
    sm.on(GetSecretValueCommand).resolves(answer());
    await expect(client.get(NAME, { principal: BOB })).resolves.toBe('the value');
    await expect(client.get(NAME)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(policy.requests.map((r) => r.principal.id)).toEqual(['bob', 'alice']);
  });

  it('authorizes a per-call principal when the client has none', async () => {
    const { client } = governedClient({ policy: new RecordingPolicy([allowAll()]) });
    sm.on(GetSecretValueCommand).resolves(answer());
    await expect(client.get(NAME, { principal: BOB })).resolves.toBe('the value');
  });

  it('asks about an ARN by the name it carries', async () => {
    const policy = new RecordingPolicy([allowAll()]);
    const { client } = governedClient({ policy, principal: ALICE });
    sm.on(GetSecretValueCommand).resolves(answer());
    await client.get(arnOf(NAME));
    await client.get(arnOf(NAME).slice(0, -7));
    expect(policy.requests.map((r) => r.secret)).toEqual([NAME, `${NAME}-AbCdEf`, NAME]);
  });

  it('refuses an ARN a deny rule names in its partial-ARN reading', async () => {
    // `...:secret:prod/billing/db-backup` is a partial ARN of db-backup, or a full ARN of db.
    const policy = new RecordingPolicy([
      allowAll(),
      allowAll({ id: 'no-backups', effect: 'deny', secrets: ['prod/billing/db-backup'] }),
    ]);
    const { client } = governedClient({ policy, principal: ALICE });
    await expect(
      client.get(`${arnOf('x').split(':secret:')[0]}:secret:prod/billing/db-backup`),
    ).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      rule: 'no-backups',
    });
    expect(sm).not.toHaveReceivedAnyCommand();
  });

  it('reads the allowed ids of a getMany and reports the refused ones per id', async () => {
    const policy = new RecordingPolicy([
      allowAll({ id: 'billing', secrets: ['prod/billing/*'] }),
      allowAll({ id: 'no-db', effect: 'deny', secrets: ['prod/billing/db'] }),
    ]);
    const { client } = governedClient({ policy, principal: ALICE });
    sm.on(BatchGetSecretValueCommand).resolves({ SecretValues: [answer('prod/billing/key', 'k')] });
    const { values, errors } = await client.getMany(['prod/billing/key', NAME, 'prod/payments/key']);
    expect(sm).toHaveReceivedCommandWith(BatchGetSecretValueCommand, { SecretIdList: ['prod/billing/key'] });
    expect([...values.keys()]).toEqual(['prod/billing/key']);
    expect([...errors.keys()]).toEqual([NAME, 'prod/payments/key']);
    expect(errors.get(NAME)).toMatchObject({ code: 'PERMISSION_DENIED', rule: 'no-db' });
    expect(errors.get('prod/payments/key')).toMatchObject({ code: 'PERMISSION_DENIED', rule: undefined });
  });

  it('prefetches only the allowed ids', async () => {
    const policy = new RecordingPolicy([allowAll({ id: 'billing', secrets: ['prod/billing/*'] })]);
    const { client } = governedClient({ policy, principal: ALICE });
    sm.on(BatchGetSecretValueCommand).resolves({ SecretValues: [answer()] });
    const errors = await client.prefetch([NAME, 'prod/payments/key']);
    expect([...errors.keys()]).toEqual(['prod/payments/key']);
    expect(sm).toHaveReceivedCommandWith(BatchGetSecretValueCommand, { SecretIdList: [NAME] });
  });
});
