import fc from 'fast-check';
import {
  AccessPolicy,
  POLICY_OPERATIONS,
  compileGlob,
  type AccessRequest,
  type PolicyOperation,
  type PolicyRule,
  type Principal,
} from '../../../lib/policy';
import { ValidationError } from '../../../lib/errors';

const billing: Principal = {
  id: 'svc-billing',
  service: 'billing',
  environment: 'staging',
  roles: ['reader'],
  sourceIp: '10.1.2.3',
};
const ask = (policy: AccessPolicy, request: Partial<AccessRequest> = {}) =>
  policy.evaluate({ principal: billing, operation: 'read', secret: 'prod/billing/db', ...request });
const allowRead: PolicyRule = {
  id: 'read',
  effect: 'allow',
  secrets: ['prod/billing/**'],
  operations: ['read'],
};

describe('AccessPolicy', () => {
  describe('evaluate', () => {
    it('denies by default, saying what was asked, by whom and where', () => {
      expect(ask(new AccessPolicy({ rules: [] }))).toEqual({
        allowed: false,
        rule: undefined,
        reason: 'no rule allows read of prod/billing/db for service billing in staging',
      });
    });

    it('allows by the first matching allow rule, naming it', () => {
      const policy = new AccessPolicy({ rules: [allowRead, { ...allowRead, id: 'second' }] });
      expect(ask(policy)).toEqual({ allowed: true, rule: 'read', reason: 'allowed by rule read' });
    });

    it('lets a deny win over an allow, whatever their order', () => {
      const deny: PolicyRule = { id: 'no-prod', effect: 'deny', secrets: ['prod/**'], operations: ['read'] };
      for (const rules of [
        [allowRead, deny],
        [deny, allowRead],
      ]) {
        expect(ask(new AccessPolicy({ rules }))).toEqual({
          allowed: false,
          rule: 'no-prod',
          reason: 'denied by rule no-prod: it denies read of prod/**',
        });
      }
    });

    it("quotes a deny rule's description as its reason", () => {
      const policy = new AccessPolicy({
        rules: [
          {
            id: 'freeze',
            effect: 'deny',
            secrets: ['**'],
            operations: ['read'],
            description: 'change freeze',
          },
        ],
      });
      expect(ask(policy).reason).toBe('denied by rule freeze: change freeze');
    });

    it("carries the deciding allow rule's maxRequestsPerHour", () => {
      const policy = new AccessPolicy({ rules: [{ ...allowRead, maxRequestsPerHour: 60 }] });
      expect(ask(policy)).toMatchObject({ allowed: true, rule: 'read', maxRequestsPerHour: 60 });
      expect(ask(new AccessPolicy({ rules: [allowRead] }))).not.toHaveProperty('maxRequestsPerHour');
    });

    it.each<[string, Partial<PolicyRule>, Partial<AccessRequest>, boolean]>([
      ['another operation', {}, { operation: 'update' }, false],
      ['a secret outside the patterns', {}, { secret: 'prod/shipping/db' }, false],
      ['a listed service', { services: ['billing', 'web'] }, {}, true],
      ['an unlisted service', { services: ['web'] }, {}, false],
      ['the request naming another service', { services: ['billing'] }, { service: 'web' }, false],
      ['a listed environment', { environments: ['staging'] }, {}, true],
      [
        'the request naming another environment',
        { environments: ['staging'] },
        { environment: 'production' },
        false,
      ],
      ['one of the roles held', { roles: ['admin', 'reader'] }, {}, true],
      ['no role held', { roles: ['admin'] }, {}, false],
      ['an address inside a block', { sourceCidrs: ['10.0.0.0/8'] }, {}, true],
      ['an address outside every block', { sourceCidrs: ['192.168.0.0/16', '2001:db8::/32'] }, {}, false],
      [
        'the request naming another address',
        { sourceCidrs: ['10.0.0.0/8'] },
        { sourceIp: '2001:db8::1' },
        false,
      ],
      ['an unparseable address', { sourceCidrs: ['10.0.0.0/8'] }, { sourceIp: 'localhost' }, false],
    ])('matches an allow rule on %s: %s', (_what, rule, request, allowed) => {
      const policy = new AccessPolicy({ rules: [{ ...allowRead, ...rule }] });
      expect(ask(policy, request).allowed).toBe(allowed);
    });

    it('does not match a source-address rule when the caller has no known address', () => {
      const anonymous: Principal = { id: 'x', service: 'billing', environment: 'staging', roles: [] };
      const allow = new AccessPolicy({ rules: [{ ...allowRead, sourceCidrs: ['0.0.0.0/0'] }] });
      const deny = new AccessPolicy({
        rules: [
          allowRead,
          {
            id: 'outside',
            effect: 'deny',
            secrets: ['**'],
            operations: ['read'],
            sourceCidrs: ['0.0.0.0/0'],
          },
        ],
      });
      expect(ask(allow, { principal: anonymous }).allowed).toBe(false);
      expect(ask(deny, { principal: anonymous }).allowed).toBe(true);
    });

    it('finds deciding rules far down a long policy (its index spans many words)', () => {
      const rules: PolicyRule[] = Array.from({ length: 100 }, (_, i) => ({
        id: `r${i}`,
        effect: i === 99 ? 'deny' : 'allow',
        secrets: [i === 70 || i === 99 ? 'prod/billing/**' : `prod/other-${i}/**`],
        operations: ['read'],
      }));
      expect(ask(new AccessPolicy({ rules: rules.slice(0, 99) })).rule).toBe('r70');
      expect(ask(new AccessPolicy({ rules })).rule).toBe('r99');
    });

    it('denies an operation that is none of the eight', () => {
      const policy = new AccessPolicy({ rules: [{ ...allowRead, operations: POLICY_OPERATIONS }] });
      expect(ask(policy, { operation: 'steal' as PolicyOperation })).toMatchObject({
        allowed: false,
        rule: undefined,
      });
    });

    it('is pure: the same request gets an equal answer, whatever was asked before', () => {
      const policy = new AccessPolicy({ rules: [{ ...allowRead, sourceCidrs: ['10.0.0.0/8'] }] });
      const first = ask(policy);
      ask(policy, { sourceIp: '192.0.2.1' });
      ask(policy, { secret: 'prod/x' });
      expect(ask(policy)).toEqual(first);
    });

    it('decides as a plain scan of every rule would, on random policies of up to 80 rules (the index loses nothing)', () => {
      const services = ['billing', 'web', 'ops'];
      const environments = ['dev', 'staging', 'prod'];
      const roles = ['developer', 'admin'];
      const patterns = [
        'prod/**',
        'prod/*',
        'dev/**',
        '**',
        '**/db',
        'staging/web/*',
        'prod/billing/db',
        'dev*/**',
      ];
      const names = ['prod/billing/db', 'prod/db', 'dev/web/api', 'staging/web/db', 'devx/a', 'db', 'prod'];
      const some = <T>(values: readonly T[]) =>
        fc.option(fc.subarray([...values], { minLength: 1 }), { nil: undefined });
      const rule = fc.record({
        effect: fc.constantFrom('allow' as const, 'deny' as const),
        secrets: fc.subarray(patterns, { minLength: 1, maxLength: 2 }),
        operations: fc.subarray([...POLICY_OPERATIONS], { minLength: 1, maxLength: 3 }),
        services: some(services),
        environments: some(environments),
        roles: some(roles),
        sourceCidrs: fc.option(fc.constantFrom(['10.0.0.0/8'], ['2001:db8::/32', '192.0.2.0/24']), {
          nil: undefined,
        }),
      });
      const request = fc.record({
        service: fc.constantFrom(...services),
        environment: fc.constantFrom(...environments),
        roles: fc.subarray(roles),
        sourceIp: fc.constantFrom('10.9.9.9', '192.0.2.5', '2001:db8::5', undefined),
        operation: fc.constantFrom(...POLICY_OPERATIONS),
        secret: fc.constantFrom(...names),
      });
      fc.assert(
        fc.property(fc.array(rule, { maxLength: 80 }), request, (drawn, r) => {
          const rules: PolicyRule[] = drawn.map((d, i) => ({
            id: `r${i}`,
            ...Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)),
          })) as PolicyRule[];
          const principal: Principal = {
            id: 'p',
            service: r.service,
            environment: r.environment,
            roles: r.roles,
            ...(r.sourceIp === undefined ? {} : { sourceIp: r.sourceIp }),
          };
          const decision = new AccessPolicy({ rules }).evaluate({
            principal,
            operation: r.operation,
            secret: r.secret,
          });
          const matching = rules.filter((x) => scanMatches(x, principal, r.operation, r.secret));
          const deny = matching.find((x) => x.effect === 'deny');
          const allow = matching.find((x) => x.effect === 'allow');
          const expected = deny?.id ?? allow?.id;
          return (
            decision.rule === expected && decision.allowed === (deny === undefined && allow !== undefined)
          );
        }),
        { numRuns: 3_000 },
      );
    });
  });

  describe('construction', () => {
    it.each<[string, unknown, string, RegExp]>([
      ['rules that are no array', { rules: 'all' }, 'rules', /must be an array/],
      ['a rule that is no object', { rules: [null] }, 'rules[0]', /must be a rule object/],
      ['a missing id', { rules: [{ ...allowRead, id: undefined }] }, 'rules[0].id', /1-128 of/],
      ['an id with a space', { rules: [{ ...allowRead, id: 'read all' }] }, 'rules[0].id', /got "read all"/],
      ['a duplicate id', { rules: [allowRead, allowRead] }, 'rules[1].id', /already the id of rules\[0\]/],
      [
        'an unknown field',
        { rules: [{ ...allowRead, operation: ['read'] }] },
        'rules[0].operation',
        /not a rule field/,
      ],
      [
        'an unknown effect',
        { rules: [{ ...allowRead, effect: 'permit' }] },
        'rules[0].effect',
        /"allow" or "deny"/,
      ],
      [
        'an unknown operation',
        { rules: [{ ...allowRead, operations: ['read', 'write'] }] },
        'rules[0].operations[1]',
        /"write" is not an operation/,
      ],
      ['no operations', { rules: [{ ...allowRead, operations: [] }] }, 'rules[0].operations', /is empty/],
      [
        'missing secrets',
        { rules: [{ ...allowRead, secrets: undefined }] },
        'rules[0].secrets',
        /is required/,
      ],
      [
        'an empty pattern',
        { rules: [{ ...allowRead, secrets: ['prod/**', ''] }] },
        'rules[0].secrets[1]',
        /is empty/,
      ],
      [
        'a malformed pattern',
        { rules: [{ ...allowRead, secrets: ['prod/a**'] }] },
        'rules[0].secrets[0]',
        /whole segment/,
      ],
      [
        'an empty services list',
        { rules: [{ ...allowRead, services: [] }] },
        'rules[0].services',
        /leave it out to match any/,
      ],
      [
        'a bad service',
        { rules: [{ ...allowRead, services: ['bill ing'] }] },
        'rules[0].services[0]',
        /got "bill ing"/,
      ],
      [
        'an empty environments list',
        { rules: [{ ...allowRead, environments: [] }] },
        'rules[0].environments',
        /is empty/,
      ],
      ['an empty roles list', { rules: [{ ...allowRead, roles: [] }] }, 'rules[0].roles', /is empty/],
      [
        'a bad CIDR in the third rule',
        {
          rules: [
            allowRead,
            { ...allowRead, id: 'b' },
            { ...allowRead, id: 'c', sourceCidrs: ['10.0.0.0/8', '10.0.0.300/32'] },
          ],
        },
        'rules[2].sourceCidrs[1]',
        /"10.0.0.300\/32" is not an IPv4 address/,
      ],
      [
        'a CIDR with host bits',
        { rules: [{ ...allowRead, sourceCidrs: ['10.0.0.1/8'] }] },
        'rules[0].sourceCidrs[0]',
        /host bits/,
      ],
      [
        'a fractional limit',
        { rules: [{ ...allowRead, maxRequestsPerHour: 1.5 }] },
        'rules[0].maxRequestsPerHour',
        /whole number/,
      ],
      [
        'a zero limit',
        { rules: [{ ...allowRead, maxRequestsPerHour: 0 }] },
        'rules[0].maxRequestsPerHour',
        /at least 1/,
      ],
      [
        'a limit on a deny rule',
        { rules: [{ ...allowRead, effect: 'deny', maxRequestsPerHour: 5 }] },
        'rules[0].maxRequestsPerHour',
        /for allow rules/,
      ],
      [
        'an empty description',
        { rules: [{ ...allowRead, description: '' }] },
        'rules[0].description',
        /non-empty/,
      ],
    ])('refuses %s, naming %s', (_what, options, field, message) => {
      let error: unknown;
      try {
        new AccessPolicy(options as { rules: PolicyRule[] });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field });
      expect((error as Error).message).toMatch(message);
    });

    it('names the rule by id in the message', () => {
      expect(
        () => new AccessPolicy({ rules: [{ ...allowRead, id: 'office', sourceCidrs: ['nope'] }] }),
      ).toThrow(/rules\[0\]\.sourceCidrs\[0\] \(rule "office"\)/);
    });

    it('keeps the rules, frozen, so a caller changing its array changes nothing', () => {
      const secrets = ['prod/billing/**'];
      const rules: PolicyRule[] = [{ ...allowRead, secrets }];
      const policy = new AccessPolicy({ rules });
      secrets.push('**');
      rules.push({ ...allowRead, id: 'more' });
      expect(policy.rules).toHaveLength(1);
      expect(policy.rules[0]!.secrets).toEqual(['prod/billing/**']);
      expect(Object.isFrozen(policy.rules[0])).toBe(true);
      expect(ask(policy, { secret: 'prod/x' }).allowed).toBe(false);
    });
  });
});

/** The definition, rule by rule, without the index. */
function scanMatches(
  rule: PolicyRule,
  principal: Principal,
  operation: PolicyOperation,
  secret: string,
): boolean {
  const inBlock = (ip: string | undefined) =>
    ip !== undefined &&
    (rule.sourceCidrs ?? []).some((block) =>
      block.includes(':')
        ? ip.startsWith('2001:db8:')
        : block.startsWith('10.')
          ? ip.startsWith('10.')
          : ip.startsWith('192.0.2.'),
    );
  return (
    rule.operations.includes(operation) &&
    rule.secrets.some((pattern) => {
      const compiled = compileGlob(pattern);
      return compiled.ok && compiled.glob.matches(secret);
    }) &&
    (rule.services === undefined || rule.services.includes(principal.service)) &&
    (rule.environments === undefined || rule.environments.includes(principal.environment)) &&
    (rule.roles === undefined || principal.roles.some((role) => rule.roles!.includes(role))) &&
    (rule.sourceCidrs === undefined || inBlock(principal.sourceIp))
  );
}
