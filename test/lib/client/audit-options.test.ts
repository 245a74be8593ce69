import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AuditEntry } from '../../../lib/audit/audit-event';
import { SecretsClient } from '../../../lib/client/secrets-client';
import { arnOf, sm, version } from '../../support/client-fixture';

function client(auditReads?: boolean): { secrets: SecretsClient; events: AuditEntry[] } {
  sm.reset();
  sm.on(GetSecretValueCommand).resolves({
    ARN: arnOf('prod/billing/db'),
    Name: 'prod/billing/db',
    VersionId: version('v1'),
    SecretString: 'planted-value-9f2c',
  });
  const events: AuditEntry[] = [];
  const secrets = new SecretsClient({
    secretsManager: new SecretsManagerClient({ maxAttempts: 1 }),
    audit: { record: (event) => void events.push(event) },
    ...(auditReads === undefined ? {} : { auditReads }),
  });
  return { secrets, events };
}

describe('SecretsClient audit options', () => {
  it('records every read once a sink is set, the cache hit included, never the value', async () => {
    const { secrets, events } = client();
    await secrets.get('prod/billing/db');
    await secrets.get('prod/billing/db');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(events.map((event) => [event.event_type, event.action, event.cache_hit])).toEqual([
      ['secret_access', 'get', false],
      ['secret_access', 'get', true],
    ]);
    expect(JSON.stringify(events)).not.toContain('planted-value-9f2c');
    secrets.close();
  });

  it('with auditReads false records no read, and serves hits as without a sink', async () => {
    const { secrets, events } = client(false);
    await secrets.get('prod/billing/db');
    await secrets.get('prod/billing/db');
    expect(events).toEqual([]);
    secrets.close();
  });
});
