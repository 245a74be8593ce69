import fc from 'fast-check';
import type { AccessDecision, AccessRequest, Principal } from '../../../../lib/client/access';
import type { AnyOperation } from '../../../../lib/client/operation';
import { deleteSecret } from '../../../../lib/client/operations/delete';
import { get } from '../../../../lib/client/operations/read';
import { PolicyAuthorizer } from '../../../../lib/client/pipeline';
import { AccessPolicy, type PolicyRule } from '../../../../lib/policy';

const GET = get as unknown as AnyOperation;
const DELETE = deleteSecret as unknown as AnyOperation;
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:';

const RULES: PolicyRule[] = [
  {
    id: 'billing-reads',
    effect: 'allow',
    services: ['billing'],
    secrets: ['prod/billing/**'],
    operations: ['read'],
  },
  { id: 'admins', effect: 'allow', roles: ['admin'], secrets: ['**'], operations: ['read', 'delete'] },
  {
    id: 'office',
    effect: 'allow',
    secrets: ['prod/office/*'],
    operations: ['read'],
    sourceCidrs: ['10.0.0.0/8'],
  },
  {
    id: 'staging-only',
    effect: 'deny',
    environments: ['prod'],
    secrets: ['staging/**'],
    operations: ['read'],
  },
  { id: 'no-backup', effect: 'deny', secrets: ['prod/billing/db-backup'], operations: ['read'] },
];

function principal(overrides: Partial<Principal> = {}): Principal {
  return { id: 'ana', service: 'billing', environment: 'prod', roles: [], ...overrides };
}

/** What the policy itself says, asked directly, for comparison. */
function direct(policy: AccessPolicy, who: Principal, operation: AnyOperation, id: string): AccessDecision {
  return new PolicyAuthorizer({ evaluate: (request) => policy.evaluate(request) }).decide(who, operation, id);
}

describe('PolicyAuthorizer over an AccessPolicy (known decisions)', () => {
  it('decides as the policy does, whatever the order of principals, operations and secrets', () => {
    const policy = new AccessPolicy({ rules: RULES });
    const authorizer = new PolicyAuthorizer(policy);
    const who = fc.record({
      service: fc.constantFrom('billing', 'web'),
      environment: fc.constantFrom('prod', 'staging'),
      roles: fc.constantFrom([], ['admin'], ['admin', 'dev'], ['dev', 'admin']),
      sourceIp: fc.constantFrom(undefined, '10.1.2.3', '192.0.2.1'),
    });
    const id = fc.constantFrom(
      'prod/billing/db',
      'prod/billing/db-backup',
      'prod/office/wifi',
      'staging/app',
      `${ARN}prod/billing/db-backup`,
      `${ARN}prod/billing/db-AbCdEf`,
    );
    const calls = fc.array(fc.tuple(who, fc.constantFrom(GET, DELETE), id), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(calls, (list) => {
        for (const [attributes, operation, secret] of list) {
          const caller = principal(attributes as Partial<Principal>);
          expect(authorizer.decide(caller, operation, secret)).toEqual(
            direct(policy, caller, operation, secret),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('asks the policy once for a request it has decided before', () => {
    const policy = new AccessPolicy({ rules: RULES });
    const evaluate = jest.spyOn(policy, 'evaluate');
    const authorizer = new PolicyAuthorizer(policy);
    for (let i = 0; i < 5; i++) authorizer.decide(principal(), GET, 'prod/billing/db');
    for (let i = 0; i < 5; i++) authorizer.decide(principal(), GET, 'prod/elsewhere');
    expect(evaluate).toHaveBeenCalledTimes(2);
  });

  it('decides a principal changed in place for what it is now', () => {
    const authorizer = new PolicyAuthorizer(new AccessPolicy({ rules: RULES }));
    const roles: string[] = [];
    const caller = { id: 'ana', service: 'web', environment: 'prod', roles, sourceIp: '192.0.2.1' };
    expect(authorizer.decide(caller, DELETE, 'prod/app').allowed).toBe(false);
    roles.push('admin');
    expect(authorizer.decide(caller, DELETE, 'prod/app')).toMatchObject({ allowed: true, rule: 'admins' });
    roles.pop();
    caller.sourceIp = '10.9.9.9';
    expect(authorizer.decide(caller, GET, 'prod/office/wifi')).toMatchObject({
      allowed: true,
      rule: 'office',
    });
    caller.service = 'billing';
    caller.environment = 'staging';
    expect(authorizer.decide(caller, GET, 'prod/billing/db').rule).toBe('billing-reads');
  });

  it('still decides right after more secrets than it keeps', () => {
    const policy = new AccessPolicy({ rules: RULES });
    const authorizer = new PolicyAuthorizer(policy);
    for (let i = 0; i < 3000; i++) {
      const id = i % 2 === 0 ? `prod/billing/s${i}` : `prod/other/s${i}`;
      expect(authorizer.decide(principal(), GET, id).allowed).toBe(i % 2 === 0);
    }
    expect(authorizer.decide(principal(), GET, 'prod/other/s1')).toEqual(
      direct(policy, principal(), GET, 'prod/other/s1'),
    );
  });

  it('hands out decisions that cannot be changed', () => {
    const authorizer = new PolicyAuthorizer(new AccessPolicy({ rules: RULES }));
    const denied = authorizer.decide(principal(), GET, 'prod/elsewhere');
    expect(Object.isFrozen(denied)).toBe(true);
    expect(authorizer.decide(principal(), GET, 'prod/elsewhere')).toBe(denied);
  });

  it('asks an evaluator of the caller’s own on every call: its rules may change', () => {
    const requests: AccessRequest[] = [];
    const authorizer = new PolicyAuthorizer({
      evaluate: (request) => (
        requests.push(request),
        { allowed: requests.length === 1, rule: undefined, reason: 'x' }
      ),
    });
    expect(authorizer.decide(principal(), GET, 'prod/billing/db').allowed).toBe(true);
    expect(authorizer.decide(principal(), GET, 'prod/billing/db').allowed).toBe(false);
    expect(requests).toHaveLength(2);
  });

  it('asks a subclass of AccessPolicy on every call: its evaluate may be anything', () => {
    let calls = 0;
    class Counted extends AccessPolicy {
      override evaluate(request: AccessRequest): AccessDecision {
        calls++;
        return super.evaluate(request);
      }
    }
    const authorizer = new PolicyAuthorizer(new Counted({ rules: RULES }));
    for (let i = 0; i < 3; i++) authorizer.decide(principal(), GET, 'prod/billing/db');
    expect(calls).toBe(3);
  });
});
