import {
  BatchGetSecretValueCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RotateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import type { AuditEntry, AuditSink } from '../../../../lib/audit';
import { AuditUnavailableError, ThrottledError } from '../../../../lib/errors';
import type { Principal } from '../../../../lib/client/access';
import { accessDenied, arnOf, meta, rejection, sm, version } from '../../../support/client-fixture';
import { ALICE, BOB, RecordingPolicy, allowAll, governedClient } from '../governance-fixture';

const NAME = 'prod/billing/db';
const V1 = version('v1');

const CAROL: Principal = Object.freeze({
  id: 'carol',
  email: 'carol@example.com',
  service: 'checkout',
  environment: 'staging',
  roles: Object.freeze(['developer']),
  sourceIp: '198.51.100.4',
  userAgent: 'checkout/2.1',
});

function answer(name = NAME, versionId = V1) {
  return {
    ARN: arnOf(name),
    Name: name,
    SecretString: 'the value',
    VersionId: versionId,
    VersionStages: ['AWSCURRENT'],
  };
}

/** A sink that keeps every entry and whether it was asked to acknowledge it. */
function recordingSink(): AuditSink & { entries: AuditEntry[]; acknowledged: boolean[] } {
  const entries: AuditEntry[] = [];
  const acknowledged: boolean[] = [];
  return {
    entries,
    acknowledged,
    record: (entry, acknowledge) => {
      entries.push(entry);
      acknowledged.push(acknowledge);
    },
  };
}

function audited(options: Parameters<typeof governedClient>[0] = {}) {
  const sink = recordingSink();
  const f = governedClient({ audit: sink, principal: ALICE, ...options });
  sm.on(GetSecretValueCommand).resolves(answer());
  return { ...f, sink };
}

describe('the audit stage', () => {
  describe('reads', () => {
    it('records a read served by the service', async () => {
      const { client, sink } = audited();
      await client.get(NAME);
      expect(sink.entries).toEqual([
        expect.objectContaining({
          event_type: 'secret_access',
          action: 'get',
          secret_name: NAME,
          success: true,
          cache_hit: false,
          reason: null,
        }),
      ]);
    });

    it('records a read served by the cache, marked cache_hit', async () => {
      const { client, sink } = audited();
      await client.get(NAME);
      await client.get(NAME);
      expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
      expect(sink.entries.map((entry) => entry.cache_hit)).toEqual([false, true]);
    });

    it('records the version a read of a given version asked for', async () => {
      const { client, sink } = audited();
      await client.get(NAME, { versionId: V1 });
      expect(sink.entries[0]!.version_id).toBe(V1);
    });

    it('records the version an AWSCURRENT read got, from the service and from the cache', async () => {
      const { client, sink } = audited();
      await client.getJson(NAME).catch(() => undefined);
      await client.get(NAME);
      await client.get(NAME);
      expect(sink.entries.map((entry) => entry.version_id)).toEqual([V1, V1, V1]);
    });

    it('records each kind of read as its event type', async () => {
      const { client, sink } = audited();
      sm.on(DescribeSecretCommand).resolves({ ARN: arnOf(NAME), Name: NAME, ...meta });
      sm.on(ListSecretVersionIdsCommand).resolves({ Versions: [], ...meta });
      await client.getBinary(NAME).catch(() => undefined);
      await client.describe(NAME);
      expect(sink.entries.map((entry) => [entry.action, entry.event_type])).toEqual([
        ['getBinary', 'secret_access'],
        ['describe', 'secret_metadata'],
      ]);
    });

    it('records a failed read with the error code as its reason', async () => {
      const { client, sink } = audited();
      sm.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'nope', ...meta }));
      await rejection(client.get('prod/billing/missing'));
      expect(sink.entries).toEqual([
        expect.objectContaining({
          secret_name: 'prod/billing/missing',
          success: false,
          reason: 'SECRET_NOT_FOUND',
        }),
      ]);
    });

    it('records one event per secret of a getMany, under one request id', async () => {
      const { client, sink } = audited();
      sm.on(BatchGetSecretValueCommand).resolves({
        SecretValues: [{ ...answer('prod/billing/a', version('va')) }],
        Errors: [{ SecretId: 'prod/billing/b', ErrorCode: 'ResourceNotFoundException', Message: 'no' }],
      });
      await client.getMany(['prod/billing/a', 'prod/billing/b']);
      expect(sink.entries).toEqual([
        expect.objectContaining({ secret_name: 'prod/billing/a', success: true, version_id: version('va') }),
        expect.objectContaining({
          secret_name: 'prod/billing/b',
          success: false,
          reason: 'SECRET_NOT_FOUND',
        }),
      ]);
      expect(new Set(sink.entries.map((entry) => entry.request_id)).size).toBe(1);
    });
  });

  describe('changes', () => {
    it('records a put as a secret_change with the version written', async () => {
      const { client, sink } = audited();
      sm.on(PutSecretValueCommand).resolves({
        ARN: arnOf(NAME),
        Name: NAME,
        VersionId: version('v2'),
        ...meta,
      });
      sm.on(DescribeSecretCommand).resolves({ ARN: arnOf(NAME), Name: NAME, ...meta });
      await client.put(NAME, 'next');
      expect(sink.entries).toEqual([
        expect.objectContaining({ event_type: 'secret_change', action: 'put', version_id: version('v2') }),
      ]);
    });

    it('records a rotation as a rotation', async () => {
      const { client, sink } = audited();
      sm.on(RotateSecretCommand).resolves({
        ARN: arnOf(NAME),
        Name: NAME,
        VersionId: version('v3'),
        ...meta,
      });
      await client.rotate(NAME);
      expect(sink.entries[0]).toMatchObject({
        event_type: 'rotation',
        action: 'rotate',
        version_id: version('v3'),
      });
    });
  });

  describe('who and which call', () => {
    it('records the principal the call passed, over the client’s', async () => {
      const { client, sink } = audited();
      await client.get(NAME, { principal: CAROL });
      expect(sink.entries[0]).toMatchObject({
        user_id: 'carol',
        user_email: 'carol@example.com',
        service: 'checkout',
        environment: 'staging',
        ip_address: '198.51.100.4',
        user_agent: 'checkout/2.1',
      });
    });

    it('records nulls for what the principal does not say, and for no principal at all', async () => {
      const sink = recordingSink();
      const { client } = governedClient({ audit: sink });
      sm.on(GetSecretValueCommand).resolves(answer());
      await client.get(NAME);
      await client.get(NAME, { principal: ALICE });
      expect(sink.entries.map((entry) => [entry.user_id, entry.user_email, entry.ip_address])).toEqual([
        [null, null, null],
        ['alice', null, null],
      ]);
    });

    it('gives every call its own request id', async () => {
      const { client, sink } = audited();
      await client.get(NAME);
      await client.get(NAME);
      const [first, second] = sink.entries.map((entry) => entry.request_id);
      expect(first).toMatch(/^[0-9a-f-]{36}$/);
      expect(second).not.toBe(first);
    });

    it('stamps the client clock’s time, in ISO-8601 with milliseconds', async () => {
      const { client, clock, sink } = audited();
      clock.advance(42);
      await client.get(NAME);
      expect(sink.entries[0]!.timestamp).toBe(new Date(clock.now()).toISOString());
    });
  });

  describe('refusals', () => {
    const denyProd = () =>
      new RecordingPolicy([
        allowAll(),
        {
          id: 'no-prod-for-carol',
          effect: 'deny',
          secrets: ['prod/**'],
          operations: ['read'],
          roles: ['developer'],
        },
      ]);

    it('records a denial by the access policy with its rule and reason', async () => {
      const { client, sink } = audited({ policy: denyProd() });
      await rejection(client.get(NAME, { principal: CAROL }));
      expect(sink.entries).toEqual([
        expect.objectContaining({
          event_type: 'access_denied',
          action: 'get',
          user_id: 'carol',
          success: false,
          reason: expect.stringContaining('no-prod-for-carol'),
          details: { denied_by: 'policy', rule: 'no-prod-for-carol' },
        }),
      ]);
    });

    it('records a denied cache hit as a denial', async () => {
      const { client, sink } = audited({ policy: denyProd() });
      await client.get(NAME, { principal: BOB });
      await rejection(client.get(NAME, { principal: CAROL }));
      expect(sink.entries.map((entry) => entry.event_type)).toEqual(['secret_access', 'access_denied']);
      expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    });

    it('records a denial by AWS as a denial by the service', async () => {
      const { client, sink } = audited();
      sm.on(GetSecretValueCommand).rejects(accessDenied());
      sm.on(DescribeSecretCommand).rejects(accessDenied());
      await rejection(client.get(NAME));
      expect(sink.entries[0]).toMatchObject({
        event_type: 'access_denied',
        reason: 'PERMISSION_DENIED',
        details: { denied_by: 'service', rule: null },
      });
    });

    it('records a call a rule’s rate limit refused, with the rule and the wait', async () => {
      const policy = new RecordingPolicy([allowAll({ id: 'one-an-hour', maxRequestsPerHour: 1 })]);
      const { client, sink } = audited({ policy });
      await client.get(NAME);
      const error = await rejection(client.get(NAME));
      expect(error).toBeInstanceOf(ThrottledError);
      expect(sink.entries[1]).toMatchObject({
        event_type: 'rate_limited',
        success: false,
        reason: 'THROTTLED',
        details: { limited_by: 'policy', rule: 'one-an-hour', retry_after_ms: 3_600_000 },
      });
    });

    it('records a getMany’s denied ids as denials and the rest as reads', async () => {
      const policy = new RecordingPolicy([allowAll({ secrets: ['prod/billing/a'] })]);
      const { client, sink } = audited({ policy });
      sm.on(BatchGetSecretValueCommand).resolves({ SecretValues: [answer('prod/billing/a')] });
      await client.getMany(['prod/billing/a', 'prod/billing/b']);
      expect(sink.entries.map((entry) => [entry.secret_name, entry.event_type])).toEqual([
        ['prod/billing/a', 'secret_access'],
        ['prod/billing/b', 'access_denied'],
      ]);
    });

    it('records a prefetch once, and each id it refused as a denial', async () => {
      const policy = new RecordingPolicy([allowAll({ secrets: ['prod/billing/a'] })]);
      const { client, sink } = audited({ policy });
      sm.on(BatchGetSecretValueCommand).resolves({ SecretValues: [answer('prod/billing/a')] });
      await client.prefetch(['prod/billing/a', 'prod/billing/b']);
      expect(sink.entries.map((entry) => [entry.action, entry.secret_name, entry.event_type])).toEqual([
        ['prefetch', null, 'secret_access'],
        ['prefetch', 'prod/billing/b', 'access_denied'],
      ]);
      expect(sink.entries[0]!.details).toEqual({ secret_count: 2 });
    });
  });

  describe('listings', () => {
    it('records a list as secret_metadata about no one secret', async () => {
      const { client, sink } = audited();
      sm.on(ListSecretsCommand).resolves({ SecretList: [], ...meta });
      for await (const item of client.list()) void item;
      expect(sink.entries).toEqual([
        expect.objectContaining({
          action: 'list',
          event_type: 'secret_metadata',
          secret_name: null,
          success: true,
        }),
      ]);
    });
  });

  describe('fail-open (the default)', () => {
    it('hands events over without waiting for them', async () => {
      const { client, sink } = audited();
      await client.get(NAME);
      expect(sink.acknowledged).toEqual([false]);
    });

    it('answers reads while the sink fails, and logs it once per run of failures', async () => {
      const logs: string[] = [];
      const logger = {
        debug: () => undefined,
        info: () => undefined,
        warn: (m: string) => void logs.push(m),
        error: () => undefined,
      };
      const failing: AuditSink = {
        record: () => {
          throw new Error('sink down');
        },
      };
      const { client } = governedClient({ audit: failing, logger });
      sm.on(GetSecretValueCommand).resolves(answer());
      for (let i = 0; i < 3; i++) await expect(client.get(NAME)).resolves.toBe('the value');
      expect(logs.filter((message) => message === 'audit event dropped')).toHaveLength(1);
    });

    it('answers reads while the sink never settles', async () => {
      const stuck: AuditSink = { record: () => new Promise<void>(() => undefined) };
      const { client } = governedClient({ audit: stuck });
      sm.on(GetSecretValueCommand).resolves(answer());
      await expect(client.get(NAME)).resolves.toBe('the value');
    });
  });

  describe('fail-closed', () => {
    it('returns the value only once the sink has accepted its event', async () => {
      let accept: () => void = () => undefined;
      const held: AuditSink = { record: () => new Promise<void>((resolve) => (accept = resolve)) };
      const { client } = governedClient({ audit: held, auditFailClosed: true });
      sm.on(GetSecretValueCommand).resolves(answer());
      let answered = false;
      const read = client.get(NAME).then(() => (answered = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(answered).toBe(false);
      accept();
      await read;
      expect(answered).toBe(true);
    });

    it('fails the read with AUDIT_UNAVAILABLE, and no value, when the sink refuses the event', async () => {
      const refusing: AuditSink = { record: () => Promise.reject(new Error('sink down')) };
      const { client } = governedClient({ audit: refusing, auditFailClosed: true });
      sm.on(GetSecretValueCommand).resolves(answer());
      const outcome = await client.get(NAME).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      expect(outcome).not.toHaveProperty('value');
      const { error } = outcome as { error: AuditUnavailableError };
      expect(error).toBeInstanceOf(AuditUnavailableError);
      expect(error).toMatchObject({ code: 'AUDIT_UNAVAILABLE', retryable: true, secretId: NAME });
      expect(error.message).not.toContain('the value');
    });

    it('says a change was made when only its event failed', async () => {
      const refusing: AuditSink = { record: () => Promise.reject(new Error('sink down')) };
      const { client } = governedClient({ audit: refusing, auditFailClosed: true });
      sm.on(PutSecretValueCommand).resolves({
        ARN: arnOf(NAME),
        Name: NAME,
        VersionId: version('v2'),
        ...meta,
      });
      sm.on(DescribeSecretCommand).resolves({ ARN: arnOf(NAME), Name: NAME, ...meta });
      const error = await rejection(client.put(NAME, 'next'));
      expect(error).toBeInstanceOf(AuditUnavailableError);
      expect(error.message).toMatch(/was done/);
    });

    it('keeps the original error of a failed call when its event fails too', async () => {
      const refusing: AuditSink = { record: () => Promise.reject(new Error('sink down')) };
      const { client } = governedClient({ audit: refusing, auditFailClosed: true });
      sm.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'nope', ...meta }));
      await expect(client.get(NAME)).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND' });
    });
  });
});
