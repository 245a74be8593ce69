import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsClient, ValidationError, type SecretListItem } from '../../../lib';
import type { AuditEntry } from '../../../lib/audit/audit-event';
import type { Principal } from '../../../lib/client/access';
import { runOperation } from '../../../lib/client/secrets-client';
import { describe as describeOperation } from '../../../lib/client/operations/describe';
import { AccessPolicy, POLICY_OPERATIONS } from '../../../lib/policy';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

// The scope of a client (environment and service) through the real SDK against the local
// endpoint: which names every method reads and writes, what create places where, and what
// withEnvironment shares.
let local: LocalFixture;
let n = 0;
/** A fresh environment per test, so listings never see another test's secrets. */
const freshEnvironment = () => `scope${++n}`;

/** Every Secrets Manager request a client sends: its command name and input. */
interface Sent {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

function recordingSm(): { sm: SecretsManagerClient; sent: Sent[] } {
  const sm = local.sm();
  const sent: Sent[] = [];
  sm.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ command: context.commandName ?? '', input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize' },
  );
  return { sm, sent };
}

function client(options: ConstructorParameters<typeof SecretsClient>[0] = {}): SecretsClient {
  return new SecretsClient({ secretsManager: local.sm(), kms: local.kms(), ...options });
}

async function names(items: AsyncIterable<SecretListItem>): Promise<string[]> {
  const found: string[] = [];
  for await (const item of items) found.push(item.name);
  return found.sort();
}

/** The secret ids a recorded request names (SecretId, or each of SecretIdList). */
function idsOf(sent: readonly Sent[]): string[] {
  return sent.flatMap(({ input }) =>
    typeof input.SecretId === 'string'
      ? [input.SecretId]
      : Array.isArray(input.SecretIdList)
        ? (input.SecretIdList as string[])
        : [],
  );
}

beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.endpoint.close());

