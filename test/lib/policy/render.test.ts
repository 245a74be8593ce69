import {
  CreateSecretCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  ValidateResourcePolicyCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  AccessPolicy,
  SECRETS_MANAGER_ACTIONS,
  rbacPolicy,
  type PolicyDocument,
  type PolicyRule,
  type PolicyStatementDocument,
} from '../../../lib/policy';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/billing/db-AbCdEf';
const read: PolicyRule = {
  id: 'billing-read',
  effect: 'allow',
  services: ['billing'],
  environments: ['production'],
  secrets: ['prod/billing/**'],
  operations: ['read'],
};
const statement = (document: PolicyDocument, sid: string): PolicyStatementDocument | undefined =>
  document.Statement.find((s) => s.Sid === sid);

describe('AccessPolicy rendering', () => {
  describe('toIamPolicy', () => {
    it('renders an allow rule as its actions on ARN patterns, with principal-tag conditions', () => {
      const { document, unrendered } = new AccessPolicy({ rules: [read] }).toIamPolicy({
        account: '123456789012',
      });
      expect(document.Version).toBe('2012-10-17');
      expect(statement(document, 'Allow0billingread')).toEqual({
        Sid: 'Allow0billingread',
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: [
          'arn:aws:secretsmanager:*:123456789012:secret:prod/billing-??????',
          'arn:aws:secretsmanager:*:123456789012:secret:prod/billing/*',
        ],
        Condition: {
          StringEquals: {
            'aws:PrincipalTag/keystage:service': 'billing',
            'aws:PrincipalTag/keystage:environment': 'production',
          },
        },
      });
      expect(unrendered).toEqual([]);
    });

    it('grants the actions without a resource type on * in a statement of their own', () => {
      const { document } = new AccessPolicy({ rules: [read] }).toIamPolicy();
      expect(statement(document, 'Allow0billingreadAny')).toMatchObject({
        Effect: 'Allow',
        Action: ['secretsmanager:BatchGetSecretValue'],
        Resource: '*',
      });
    });

    it('maps every operation to its Secrets Manager actions, each action to one operation', () => {
      const all = Object.values(SECRETS_MANAGER_ACTIONS).flatMap((a) => [...a.resource, ...a.account]);
      expect(new Set(all).size).toBe(all.length);
      expect(all).toEqual(
        expect.arrayContaining([
          'secretsmanager:GetSecretValue',
          'secretsmanager:BatchGetSecretValue',
          'secretsmanager:DescribeSecret',
          'secretsmanager:ListSecrets',
          'secretsmanager:ListSecretVersionIds',
          'secretsmanager:CreateSecret',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
          'secretsmanager:RotateSecret',
          'secretsmanager:DeleteSecret',
          'secretsmanager:RestoreSecret',
          'secretsmanager:PutResourcePolicy',
          'secretsmanager:TagResource',
        ]),
      );
    });

    it('renders a deny rule as a Deny statement', () => {
      const deny: PolicyRule = {
        id: 'no-delete',
        effect: 'deny',
        secrets: ['prod/**'],
        operations: ['delete'],
      };
      const { document } = new AccessPolicy({ rules: [read, deny] }).toIamPolicy();
      expect(statement(document, 'Deny1nodelete')).toEqual({
        Sid: 'Deny1nodelete',
        Effect: 'Deny',
        Action: ['secretsmanager:DeleteSecret', 'secretsmanager:RestoreSecret'],
        Resource: [
          'arn:aws:secretsmanager:*:*:secret:prod-??????',
          'arn:aws:secretsmanager:*:*:secret:prod/*',
        ],
      });
    });

    it('renders source blocks as aws:SourceIp, IPv4-mapped blocks in IPv4 notation', () => {
      const rule = { ...read, sourceCidrs: ['10.0.0.0/8', '2001:db8::/32', '::ffff:192.0.2.0/120', '::/0'] };
      const { document } = new AccessPolicy({ rules: [rule] }).toIamPolicy();
      expect(statement(document, 'Allow0billingread')!.Condition!.IpAddress).toEqual({
        'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32', '192.0.2.0/24', '::/0', '0.0.0.0/0'],
      });
    });

    it('renders roles through the role tag', () => {
      const { document } = new AccessPolicy({ rules: [{ ...read, roles: ['devops'] }] }).toIamPolicy({
        roleTag: 'team:role',
      });
      expect(statement(document, 'Allow0billingread')!.Condition!.StringEquals).toMatchObject({
        'aws:PrincipalTag/team:role': 'devops',
      });
    });

    it('leaves out an allow whose roles no tag says, and lists it', () => {
      const rendered = new AccessPolicy({ rules: [{ ...read, roles: ['devops'] }] }).toIamPolicy({
        taggedRoles: ['admin'],
      });
      expect(rendered.document.Statement).toEqual([]);
      expect(rendered.unrendered).toEqual([
        {
          rule: 'billing-read',
          field: 'roles',
          why: expect.stringMatching(/left out, so AWS grants none of it/) as unknown,
        },
      ]);
    });

    it('renders a deny whose roles no tag says for every role, and lists it', () => {
      const deny: PolicyRule = {
        id: 'interns',
        effect: 'deny',
        roles: ['intern'],
        secrets: ['prod/**'],
        operations: ['read'],
      };
      const rendered = new AccessPolicy({ rules: [deny] }).toIamPolicy({ taggedRoles: [] });
      expect(statement(rendered.document, 'Deny0interns')!.Condition).toBeUndefined();
      expect(rendered.unrendered).toEqual([
        { rule: 'interns', field: 'roles', why: expect.stringMatching(/denies it to every role/) as unknown },
      ]);
    });

    it('lists a rate limit, which IAM cannot enforce', () => {
      const { unrendered } = new AccessPolicy({ rules: [{ ...read, maxRequestsPerHour: 10 }] }).toIamPolicy();
      expect(unrendered).toEqual([
        {
          rule: 'billing-read',
          field: 'maxRequestsPerHour',
          why: expect.stringMatching(/no rate limits/) as unknown,
        },
      ]);
    });

    it('lists a one-segment * as broader in IAM, where * spans /', () => {
      const { document, unrendered } = new AccessPolicy({
        rules: [{ ...read, secrets: ['prod/billing/db', 'prod/*-db'] }],
      }).toIamPolicy();
      expect(statement(document, 'Allow0billingread')!.Resource).toEqual([
        'arn:aws:secretsmanager:*:*:secret:prod/billing/db-??????',
        'arn:aws:secretsmanager:*:*:secret:prod/*-db-??????',
      ]);
      expect(unrendered).toEqual([
        {
          rule: 'billing-read',
          field: 'secrets[1]',
          why: expect.stringMatching(/also spans "\/"/) as unknown,
        },
      ]);
    });

    it('renders ** exactly: each one as * or as nothing', () => {
      const { document, unrendered } = new AccessPolicy({
        rules: [{ ...read, secrets: ['**/db', 'prod/**/db'] }],
      }).toIamPolicy();
      expect(statement(document, 'Allow0billingread')!.Resource).toEqual([
        'arn:aws:secretsmanager:*:*:secret:db-??????',
        'arn:aws:secretsmanager:*:*:secret:*/db-??????',
        'arn:aws:secretsmanager:*:*:secret:prod/db-??????',
        'arn:aws:secretsmanager:*:*:secret:prod/*/db-??????',
      ]);
      expect(unrendered).toEqual([]);
    });

    it('lists listing, which IAM cannot limit to some secrets', () => {
      const { unrendered } = new AccessPolicy({ rules: [{ ...read, operations: ['list'] }] }).toIamPolicy();
      expect(unrendered).toEqual([
        { rule: 'billing-read', field: 'operations', why: expect.stringMatching(/every secret/) as unknown },
      ]);
    });

    it('adds the VPC endpoint guard when asked', () => {
      const { document } = new AccessPolicy({ rules: [read] }).toIamPolicy({
        requireVpcEndpoints: ['vpce-0123456789abcdef0'],
      });
      expect(statement(document, 'ReadThroughVpcEndpointsOnly')).toEqual({
        Sid: 'ReadThroughVpcEndpointsOnly',
        Effect: 'Deny',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue'],
        Resource: 'arn:aws:secretsmanager:*:*:secret:*',
        Condition: {
          StringNotEquals: { 'aws:SourceVpce': ['vpce-0123456789abcdef0'] },
          BoolIfExists: { 'aws:ViaAWSService': 'false' },
        },
      });
    });

    it('never drops a rule: each is a statement or listed as unrendered', () => {
      const rendered = rbacPolicy({ maxRequestsPerHour: 5 }).toIamPolicy({ taggedRoles: ['admin'] });
      const rules = rbacPolicy().rules.map((rule) => rule.id);
      const rendered_ = new Set(rendered.document.Statement.map((s) => s.Sid));
      for (const [index, id] of rules.entries()) {
        const inDocument = [...rendered_].some((sid) =>
          sid.startsWith(`Allow${index}${id.replace(/-/g, '')}`),
        );
        const listed = rendered.unrendered.some((gap) => gap.rule === id);
        expect({ id, accounted: inDocument || listed }).toEqual({ id, accounted: true });
      }
    });
  });

  describe('toResourcePolicy', () => {
    it('renders the rules that name the secret, for principals of its account, and denies other accounts', () => {
      const other: PolicyRule = { ...read, id: 'shipping', secrets: ['prod/shipping/**'] };
      const rendered = new AccessPolicy({ rules: [read, other] }).toResourcePolicy(ARN);
      expect(rendered.document.Statement).toEqual([
        {
          Sid: 'Allow0billingread',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['secretsmanager:GetSecretValue'],
          Resource: ARN,
          Condition: {
            StringEquals: {
              'aws:PrincipalTag/keystage:service': 'billing',
              'aws:PrincipalTag/keystage:environment': 'production',
              'aws:PrincipalAccount': '123456789012',
            },
          },
        },
        {
          Sid: 'DenyOutsideAccount',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: ['secretsmanager:*'],
          Resource: ARN,
          Condition: { StringNotEquals: { 'aws:PrincipalAccount': '123456789012' } },
        },
      ]);
      expect(rendered.notApplicable).toEqual([
        { rule: 'shipping', why: 'its secrets (prod/shipping/**) do not match prod/billing/db' },
      ]);
    });

    it('matches the exact name, so a one-segment * loses no precision', () => {
      const rendered = new AccessPolicy({ rules: [{ ...read, secrets: ['prod/*/db'] }] }).toResourcePolicy(
        ARN,
      );
      expect(rendered.unrendered).toEqual([]);
      expect(rendered.document.Statement).toHaveLength(2);
    });

    it('renders patterns as resource ARNs when the name is unknown (a CDK token)', () => {
      const rendered = new AccessPolicy({ rules: [read] }).toResourcePolicy('${Token[TOKEN.1]}', {
        account: '123456789012',
        denyOutsideAccount: false,
      });
      expect(rendered.document.Statement[0]!.Resource).toEqual([
        'arn:aws:secretsmanager:*:123456789012:secret:prod/billing-??????',
        'arn:aws:secretsmanager:*:123456789012:secret:prod/billing/*',
      ]);
    });

    it('needs an account when the ARN gives none', () => {
      expect(() => new AccessPolicy({ rules: [read] }).toResourcePolicy('prod/billing/db')).toThrow(
        expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'account' }) as Error,
      );
    });

    it('lists ListSecrets, which no resource policy can grant', () => {
      const { unrendered } = new AccessPolicy({
        rules: [{ ...read, operations: ['read', 'list'] }],
      }).toResourcePolicy(ARN);
      expect(unrendered).toEqual([
        {
          rule: 'billing-read',
          field: 'operations',
          why: expect.stringMatching(/IAM policy to list/) as unknown,
        },
      ]);
    });
  });

  describe('through the local endpoint', () => {
    let local: LocalFixture;
    let sm: SecretsManagerClient;
    beforeAll(async () => {
      local = await startLocal();
      sm = local.sm();
    });
    afterAll(async () => {
      sm.destroy();
      await local.endpoint.close();
    });

    const policy = new AccessPolicy({
      rules: [
        { ...read, sourceCidrs: ['10.0.0.0/8', '2001:db8::/32'], maxRequestsPerHour: 100, roles: ['reader'] },
        { id: 'no-delete', effect: 'deny', secrets: ['prod/**'], operations: ['delete', 'revoke'] },
        ...rbacPolicy().rules,
      ],
    });

    it('renders a resource policy ValidateResourcePolicy passes', async () => {
      const { document } = policy.toResourcePolicy(ARN, { requireVpcEndpoints: ['vpce-0123456789abcdef0'] });
      const result = await sm.send(
        new ValidateResourcePolicyCommand({ ResourcePolicy: JSON.stringify(document) }),
      );
      expect(result).toMatchObject({ PolicyValidationPassed: true, ValidationErrors: [] });
    });

    it('renders an IAM policy whose statements ValidateResourcePolicy passes once given a principal', async () => {
      // The endpoint checks resource policies, which name a principal; an identity policy is
      // the same statements without one.
      const { document } = policy.toIamPolicy({ account: '123456789012' });
      const asResource = {
        ...document,
        Statement: document.Statement.map((s) => ({
          ...s,
          Principal: { AWS: 'arn:aws:iam::123456789012:root' },
        })),
      };
      const result = await sm.send(
        new ValidateResourcePolicyCommand({ ResourcePolicy: JSON.stringify(asResource) }),
      );
      expect(result).toMatchObject({ PolicyValidationPassed: true, ValidationErrors: [] });
    });

    it('attaches the resource policy with BlockPublicPolicy: it is not public', async () => {
      const created = await sm.send(
        new CreateSecretCommand({ Name: 'prod/billing/db', SecretString: 'planted-value' }),
      );
      const { document } = policy.toResourcePolicy(created.ARN!);
      await sm.send(
        new PutResourcePolicyCommand({
          SecretId: created.ARN,
          ResourcePolicy: JSON.stringify(document),
          BlockPublicPolicy: true,
        }),
      );
      const attached = await sm.send(new GetResourcePolicyCommand({ SecretId: 'prod/billing/db' }));
      expect(JSON.parse(attached.ResourcePolicy!)).toEqual(document);
    });

    it('would be refused as public without the account condition (the check is live)', async () => {
      const { document } = policy.toResourcePolicy(ARN);
      const open = {
        ...document,
        Statement: document.Statement.filter((s) => s.Effect === 'Allow').map((s) =>
          Object.fromEntries(Object.entries(s).filter(([key]) => key !== 'Condition')),
        ),
      };
      const result = await sm.send(
        new ValidateResourcePolicyCommand({ ResourcePolicy: JSON.stringify(open) }),
      );
      expect(result.PolicyValidationPassed).toBe(false);
    });
  });
});
