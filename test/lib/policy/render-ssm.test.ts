import { AccessPolicy, type PolicyRule } from '../../../lib/policy';

// Rules about SSM parameters (`ssm:` ids) are not Secrets Manager resources: no rendering
// may turn them into secret ARNs, and none may drop them silently.

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/billing/db-AbCdEf';
const parameterRead: PolicyRule = {
  id: 'billing-params',
  effect: 'allow',
  services: ['billing'],
  secrets: ['ssm:/prod/billing/**'],
  operations: ['read'],
};

const resources = (policy: AccessPolicy): string[] =>
  policy
    .toIamPolicy({ account: '123456789012' })
    .document.Statement.flatMap((s) => (typeof s.Resource === 'string' ? [s.Resource] : [...s.Resource]));

describe('AccessPolicy rendering of ssm: patterns', () => {
  describe('toIamPolicy', () => {
    it('renders no statement for a rule about SSM parameters only, and lists it', () => {
      const { document, unrendered } = new AccessPolicy({ rules: [parameterRead] }).toIamPolicy();
      expect(document.Statement).toEqual([]);
      expect(unrendered).toEqual([
        {
          rule: 'billing-params',
          field: 'secrets[0]',
          why: expect.stringMatching(
            /^"ssm:\/prod\/billing\/\*\*" names SSM parameters, which no Secrets Manager policy governs: AWS grants none of it here/,
          ) as unknown,
        },
      ]);
    });

    it('says a deny about SSM parameters denies none of it through Secrets Manager', () => {
      const { document, unrendered } = new AccessPolicy({
        rules: [{ id: 'no-params', effect: 'deny', secrets: ['ssm:db_url'], operations: ['read'] }],
      }).toIamPolicy();
      expect(document.Statement).toEqual([]);
      expect(unrendered).toMatchObject([{ rule: 'no-params', field: 'secrets[0]' }]);
      expect(unrendered[0]!.why).toContain('AWS denies none of it here');
    });

    it('renders the secret patterns of a mixed rule and lists the SSM one by its index', () => {
      const policy = new AccessPolicy({
        rules: [{ ...parameterRead, secrets: ['ssm:/prod/billing/db_url', 'prod/billing/db'] }],
      });
      expect(resources(policy)).toEqual([
        'arn:aws:secretsmanager:*:123456789012:secret:prod/billing/db-??????',
        '*',
      ]);
      expect(resources(policy).some((arn) => arn.includes('ssm'))).toBe(false);
      expect(policy.toIamPolicy().unrendered).toMatchObject([
        { rule: 'billing-params', field: 'secrets[0]' },
      ]);
    });
  });

  describe('toResourcePolicy', () => {
    it('lists a rule about SSM parameters as unrendered, not as inapplicable', () => {
      const rendered = new AccessPolicy({ rules: [parameterRead] }).toResourcePolicy(ARN);
      expect(rendered.notApplicable).toEqual([]);
      expect(rendered.unrendered).toMatchObject([{ rule: 'billing-params', field: 'secrets[0]' }]);
      expect(rendered.document.Statement.map((s) => s.Sid)).toEqual(['DenyOutsideAccount']);
    });

    it('renders patterns without ssm: ARNs when the secret name is unknown', () => {
      const rendered = new AccessPolicy({
        rules: [{ ...parameterRead, secrets: ['ssm:/prod/**', 'prod/**'] }],
      }).toResourcePolicy('${Token[TOKEN.1]}', { account: '123456789012' });
      const allow = rendered.document.Statement.find((s) => s.Effect === 'Allow')!;
      expect(allow.Resource).toEqual([
        'arn:aws:secretsmanager:*:123456789012:secret:prod-??????',
        'arn:aws:secretsmanager:*:123456789012:secret:prod/*',
      ]);
      expect(rendered.unrendered).toMatchObject([{ rule: 'billing-params', field: 'secrets[0]' }]);
    });
  });
});
