import { LabelParameterVersionCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { AccessPolicy, SecretsClient, type SecretsClientOptions } from 'keystage';
import type { AuditEntry } from 'keystage/audit';

export async function ssmExample(
  ssm: SSMClient,
  connection: Pick<SecretsClientOptions, 'secretsManager'> = {},
) {
  // Parameters as a platform team writes them; keystage reads Parameter Store, it never writes it.
  const db = '/prod/billing/db_url';
  await ssm.send(
    new PutParameterCommand({ Name: db, Value: 'postgres://db-1.internal/billing', Type: 'SecureString' }),
  );
  await ssm.send(new LabelParameterVersionCommand({ Name: db, ParameterVersion: 1, Labels: ['known-good'] }));
  await ssm.send(
    new PutParameterCommand({ Name: db, Value: 'postgres://db-2.internal/billing', Overwrite: true }),
  );
  await ssm.send(
    new PutParameterCommand({ Name: '/prod/billing/region', Value: 'eu-west-1', Type: 'String' }),
  );
  await ssm.send(
    new PutParameterCommand({ Name: '/prod/billing/admin_token', Value: 'tok_admin', Type: 'SecureString' }),
  );

  // The policy sees a parameter as its id: ssm:/prod/billing/db_url, so ssm:/prod/billing/** names them all.
  const policy = new AccessPolicy({
    rules: [
      {
        id: 'billing',
        effect: 'allow',
        secrets: [
          'prod/billing/**',
          'ssm:/prod/billing/**',
          'ssm:/aws/reference/secretsmanager/prod/billing/**',
        ],
        operations: ['read', 'list', 'create'],
      },
      { id: 'no-admin', effect: 'deny', secrets: ['ssm:/prod/billing/admin_*'], operations: ['read'] },
    ],
  });
  const events: AuditEntry[] = [];
  const secrets = new SecretsClient({
    ...connection,
    ssm, // or none: the default SSM client follows AWS_REGION and AWS_ENDPOINT_URL(_SSM)
    policy,
    principal: { id: 'billing-api', service: 'billing', environment: 'prod', roles: [] },
    audit: { record: (event) => void events.push(event) },
  });

  // One parameter: the latest version (decrypted), a version by number, a version by label.
  const url = await secrets.get(`ssm:${db}`); // cached like a secret: the next get makes no call
  const first = await secrets.get(`ssm:${db}`, { versionId: '1' });
  const knownGood = await secrets.get(`ssm:${db}`, { versionStage: 'known-good' });

  // A path: names from GetParametersByPath, then values 10 per GetParameters, each id decided
  // by the policy first (admin_token is refused: an error, its value never decrypted).
  const { values, errors } = await secrets.getByPath('/prod/billing', { recursive: true });

  // A Secrets Manager secret read through Parameter Store, as ECS and CloudFormation name it.
  await secrets.create({ name: 'stripe', kind: 'api-key', environment: 'prod', service: 'billing' });
  const stripe = await secrets.get('ssm:/aws/reference/secretsmanager/prod/billing/stripe');
  const stripeMatches = stripe === (await secrets.get('prod/billing/stripe'));

  secrets.close();
  return {
    url,
    first,
    knownGood,
    read: [...values.keys()], // ['ssm:/prod/billing/db_url', 'ssm:/prod/billing/region']
    refused: [...errors].map(([id, error]) => `${id}: ${error.code}`), // PERMISSION_DENIED
    stripeMatches,
    audited: events.map((event) => `${event.action} ${event.secret_name ?? '-'} ${event.success}`),
  };
}
