import { inspect } from 'node:util';
import type { Principal } from '../../../../lib/client/access';
import { create } from '../../../../lib/client/operations/create';
import { put } from '../../../../lib/client/operations/put';
import { accessDecision } from '../../../../lib/client/secrets-client';
import { PermissionDeniedError } from '../../../../lib/errors';
import { AccessPolicy, type PolicyRule } from '../../../../lib/policy';
import { copyEnvironment } from '../../../../lib/transfer';
import { PLANTED, copyFixture, recordedClient, stateOf, type CopyFixture } from './copy-fixture';

const CI: Principal = Object.freeze({
  id: 'ci',
  service: 'deploy',
  environment: 'ci',
  roles: Object.freeze(['devops']),
});

const READ_PROD: PolicyRule = {
  id: 'read-prod',
  effect: 'allow',
  secrets: ['prod/**'],
  operations: ['read', 'list'],
};
const WRITE_STAGING: PolicyRule = {
  id: 'write-staging',
  effect: 'allow',
  secrets: ['staging/**'],
  operations: ['read', 'list', 'create', 'update', 'manage'],
};
const NO_PAYMENTS: PolicyRule = {
  id: 'no-payments',
  effect: 'deny',
  secrets: ['staging/payments/**'],
  operations: ['create', 'update', 'manage'],
  description: 'payments secrets in staging are managed by the payments team',
};

let fixture: CopyFixture;

beforeEach(async () => {
  fixture = await copyFixture();
  await fixture.admin.create({
    environment: 'prod',
    service: 'app',
    name: 'a',
    kind: 'generic',
    value: PLANTED,
  });
  await fixture.admin.create({
    environment: 'prod',
    service: 'payments',
    name: 'key',
    kind: 'generic',
    value: PLANTED,
  });
});
afterEach(() => fixture.close());

function governed(rules: readonly PolicyRule[], principal: Principal | undefined = CI) {
  return recordedClient(fixture.local, {
    policy: new AccessPolicy({ rules }),
    ...(principal === undefined ? {} : { principal }),
  });
}

describe('copyEnvironment under an access policy', () => {
  it('stops before its first write when the policy refuses one, and the denial is audited', async () => {
    const { client, recorder, events } = governed([READ_PROD, WRITE_STAGING, NO_PAYMENTS]);

    const error = await copyEnvironment(client, { from: 'prod', to: 'staging' }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).toMatchObject({
      code: 'PERMISSION_DENIED',
      rule: 'no-payments',
      secretId: 'staging/payments/key',
    });
    expect((error as Error).message).toMatch(
      /^The access policy denies create of "staging\/payments\/key" \(rule "no-payments"\).*copyEnvironment wrote nothing: the access policy refuses writes to 1 of the 2 secrets it would write/,
    );
    // The allowed copy of app/a was not made either: nothing is half-done.
    expect(recorder.writeCommands()).toEqual([]);
    expect(await stateOf(fixture.raw, 'staging/')).toEqual([]);
    const denials = events.filter((event) => event.event_type === 'access_denied');
    expect(denials).toEqual([
      expect.objectContaining({
        action: 'create',
        secret_name: 'staging/payments/key',
        user_id: 'ci',
        success: false,
      }),
    ]);
    const shown = [
      JSON.stringify(error),
      inspect(error, { depth: Infinity, showHidden: true }),
      JSON.stringify(events),
    ].join('\n');
    expect(shown).not.toContain(PLANTED);
  });

  it('reports each refusal in a dry run, without writing or throwing', async () => {
    const { client, recorder } = governed([READ_PROD, WRITE_STAGING, NO_PAYMENTS]);

    const plan = await copyEnvironment(client, { from: 'prod', to: 'staging', dryRun: true });

    expect(plan.entries).toEqual([
      expect.objectContaining({ source: 'prod/app/a', action: 'create', denied: undefined }),
      expect.objectContaining({
        source: 'prod/payments/key',
        action: 'create',
        denied: { rule: 'no-payments', reason: expect.stringContaining('no-payments') },
      }),
    ]);
    expect(recorder.writeCommands()).toEqual([]);
  });

  it('copies when the policy allows every write, for the principal passed with the call', async () => {
    const { client, recorder } = governed([READ_PROD, WRITE_STAGING], undefined);

    const result = await copyEnvironment(client, { from: 'prod', to: 'staging', principal: CI });

    expect(result.counts).toEqual({ create: 2, update: 0, skip: 0 });
    expect(recorder.writeCommands()).toEqual(['CreateSecret', 'CreateSecret']);
  });

  it('fails at its first read when the policy refuses reads of the target, having written nothing', async () => {
    const readsOnlyProd: PolicyRule = { ...WRITE_STAGING, operations: ['create', 'update', 'manage'] };
    const { client, recorder } = governed([READ_PROD, readsOnlyProd]);

    await expect(copyEnvironment(client, { from: 'prod', to: 'staging' })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      secretId: 'staging/app/a',
    });
    expect(recorder.writeCommands()).toEqual([]);
  });
});

describe('accessDecision', () => {
  it('is undefined for a client without a policy', () => {
    const { client } = recordedClient(fixture.local);
    expect(accessDecision(client, create, 'staging/app/a')).toBeUndefined();
  });

  it("refuses without a principal, and decides as the policy does for the call's or the client's", () => {
    const policy = new AccessPolicy({ rules: [READ_PROD, WRITE_STAGING, NO_PAYMENTS] });
    const { client: anonymous } = recordedClient(fixture.local, { policy });
    const { client } = recordedClient(fixture.local, { policy, principal: CI });

    expect(accessDecision(anonymous, create, 'staging/app/a')).toMatchObject({
      allowed: false,
      rule: undefined,
    });
    expect(accessDecision(anonymous, create, 'staging/app/a', { principal: CI })).toEqual(
      policy.evaluate({ principal: CI, operation: 'create', secret: 'staging/app/a' }),
    );
    expect(accessDecision(client, put, 'staging/payments/key')).toEqual(
      policy.evaluate({ principal: CI, operation: 'update', secret: 'staging/payments/key' }),
    );
    expect(accessDecision(client, put, 'staging/payments/key')).toMatchObject({
      allowed: false,
      rule: 'no-payments',
    });
  });

  it('makes no call and records nothing', () => {
    const { client, recorder, events } = recordedClient(fixture.local, {
      policy: new AccessPolicy({ rules: [NO_PAYMENTS] }),
      principal: CI,
    });
    accessDecision(client, create, 'staging/payments/key');
    expect(recorder.commands).toEqual([]);
    expect(events).toEqual([]);
  });
});
