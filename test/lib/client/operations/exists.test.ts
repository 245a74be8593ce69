import { SecretsManagerServiceException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AuditEntry } from '../../../../lib/audit/audit-event';
import { SecretsClient, type AccessEvaluator } from '../../../../lib/client';
import { PermissionDeniedError, ThrottledError, ValidationError } from '../../../../lib/errors';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';

let local: LocalFixture;

beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.endpoint.close());

/** Records the commands a client sends, and fails them with `fail` when it is set. */
function intercepted(sm: SecretsManagerClient) {
  const commands: string[] = [];
  const state: { fail?: Error } = {};
  (sm.middlewareStack as { add: (mw: unknown, opts: unknown) => void }).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: unknown) => {
        commands.push(context.commandName ?? 'unknown');
        if (state.fail !== undefined) throw state.fail;
        return next(args);
      },
    { step: 'initialize', name: 'intercept' },
  );
  return { commands, state };
}

function client(policy?: AccessEvaluator) {
  const sm = local.sm();
  const events: AuditEntry[] = [];
  const { commands, state } = intercepted(sm);
  const secrets = new SecretsClient({
    secretsManager: sm,
    audit: { record: (event) => void events.push(event) },
    ...(policy === undefined
      ? {}
      : { policy, principal: { id: 'ana', roles: [], service: 'billing', environment: 'prod' } }),
  });
  return { secrets, commands, state, events };
}

const serviceError = (name: string, status: number) =>
  new SecretsManagerServiceException({
    name,
    $fault: 'client',
    message: `${name} here`,
    $metadata: { httpStatusCode: status },
  });

describe('SecretsClient.exists', () => {
  it('is true for a secret that exists, from DescribeSecret alone (the value is not read)', async () => {
    const { secrets, commands } = client();
    await secrets.create({ name: 'present', kind: 'generic', environment: 'prod', service: 'exists' });
    commands.length = 0;
    expect(await secrets.exists('prod/exists/present')).toBe(true);
    expect(commands).toEqual(['DescribeSecretCommand']);
  });

  it('is false for a secret that does not exist', async () => {
    const { secrets } = client();
    expect(await secrets.exists('prod/exists/absent')).toBe(false);
  });

  it('is false for a secret scheduled for deletion, unless includeScheduledForDeletion', async () => {
    const { secrets } = client();
    const { name } = await secrets.create({
      name: 'leaving',
      kind: 'generic',
      environment: 'prod',
      service: 'exists',
    });
    await secrets.delete(name, { recoveryWindowDays: 7 });
    expect(await secrets.exists(name)).toBe(false);
    expect(await secrets.exists(name, { includeScheduledForDeletion: true })).toBe(true);
  });

  it('throws a refusal by the service instead of answering false', async () => {
    const { secrets, state } = client();
    state.fail = serviceError('AccessDeniedException', 400);
    await expect(secrets.exists('prod/exists/hidden')).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it('throws a throttle instead of answering false', async () => {
    const { secrets, state } = client();
    state.fail = serviceError('ThrottlingException', 400);
    await expect(secrets.exists('prod/exists/busy')).rejects.toBeInstanceOf(ThrottledError);
  });

  it('is asked of the access policy as a list, and a refusal throws before any call', async () => {
    const asked: string[] = [];
    const policy: AccessEvaluator = {
      evaluate: (request) => {
        asked.push(request.operation);
        return { allowed: false, rule: undefined, reason: 'no rule allows it' };
      },
    };
    const { secrets, commands } = client(policy);
    await expect(secrets.exists('prod/exists/present')).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(asked).toEqual(['list']);
    expect(commands).toEqual([]);
  });

  it('is audited as metadata, with the answer', async () => {
    const { secrets, events } = client();
    await secrets.exists('prod/exists/absent');
    expect(events).toEqual([
      expect.objectContaining({
        action: 'exists',
        event_type: 'secret_metadata',
        secret_name: 'prod/exists/absent',
        success: true,
        details: { exists: false },
      }),
    ]);
  });

  it.each([
    ['id', (s: SecretsClient) => s.exists('')],
    [
      'includeScheduledForDeletion',
      (s: SecretsClient) => s.exists('a', { includeScheduledForDeletion: 'yes' as never }),
    ],
    ['recoveryWindowDays', (s: SecretsClient) => s.exists('a', { recoveryWindowDays: 7 } as never)],
  ])('refuses a bad %s before any call', async (field, call) => {
    const { secrets, commands } = client();
    const error = await call(secrets).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect(commands).toEqual([]);
  });
});