describe('SecretsClient scope', () => {
  describe('bare names', () => {
    it("reads {environment}/{service}/{name} for get('stripe_key')", async () => {
      const e = freshEnvironment();
      await client().create({
        name: 'stripe_key',
        kind: 'generic',
        environment: e,
        service: 'billing',
        value: 'sk',
      });
      expect(await client({ environment: e, service: 'billing' }).get('stripe_key')).toBe('sk');
    });

    it('takes a full name and an ARN as given', async () => {
      const e = freshEnvironment();
      const ref = await client().create({
        name: 'k',
        kind: 'generic',
        environment: e,
        service: 'other',
        value: 'v',
      });
      const scoped = client({ environment: e, service: 'billing' });
      expect(await scoped.get(`${e}/other/k`)).toBe('v');
      expect(await scoped.get(ref.arn)).toBe('v');
    });

    // Each method, given the bare name of its own secret, must send only the resolved
    // name (or the ARN the service answered with) to Secrets Manager.
    const METHODS: ReadonlyArray<readonly [string, (c: SecretsClient, id: string) => Promise<unknown>]> = [
      ['get', (c, id) => c.get(id)],
      ['getJson', (c, id) => c.getJson(id)],
      ['getBinary', (c, id) => c.getBinary(id)],
      ['getMany', (c, id) => c.getMany([id])],
      ['prefetch', (c, id) => c.prefetch([id])],
      ['withSecret', (c, id) => c.withSecret(id, async (value) => value)],
      ['put', (c, id) => c.put(id, '{"a":2}')],
      ['describe', (c, id) => c.describe(id)],
      ['exists', (c, id) => c.exists(id)],
      ['versions', (c, id) => c.versions(id)],
      ['diff', (c, id) => c.diff(id, 'AWSCURRENT', 'AWSCURRENT')],
      ['rollback', (c, id) => c.rollback(id)],
      ['rotate', (c, id) => c.rotate(id)],
      ['test', (c, id) => c.test(id)],
      ['revoke', (c, id) => c.revoke(id, { reason: 'test' })],
      ['restore', (c, id) => c.restore(id)],
      ['delete', (c, id) => c.delete(id, { recoveryWindowDays: 7 })],
      ['undelete', (c, id) => c.undelete(id)],
      ['tag', (c, id) => c.tag(id, { owner: 'billing' })],
      ['untag', (c, id) => c.untag(id, ['owner'])],
    ];

    it.each(METHODS)('%s resolves a bare name', async (method, call) => {
      const e = freshEnvironment();
      const ref = await client().create({
        name: method,
        kind: 'json',
        environment: e,
        service: 'billing',
        value: { a: 1 },
      });
      const { sm, sent } = recordingSm();
      const scoped = new SecretsClient({
        secretsManager: sm,
        kms: local.kms(),
        environment: e,
        service: 'billing',
      });
      // Some calls fail on this secret (rollback has no AWSPREVIOUS, rotate no function,
      // getBinary finds a string): what matters is the name they sent.
      await call(scoped, method).catch(() => undefined);
      const ids = idsOf(sent);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.every((id) => id === `${e}/billing/${method}` || id === ref.arn)).toBe(true);
    });

    it('getMany and prefetch report by the ids the caller passed', async () => {
      const e = freshEnvironment();
      await client().create({ name: 'a', kind: 'generic', environment: e, service: 'billing', value: 'va' });
      const scoped = client({ environment: e, service: 'billing' });
      const { values, errors } = await scoped.getMany(['a', `${e}/billing/a`, 'missing']);
      expect([...values.keys()].sort()).toEqual(['a', `${e}/billing/a`]);
      expect(values.get('a')).toMatchObject({ id: 'a', name: `${e}/billing/a`, value: 'va' });
      expect([...errors.keys()]).toEqual(['missing']);
      const prefetched = await client({ environment: e, service: 'billing' }).prefetch(['missing', 'a']);
      expect([...prefetched.keys()]).toEqual(['missing']);
    });

    it('serves a bare name and its full name from one cache entry', async () => {
      const e = freshEnvironment();
      await client().create({ name: 'hot', kind: 'generic', environment: e, service: 'billing', value: 'v' });
      const { sm, sent } = recordingSm();
      const scoped = new SecretsClient({ secretsManager: sm, environment: e, service: 'billing' });
      await scoped.get('hot');
      await scoped.get('hot');
      await scoped.get(`${e}/billing/hot`);
      expect(sent.filter((s) => s.command === 'GetSecretValueCommand')).toHaveLength(1);
      expect(scoped.cache!.stats()).toMatchObject({ hits: 2, misses: 1 });
    });

    it('names the resolved secret in the audit trail', async () => {
      const e = freshEnvironment();
      await client().create({ name: 'x', kind: 'generic', environment: e, service: 'billing', value: 'v' });
      const events: AuditEntry[] = [];
      const scoped = client({
        environment: e,
        service: 'billing',
        audit: { record: (event) => void events.push(event) },
      });
      await scoped.get('x');
      expect(events.map((event) => event.secret_name)).toEqual([`${e}/billing/x`]);
    });

    it('with only an environment reads {environment}/{name}, where create puts a bare name', async () => {
      const e = freshEnvironment();
      const scoped = client({ environment: e, service: null });
      const ref = await scoped.create({ name: 'shared', kind: 'generic', value: 'v' });
      expect(ref.name).toBe(`${e}/shared`);
      expect(await scoped.get('shared')).toBe('v');
      expect((await scoped.describe('shared')).keystage).toMatchObject({
        environment: e,
        service: undefined,
      });
    });

    it('resolves the CA a certificate is issued by, read through the pipeline', async () => {
      const e = freshEnvironment();
      const events: AuditEntry[] = [];
      const scoped = client({
        environment: e,
        service: 'pki',
        audit: { record: (event) => void events.push(event) },
      });
      const ca = await scoped.create({
        name: 'ca',
        kind: 'certificate',
        certificate: { commonName: 'Scope CA', isCa: true },
      });
      await scoped.create({
        name: 'tls',
        kind: 'certificate',
        certificate: { commonName: 'api.internal', ca: 'ca' },
      });
      expect(await scoped.getJson('tls')).toMatchObject({ caarn: ca.arn });
      expect(events.map((event) => [event.action, event.secret_name])).toEqual([
        ['create', `${e}/pki/ca`],
        ['get', `${e}/pki/ca`],
        ['create', `${e}/pki/tls`],
        ['getJson', `${e}/pki/tls`],
      ]);
    });

    it('exposes the rule as resolveId and the scope as scope', () => {
      const scoped = client({ environment: 'prod', service: 'billing' });
      expect(scoped.resolveId('stripe_key')).toBe('prod/billing/stripe_key');
      expect(scoped.resolveId('prod/other/x')).toBe('prod/other/x');
      expect(scoped.scope).toEqual({ environment: 'prod', service: 'billing' });
      expect(client({ environment: null, service: null }).scope).toEqual({});
    });
  });

  describe('options', () => {
    const saved = { ...process.env };
    afterEach(() => {
      process.env = { ...saved };
    });

    it('defaults to KEYSTAGE_ENVIRONMENT and KEYSTAGE_SERVICE', async () => {
      const e = freshEnvironment();
      await client().create({ name: 'k', kind: 'generic', environment: e, service: 'web', value: 'v' });
      process.env.KEYSTAGE_ENVIRONMENT = e;
      process.env.KEYSTAGE_SERVICE = 'web';
      expect(await client().get('k')).toBe('v');
    });

    it('refuses a malformed environment variable, naming it, before any I/O', () => {
      process.env.KEYSTAGE_ENVIRONMENT = 'prod/eu';
      expect(() => client()).toThrow(
        expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'KEYSTAGE_ENVIRONMENT' }),
      );
    });

    it('refuses a malformed environment or service option', () => {
      expect(() => client({ environment: 'pr od' })).toThrow(ValidationError);
      expect(() => client({ service: 'a/b' })).toThrow(expect.objectContaining({ field: 'service' }));
    });

    it('shows the scope, and nothing else, when inspected', () => {
      const { inspect } = jest.requireActual<typeof import('node:util')>('node:util');
      expect(inspect(client({ environment: 'prod', service: 'billing' }))).toBe(
        "SecretsClient { environment: 'prod', service: 'billing' }",
      );
      expect(inspect(client({ environment: null, service: null }))).toBe('SecretsClient {}');
    });
  });

  describe('create', () => {
    it("places a bare name in the client's environment and service, with their tags", async () => {
      const e = freshEnvironment();
      const scoped = client({ environment: e, service: 'billing' });
      const ref = await scoped.create({ name: 'db', kind: 'generic' });
      expect(ref.name).toBe(`${e}/billing/db`);
      expect((await scoped.describe('db')).tags).toMatchObject({
        'keystage:environment': e,
        'keystage:service': 'billing',
      });
    });

    it('fills only the part the call leaves out', async () => {
      const e = freshEnvironment();
      const ref = await client({ environment: 'elsewhere', service: 'billing' }).create({
        name: 'db',
        kind: 'generic',
        environment: e,
      });
      expect(ref.name).toBe(`${e}/billing/db`);
    });

    it('takes a full name as given, without the scope', async () => {
      const e = freshEnvironment();
      const ref = await client({ environment: 'prod', service: 'billing' }).create({
        name: `${e}/tools/db`,
        kind: 'generic',
      });
      expect(ref.name).toBe(`${e}/tools/db`);
    });
  });

  describe('list', () => {
    it("defaults to the scope's environment and service", async () => {
      const e = freshEnvironment();
      const plain = client();
      await plain.create({ name: 'a', kind: 'generic', environment: e, service: 'billing' });
      await plain.create({ name: 'b', kind: 'generic', environment: e, service: 'web' });
      await plain.create({ name: 'c', kind: 'generic', environment: `${e}x`, service: 'billing' });
      const scoped = client({ environment: e, service: 'billing' });
      expect(await names(scoped.list())).toEqual([`${e}/billing/a`]);
      expect(await names(scoped.list({ service: 'web' }))).toEqual([`${e}/web/b`]);
      expect(await names(scoped.list({ scoped: false, prefix: `${e}/` }))).toEqual([
        `${e}/billing/a`,
        `${e}/web/b`,
      ]);
    });

    it('refuses a scoped that is not a boolean at once', () => {
      expect(() => client({ environment: 'prod' }).list({ scoped: 1 as unknown as boolean })).toThrow(
        expect.objectContaining({ field: 'scoped' }),
      );
    });
  });

  describe('withEnvironment', () => {
    it('reads bare names in the other environment, same service', async () => {
      const e = freshEnvironment();
      const plain = client();
      await plain.create({ name: 'k', kind: 'generic', environment: e, service: 'billing', value: 'prod' });
      await plain.create({
        name: 'k',
        kind: 'generic',
        environment: `${e}-staging`,
        service: 'billing',
        value: 'staging',
      });
      const prod = client({ environment: e, service: 'billing' });
      const staging = prod.withEnvironment(`${e}-staging`);
      expect(await staging.get('k')).toBe('staging');
      expect(await prod.get('k')).toBe('prod');
      expect(staging.scope).toEqual({ environment: `${e}-staging`, service: 'billing' });
    });

    it('shares the SDK clients, the cache and the audit sink', async () => {
      const events: AuditEntry[] = [];
      const prod = client({
        environment: 'prod',
        service: 'billing',
        audit: { record: (event) => void events.push(event) },
      });
      const staging = prod.withEnvironment('staging');
      expect(staging.secretsManager).toBe(prod.secretsManager);
      expect(staging.kms).toBe(prod.kms);
      expect(staging.cache).toBe(prod.cache);
      await staging.get('missing').catch(() => undefined);
      expect(events).toEqual([
        expect.objectContaining({ secret_name: 'staging/billing/missing', success: false }),
      ]);
    });

    it('keeps the principal, the access policy and its rate-limit counts', async () => {
      const e = freshEnvironment();
      await client().create({ name: 'k', kind: 'generic', environment: e, service: 'billing', value: 'v' });
      await client().create({
        name: 'k',
        kind: 'generic',
        environment: `${e}s`,
        service: 'billing',
        value: 'w',
      });
      const alice: Principal = { id: 'alice', service: 'billing', environment: e, roles: ['developer'] };
      const policy = new AccessPolicy({
        rules: [
          {
            id: 'two-an-hour',
            effect: 'allow',
            secrets: ['**'],
            operations: POLICY_OPERATIONS,
            maxRequestsPerHour: 2,
          },
        ],
      });
      const prod = client({ environment: e, service: 'billing', policy, principal: alice });
      const other = prod.withEnvironment(`${e}s`);
      await prod.get('k');
      await other.get('k');
      // The third read of the hour, by the same principal through either client, is refused.
      await expect(other.get('k')).rejects.toMatchObject({ code: 'THROTTLED', rule: 'two-an-hour' });
      await expect(prod.get('k')).rejects.toMatchObject({ code: 'THROTTLED' });
    });

    it('calls as the same principal', async () => {
      const events: AuditEntry[] = [];
      const principal: Principal = {
        id: 'dana',
        service: 'billing',
        environment: 'prod',
        roles: ['developer'],
      };
      const prod = client({
        environment: 'prod',
        service: 'billing',
        principal,
        audit: { record: (event) => void events.push(event) },
      });
      await prod
        .withEnvironment('staging')
        .get('missing')
        .catch(() => undefined);
      expect(events.map((event) => [event.user_id, event.service])).toEqual([['dana', 'billing']]);
    });

    it('runs operations defined outside the client through the shared pipeline', async () => {
      const e = freshEnvironment();
      await client().create({
        name: 'k',
        kind: 'generic',
        environment: `${e}s`,
        service: 'billing',
        value: 'v',
      });
      const staging = client({ environment: e, service: 'billing' }).withEnvironment(`${e}s`);
      const summary = await runOperation(staging, describeOperation, [`${e}s/billing/k`, {}]);
      expect(summary.name).toBe(`${e}s/billing/k`);
    });

    it('refuses a malformed environment', () => {
      expect(() => client({ service: 'billing' }).withEnvironment('a/b')).toThrow(
        expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'environment' }),
      );
    });
  });

  describe('a secret created outside keystage', () => {
    it('is read by its full name from a scoped client', async () => {
      const e = freshEnvironment();
      await local.sm().send(new CreateSecretCommand({ Name: `${e}-raw`, SecretString: 'raw' }));
      // A bare name would resolve into the scope; the ARN reaches a top-level name.
      const scoped = client({ environment: e, service: 'billing' });
      await expect(scoped.get(`${e}-raw`)).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND' });
      const arn = (await client({ environment: null, service: null }).describe(`${e}-raw`)).arn;
      expect(await scoped.get(arn)).toBe('raw');
    });
  });
});
