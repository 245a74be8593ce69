import {
  POLICY_OPERATIONS,
  rbacPolicy,
  rbacRules,
  type PolicyOperation,
  type Principal,
} from '../../../lib/policy';
import { ValidationError } from '../../../lib/errors';

/**
 * The product's role table, spelled out independently of the implementation: for each
 * role, the environments each operation is allowed in (view = read + list, edit = create +
 * update + rotate, delete = delete + revoke, manage = manage).
 */
const ALL = ['dev', 'staging', 'prod'];
const EXPECTED: Record<string, Record<PolicyOperation, readonly string[]>> = {
  developer: {
    read: ['dev'],
    list: ['dev'],
    create: ['dev'],
    update: ['dev'],
    rotate: ['dev'],
    delete: [],
    revoke: [],
    manage: [],
  },
  'team-lead': {
    read: ['dev', 'staging'],
    list: ['dev', 'staging'],
    create: ['dev', 'staging'],
    update: ['dev', 'staging'],
    rotate: ['dev', 'staging'],
    delete: ['dev'],
    revoke: ['dev'],
    manage: [],
  },
  devops: {
    read: ALL,
    list: ALL,
    create: ALL,
    update: ALL,
    rotate: ALL,
    delete: ['dev', 'staging'],
    revoke: ['dev', 'staging'],
    manage: ALL,
  },
  admin: {
    read: ALL,
    list: ALL,
    create: ALL,
    update: ALL,
    rotate: ALL,
    delete: ALL,
    revoke: ALL,
    manage: ALL,
  },
};

const cases = Object.entries(EXPECTED).flatMap(([role, operations]) =>
  ALL.flatMap((environment) =>
    POLICY_OPERATIONS.map(
      (operation) => [role, operation, environment, operations[operation].includes(environment)] as const,
    ),
  ),
);
const someone = (roles: readonly string[]): Principal => ({
  id: 'p',
  service: 'web',
  environment: 'dev',
  roles,
});

describe('rbacPolicy', () => {
  const policy = rbacPolicy();

  it.each(cases)('%s may %s in %s: %s', (role, operation, environment, allowed) => {
    expect(
      policy.evaluate({ principal: someone([role]), operation, secret: `${environment}/web/api-key` })
        .allowed,
    ).toBe(allowed);
  });

  it('denies a principal with no role, and one with a role it does not know', () => {
    for (const roles of [[], ['intern']]) {
      expect(
        policy.evaluate({ principal: someone(roles), operation: 'read', secret: 'dev/web/api-key' }),
      ).toMatchObject({
        allowed: false,
        rule: undefined,
      });
    }
  });

  it('names the deciding row of the table', () => {
    expect(
      policy.evaluate({ principal: someone(['team-lead']), operation: 'delete', secret: 'dev/web/api-key' }),
    ).toEqual({
      allowed: true,
      rule: 'team-lead-delete',
      reason: 'allowed by rule team-lead-delete',
    });
  });

  it('gives a principal holding two roles the union of both', () => {
    const both = someone(['developer', 'devops']);
    expect(
      policy.evaluate({ principal: both, operation: 'manage', secret: 'prod/web/api-key' }).allowed,
    ).toBe(true);
    expect(
      policy.evaluate({ principal: both, operation: 'delete', secret: 'prod/web/api-key' }).allowed,
    ).toBe(false);
  });

  it('covers only the environments it is told of (a name outside them is denied to admins too)', () => {
    expect(
      policy.evaluate({ principal: someone(['admin']), operation: 'read', secret: 'qa/web/api-key' }).allowed,
    ).toBe(false);
  });

  it('takes the environments as name prefixes, one or several', () => {
    const custom = rbacPolicy({
      environments: { development: ['development', 'sandbox'], production: 'production' },
    });
    const developer = someone(['developer']);
    expect(
      custom.evaluate({ principal: developer, operation: 'update', secret: 'sandbox/web/key' }).allowed,
    ).toBe(true);
    expect(
      custom.evaluate({ principal: developer, operation: 'update', secret: 'dev/web/key' }).allowed,
    ).toBe(false);
    expect(
      custom.evaluate({ principal: someone(['admin']), operation: 'delete', secret: 'production/web/key' })
        .allowed,
    ).toBe(true);
  });

  it('takes the role names principals carry', () => {
    const custom = rbacPolicy({ roles: { teamLead: 'lead' } });
    expect(
      custom.evaluate({ principal: someone(['lead']), operation: 'read', secret: 'staging/web/key' }).allowed,
    ).toBe(true);
    expect(
      custom.evaluate({ principal: someone(['team-lead']), operation: 'read', secret: 'staging/web/key' })
        .allowed,
    ).toBe(false);
  });

  it('puts a limit and an address block on every rule when asked', () => {
    const rules = rbacRules({ maxRequestsPerHour: 100, sourceCidrs: ['10.0.0.0/8'] });
    expect(
      rules.every((rule) => rule.maxRequestsPerHour === 100 && rule.sourceCidrs?.[0] === '10.0.0.0/8'),
    ).toBe(true);
    const limited = rbacPolicy({ maxRequestsPerHour: 100 });
    expect(
      limited.evaluate({ principal: someone(['developer']), operation: 'read', secret: 'dev/web/key' })
        .maxRequestsPerHour,
    ).toBe(100);
  });

  it('refuses an environment with no prefix', () => {
    expect(() => rbacPolicy({ environments: { staging: [] } })).toThrow(ValidationError);
    expect(() => rbacPolicy({ environments: { staging: [] } })).toThrow(/environments\.staging/);
  });
});
