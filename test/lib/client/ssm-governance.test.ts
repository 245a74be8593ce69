import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { inspect } from 'node:util';
import type { AuditEntry } from '../../../lib/audit/audit-event';
import { SecretsClient } from '../../../lib/client';
import type { Principal } from '../../../lib/client/access';
import { AccessPolicy, compileGlob } from '../../../lib/policy';
import { FakeClock } from '../../support/fake-clock';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

const PLANTED = 'planted-ssm-value-7c1e';
const ALICE: Principal = { id: 'alice', service: 'billing', environment: 'prod', roles: ['developer'] };

let local: LocalFixture;

beforeAll(async () => {
  local = await startLocal();
  const admin = local.ssm();
  for (const [Name, Value] of [
    ['/prod/billing/db_url', `${PLANTED}-db`],
    ['/prod/billing/admin_token', `${PLANTED}-admin`],
    ['/prod/billing/hidden', `${PLANTED}-hidden`],
    ['/prod/shipping/key', `${PLANTED}-shipping`],
  ] as const) {
    await admin.send(new PutParameterCommand({ Name, Value, Type: 'SecureString' }));
  }
});
afterAll(() => local.endpoint.close());

/** The parameter names a client's SSM client asked GetParameters for. */
function recorded(client: SSMClient): string[][] {
  const asked: string[][] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'GetParametersCommand')
        asked.push([...(args.input as { Names: string[] }).Names]);
      return next(args);
    },
    { step: 'initialize' },
  );
  return asked;
}

const policy = new AccessPolicy({
  rules: [
    {
      id: 'billing-params',
      effect: 'allow',
      secrets: ['ssm:/prod/billing/**'],
      operations: ['read', 'list'],
    },
    {
      id: 'no-admin-tokens',
      effect: 'deny',
      secrets: ['ssm:/prod/billing/admin_*'],
      operations: ['read'],
      description: 'admin tokens are read by operators only',
    },
    { id: 'hidden', effect: 'deny', secrets: ['ssm:/prod/billing/hidden'], operations: ['read', 'list'] },
  ],
});

function governed() {
  const events: AuditEntry[] = [];
  const ssm = local.ssm();
  const asked = recorded(ssm);
  const client = new SecretsClient({
    secretsManager: local.sm(),
    ssm,
    policy,
    principal: ALICE,
    clock: new FakeClock(),
    audit: { record: (event) => void events.push(event) },
  });
  return { client, events, asked };
}

describe('SSM reads under the access policy and the audit trail', () => {
  it('asks the policy about an ssm: id as it is: globs name parameters as ssm:/path/**', async () => {
    expect(compileGlob('ssm:/prod/billing/**')).toMatchObject({ ok: true });
    const { client } = governed();
    await expect(client.get('ssm:/prod/billing/db_url')).resolves.toBe(`${PLANTED}-db`);
    await expect(client.get('ssm:/prod/shipping/key')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(client.get('ssm:/prod/billing/admin_token')).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      rule: 'no-admin-tokens',
    });
  });

  it('does not let a Secrets Manager glob grant a parameter, nor the other way round', () => {
    const prod = new AccessPolicy({
      rules: [{ id: 'prod', effect: 'allow', secrets: ['prod/**'], operations: ['read'] }],
    });
    expect(
      prod.evaluate({ principal: ALICE, operation: 'read', secret: 'ssm:/prod/billing/db_url' }).allowed,
    ).toBe(false);
    expect(
      policy.evaluate({ principal: ALICE, operation: 'read', secret: 'prod/billing/db_url' }).allowed,
    ).toBe(false);
  });

  it('getByPath: the policy decides each id; one refused for list is left out, one refused for read is an error never fetched', async () => {
    const { client, asked } = governed();
    const { values, errors } = await client.getByPath('/prod/billing');
    expect([...values.keys()]).toEqual(['ssm:/prod/billing/db_url']);
    expect([...errors.keys()]).toEqual(['ssm:/prod/billing/admin_token']);
    expect(errors.get('ssm:/prod/billing/admin_token')).toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(asked).toEqual([['/prod/billing/db_url']]);
  });

  it('audits each read by its ssm: id and version, refusals included, and never a value', async () => {
    const { client, events } = governed();
    await client.get('ssm:/prod/billing/db_url');
    await client.get('ssm:/prod/billing/db_url');
    await client.get('ssm:/prod/billing/admin_token').catch(() => undefined);
    await client.getByPath('/prod/billing');
    expect(
      events.map((e) => [
        e.action,
        e.event_type,
        e.secret_name,
        e.success,
        e.cache_hit,
        e.version_id?.split('@')[0] ?? null,
      ]),
    ).toEqual([
      ['get', 'secret_access', 'ssm:/prod/billing/db_url', true, false, '1'],
      ['get', 'secret_access', 'ssm:/prod/billing/db_url', true, true, '1'],
      ['get', 'access_denied', 'ssm:/prod/billing/admin_token', false, false, null],
      ['listParameters', 'secret_metadata', null, true, false, null],
      ['getByPath', 'secret_access', 'ssm:/prod/billing/db_url', true, false, '1'],
      ['getByPath', 'access_denied', 'ssm:/prod/billing/admin_token', false, false, null],
    ]);
    expect(events[3]?.details).toMatchObject({ path: '/prod/billing', recursive: false });
    expect(JSON.stringify(events)).not.toContain(PLANTED);
  });

  it('shows no value in results, errors, the client or its cache when inspected or serialised', async () => {
    const { client } = governed();
    const result = await client.getByPath('/prod/billing');
    const denied = await client.get('ssm:/prod/billing/admin_token').catch((error: unknown) => error);
    const missing = await client.get('ssm:/prod/billing/none').catch((error: unknown) => error);
    for (const shown of [
      inspect(client, { depth: 8 }),
      inspect(client.cache, { depth: 8 }),
      JSON.stringify(client.cache),
      inspect(denied, { depth: 8 }),
      inspect(missing, { depth: 8 }),
      JSON.stringify(denied),
      inspect(result.errors, { depth: 8 }),
    ]) {
      expect(shown).not.toContain(PLANTED);
    }
  });
});
