import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsClient } from '../../../../lib';
import type { AuditEntry } from '../../../../lib/audit/audit-event';
import type { Principal } from '../../../../lib/client/access';
import { AccessPolicy } from '../../../../lib/policy';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';

// getAll through the real SDK against the local endpoint: the names from a listing, then
// their values 20 per BatchGetSecretValue, each authorized as a read before it is fetched.
let local: LocalFixture;
let n = 0;
const freshEnvironment = () => `all${++n}`;

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

const seeder = () => new SecretsClient({ secretsManager: local.sm(), kms: local.kms() });

async function seed(environment: string, service: string, count: number): Promise<void> {
  const secrets = seeder();
  for (let i = 0; i < count; i++) {
    await secrets.create({ name: `s${i}`, kind: 'generic', environment, service, value: `${service}-${i}` });
  }
}

beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.endpoint.close());

describe('SecretsClient.getAll', () => {
  it('reads every secret of the scope, keyed by full name, 20 per BatchGetSecretValue', async () => {
    const e = freshEnvironment();
    await seed(e, 'billing', 25);
    await seed(e, 'web', 2);
    const { sm, sent } = recordingSm();
    const secrets = new SecretsClient({ secretsManager: sm, environment: e, service: 'billing' });
    const { values, errors } = await secrets.getAll();
    expect(errors.size).toBe(0);
    expect(values.size).toBe(25);
    expect(values.get(`${e}/billing/s7`)).toMatchObject({ name: `${e}/billing/s7`, value: 'billing-7' });
    const batches = sent.filter((s) => s.command === 'BatchGetSecretValueCommand');
    expect(batches.map((b) => (b.input.SecretIdList as string[]).length)).toEqual([20, 5]);
  });

  it('leaves what it read in the cache: a get that follows makes no call', async () => {
    const e = freshEnvironment();
    await seed(e, 'billing', 3);
    const { sm, sent } = recordingSm();
    const secrets = new SecretsClient({ secretsManager: sm, environment: e, service: 'billing' });
    await secrets.getAll();
    const before = sent.length;
    expect(await secrets.get('s1')).toBe('billing-1');
    expect(sent.length).toBe(before);
  });

  it('takes filters of its own over the scope', async () => {
    const e = freshEnvironment();
    await seed(e, 'billing', 1);
    await seed(e, 'web', 2);
    const secrets = new SecretsClient({ secretsManager: local.sm(), environment: e, service: 'billing' });
    expect([...(await secrets.getAll({ service: 'web' })).values.keys()].sort()).toEqual([
      `${e}/web/s0`,
      `${e}/web/s1`,
    ]);
    const whole = await secrets.getAll({ scoped: false, prefix: `${e}/` });
    expect(whole.values.size).toBe(3);
  });

  it('with only an environment reads every service of it', async () => {
    const e = freshEnvironment();
    await seed(e, 'billing', 1);
    await seed(e, 'web', 1);
    const secrets = new SecretsClient({ secretsManager: local.sm(), environment: e, service: null });
    expect((await secrets.getAll()).values.size).toBe(2);
  });

  it('refuses to read the whole account unless asked with scoped: false, before any I/O', async () => {
    const { sm, sent } = recordingSm();
    const secrets = new SecretsClient({ secretsManager: sm, environment: null, service: null });
    await expect(secrets.getAll()).rejects.toMatchObject({ code: 'VALIDATION_ERROR', field: 'scoped' });
    expect(sent).toEqual([]);
  });

  it('refuses an option it does not know', async () => {
    const secrets = new SecretsClient({ secretsManager: local.sm(), environment: 'prod' });
    await expect(
      secrets.getAll({ includeScheduledForDeletion: true } as unknown as Parameters<
        SecretsClient['getAll']
      >[0]),
    ).rejects.toMatchObject({ field: 'includeScheduledForDeletion' });
  });

  it('reports a secret the policy refuses to read as an error and never fetches its value', async () => {
    const e = freshEnvironment();
    await seed(e, 'billing', 3);
    const principal: Principal = { id: 'alice', service: 'billing', environment: e, roles: ['developer'] };
    const policy = new AccessPolicy({
      rules: [
        { id: 'list-billing', effect: 'allow', secrets: [`${e}/billing/*`], operations: ['list', 'read'] },
        { id: 'not-s1', effect: 'deny', secrets: [`${e}/billing/s1`], operations: ['read'] },
      ],
    });
    const events: AuditEntry[] = [];
    const { sm, sent } = recordingSm();
    const secrets = new SecretsClient({
      secretsManager: sm,
      environment: e,
      service: 'billing',
      policy,
      principal,
      audit: { record: (event) => void events.push(event) },
    });
    const { values, errors } = await secrets.getAll();
    expect([...values.keys()].sort()).toEqual([`${e}/billing/s0`, `${e}/billing/s2`]);
    expect(errors.get(`${e}/billing/s1`)).toMatchObject({ code: 'PERMISSION_DENIED', rule: 'not-s1' });
    const fetched = sent
      .filter((s) => s.command === 'BatchGetSecretValueCommand')
      .flatMap((s) => s.input.SecretIdList as string[]);
    expect(fetched).not.toContain(`${e}/billing/s1`);
    // One listing event, then one event per secret: two reads and the denial.
    const reads = events.filter((event) => event.action === 'getAll');
    expect(reads.map((event) => [event.secret_name, event.event_type]).sort()).toEqual([
      [`${e}/billing/s0`, 'secret_access'],
      [`${e}/billing/s1`, 'access_denied'],
      [`${e}/billing/s2`, 'secret_access'],
    ]);
    expect(events.filter((event) => event.action === 'list')).toHaveLength(1);
  });

  it('leaves out the names the policy does not let the caller list', async () => {
    const e = freshEnvironment();
    await seed(e, 'billing', 2);
    const policy = new AccessPolicy({
      rules: [
        { id: 'read', effect: 'allow', secrets: [`${e}/billing/*`], operations: ['read'] },
        { id: 'list-s0', effect: 'allow', secrets: [`${e}/billing/s0`], operations: ['list'] },
      ],
    });
    const secrets = new SecretsClient({
      secretsManager: local.sm(),
      environment: e,
      service: 'billing',
      policy,
      principal: { id: 'bob', service: 'billing', environment: e, roles: ['developer'] },
    });
    const { values, errors } = await secrets.getAll();
    expect([...values.keys()]).toEqual([`${e}/billing/s0`]);
    expect(errors.size).toBe(0);
  });

  it('answers an empty scope with nothing, making no batch call', async () => {
    const { sm, sent } = recordingSm();
    const secrets = new SecretsClient({
      secretsManager: sm,
      environment: freshEnvironment(),
      service: 'none',
    });
    const { values, errors } = await secrets.getAll();
    expect(values.size + errors.size).toBe(0);
    expect(sent.map((s) => s.command)).toEqual(['ListSecretsCommand']);
  });
});
