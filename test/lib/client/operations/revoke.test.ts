import {
  CancelRotateSecretCommand,
  DeleteResourcePolicyCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  RotateSecretCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import {
  accessDenied,
  arnOf,
  clientFixture,
  rejection,
  sm,
  type ClientFixture,
} from '../../../support/client-fixture';

const NAME = 'prod/app/key';
const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:rotate';
const OWNER_STATEMENT = {
  Sid: 'AllowApp',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::123456789012:role/app' },
  Action: 'secretsmanager:GetSecretValue',
  Resource: '*',
};

/** A tiny stand-in for the secret's policy, tags and rotation, kept by the mocked calls. */
function statefulSecret(f: ClientFixture, initial: { policy?: object; rotation?: boolean }) {
  const state = {
    policy: initial.policy === undefined ? undefined : JSON.stringify(initial.policy),
    tags: {} as Record<string, string>,
    rotationEnabled: initial.rotation ?? false,
  };
  sm.on(GetResourcePolicyCommand).callsFake(() => ({ Name: NAME, ResourcePolicy: state.policy }));
  sm.on(PutResourcePolicyCommand).callsFake((input: { ResourcePolicy: string }) => {
    state.policy = input.ResourcePolicy;
    return {};
  });
  sm.on(DeleteResourcePolicyCommand).callsFake(() => {
    state.policy = undefined;
    return {};
  });
  sm.on(DescribeSecretCommand).callsFake(() => ({
    ARN: arnOf(NAME),
    Name: NAME,
    RotationEnabled: state.rotationEnabled,
    RotationLambdaARN: LAMBDA,
    RotationRules: { ScheduleExpression: 'rate(30 days)' },
    Tags: Object.entries(state.tags).map(([Key, Value]) => ({ Key, Value })),
  }));
  sm.on(TagResourceCommand).callsFake((input: { Tags: Tag[] }) => {
    for (const t of input.Tags) state.tags[t.Key!] = t.Value!;
    return {};
  });
  sm.on(UntagResourceCommand).callsFake((input: { TagKeys: string[] }) => {
    for (const key of input.TagKeys) delete state.tags[key];
    return {};
  });
  sm.on(CancelRotateSecretCommand).callsFake(() => {
    state.rotationEnabled = false;
    return {};
  });
  sm.on(RotateSecretCommand).callsFake(() => {
    state.rotationEnabled = true;
    return {};
  });
  void f;
  return state;
}

const statements = (policy: string | undefined) =>
  policy === undefined ? [] : (JSON.parse(policy) as { Statement: Array<{ Sid?: string }> }).Statement;

describe('SecretsClient.revoke and restore', () => {
  let f: ClientFixture;
  beforeEach(() => {
    f = clientFixture();
  });

  it('denies reads, tags the secret and suspends rotation', async () => {
    const state = statefulSecret(f, { rotation: true });
    const identity = await f.client.revoke(NAME, { reason: 'key leaked; see INC-42' });
    expect(identity).toEqual({ arn: arnOf(NAME), name: NAME });
    expect(statements(state.policy)).toEqual([
      {
        Sid: 'KeystageRevoked',
        Effect: 'Deny',
        Principal: '*',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: '*',
      },
    ]);
    expect(state.tags).toEqual({
      'keystage:status': 'revoked',
      'keystage:revoked-at': '2026-01-01T00:00:00.000Z',
      'keystage:revoked-reason': 'key leaked_ see INC-42',
      'keystage:rotation-suspended': 'true',
    });
    expect(state.rotationEnabled).toBe(false);
    expect(f.events[0]).toMatchObject({ action: 'revoke', reason: 'key leaked; see INC-42', success: true });
  });

  it('denies reads before anything else', async () => {
    statefulSecret(f, { rotation: true });
    await f.client.revoke(NAME, { reason: 'r' });
    const order = sm.calls().map((c) => (c.args[0] as object).constructor.name);
    expect(order.indexOf('PutResourcePolicyCommand')).toBeLessThan(
      order.indexOf('CancelRotateSecretCommand'),
    );
    expect(order.indexOf('PutResourcePolicyCommand')).toBeLessThan(order.indexOf('TagResourceCommand'));
  });

  it('is idempotent: revoking twice gives the same single deny statement', async () => {
    const state = statefulSecret(f, {
      policy: { Version: '2012-10-17', Statement: [OWNER_STATEMENT] },
      rotation: true,
    });
    await f.client.revoke(NAME, { reason: 'first' });
    await f.client.revoke(NAME, { reason: 'second' });
    expect(statements(state.policy).map((s) => s.Sid)).toEqual(['AllowApp', 'KeystageRevoked']);
    expect(state.tags['keystage:rotation-suspended']).toBe('true');
    expect(sm).toHaveReceivedCommandTimes(CancelRotateSecretCommand, 1);
  });

  it('restores the owner policy exactly, resumes rotation and marks the secret active', async () => {
    const state = statefulSecret(f, {
      policy: { Version: '2012-10-17', Statement: [OWNER_STATEMENT] },
      rotation: true,
    });
    await f.client.revoke(NAME, { reason: 'drill' });
    await f.client.restore(NAME);
    expect(JSON.parse(state.policy!)).toEqual({ Version: '2012-10-17', Statement: [OWNER_STATEMENT] });
    expect(state.tags).toEqual({ 'keystage:status': 'active' });
    expect(state.rotationEnabled).toBe(true);
    expect(sm).toHaveReceivedCommandWith(RotateSecretCommand, {
      SecretId: NAME,
      RotationLambdaARN: LAMBDA,
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediately: false,
    });
    expect(f.events.map((e) => e.action)).toEqual(['revoke', 'restore']);
  });

  it('deletes the policy on restore when revocation created it', async () => {
    const state = statefulSecret(f, {});
    await f.client.revoke(NAME, { reason: 'r' });
    await f.client.restore(NAME);
    expect(state.policy).toBeUndefined();
    expect(sm).toHaveReceivedCommandTimes(DeleteResourcePolicyCommand, 1);
    expect(sm).not.toHaveReceivedCommand(RotateSecretCommand);
  });

  it('restoring a secret that was never revoked changes no policy and no rotation', async () => {
    statefulSecret(f, { policy: { Statement: [OWNER_STATEMENT] } });
    await f.client.restore(NAME);
    expect(sm).not.toHaveReceivedCommand(PutResourcePolicyCommand);
    expect(sm).not.toHaveReceivedCommand(DeleteResourcePolicyCommand);
    expect(sm).not.toHaveReceivedCommand(RotateSecretCommand);
  });

  it('says a failed revoke is safe to repeat', async () => {
    statefulSecret(f, {});
    sm.on(TagResourceCommand).rejects(accessDenied('not allowed to tag'));
    const error = await rejection(f.client.revoke(NAME, { reason: 'r' }));
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.message).toMatch(/revoke is safe to repeat/);
  });

  it.each([[''], ['   '], ['x'.repeat(257)], [undefined]])(
    'requires a reason (%p) before any call',
    async (reason) => {
      const error = await rejection(f.client.revoke(NAME, { reason: reason as string }));
      expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'reason' });
      expect(sm).not.toHaveReceivedAnyCommand();
    },
  );
});
