import { AccessPolicy, rbacRules, type Principal } from 'keystage';

export function accessPolicyExample() {
  // The product's role table, and rules of your own beside it. Deny wins, whatever the order.
  const policy = new AccessPolicy({
    rules: [
      {
        id: 'billing-api',
        effect: 'allow',
        services: ['billing'],
        environments: ['prod'],
        secrets: ['prod/billing/**'],
        operations: ['read'],
        sourceCidrs: ['10.0.0.0/8', '2001:db8::/32'],
        maxRequestsPerHour: 3600,
      },
      {
        id: 'no-prod-delete',
        effect: 'deny',
        secrets: ['prod/**'],
        operations: ['delete'],
        description: 'production secrets are deleted through change management',
      },
      ...rbacRules({ environments: { development: 'dev', staging: 'staging', production: 'prod' } }),
    ],
  });

  const api: Principal = {
    id: 'billing-api',
    service: 'billing',
    environment: 'prod',
    roles: [],
    sourceIp: '10.0.4.2',
  };
  const ana: Principal = {
    id: 'ana',
    service: 'console',
    environment: 'dev',
    roles: ['team-lead', 'devops'],
  };

  // { allowed: true, rule: 'billing-api', reason: 'allowed by rule billing-api', maxRequestsPerHour: 3600 }
  const read = policy.evaluate({ principal: api, operation: 'read', secret: 'prod/billing/db' });
  // { allowed: false, rule: undefined, reason: 'no rule allows read of prod/billing/db for service billing in prod' }
  const elsewhere = policy.evaluate({
    principal: { ...api, sourceIp: '203.0.113.9' },
    operation: 'read',
    secret: 'prod/billing/db',
  });
  // { allowed: true, rule: 'devops-edit', reason: 'allowed by rule devops-edit' }
  const rotate = policy.evaluate({ principal: ana, operation: 'rotate', secret: 'prod/billing/db' });
  // { allowed: false, rule: 'no-prod-delete', reason: 'denied by rule no-prod-delete: production secrets are ...' }
  const remove = policy.evaluate({ principal: ana, operation: 'delete', secret: 'prod/billing/db' });

  // What AWS can enforce of it on one secret, and what it cannot (here: the hourly limit).
  const { document, unrendered } = policy.toResourcePolicy(
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/billing/db-AbCdEf',
  );
  return { read, elsewhere, rotate, remove, document, unrendered };
}
