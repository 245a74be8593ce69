import { CloudWatchLogsClient, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchLogsAuditSink } from '../../../../lib/audit';
import { AuditUnavailableError } from '../../../../lib/errors';
import { arnOf, sm, version } from '../../../support/client-fixture';
import { ALICE, governedClient } from '../governance-fixture';

const logs = mockClient(CloudWatchLogsClient);
const NAME = 'prod/billing/db';

function failClosedClient() {
  const audit = new CloudWatchLogsAuditSink({
    logGroupName: '/keystage/audit',
    logStreamName: 'app',
    client: new CloudWatchLogsClient({ region: 'us-east-1' }),
    retry: { maxAttempts: 2, baseDelayMs: 1 },
  });
  const f = governedClient({ audit, auditFailClosed: true, principal: ALICE });
  sm.on(GetSecretValueCommand).resolves({
    ARN: arnOf(NAME),
    Name: NAME,
    SecretString: 'v',
    VersionId: version('v1'),
  });
  return { ...f, audit };
}

beforeEach(() => logs.reset());

describe('fail-closed reads with CloudWatch Logs (group commit)', () => {
  it('puts the events of 1,000 concurrent reads in a handful of PutLogEvents calls', async () => {
    logs.resolves({});
    const { client } = failClosedClient();
    await client.get(NAME);
    const before = logs.commandCalls(PutLogEventsCommand).length;
    const values = await Promise.all(Array.from({ length: 1000 }, () => client.get(NAME)));
    expect(values.every((value) => value === 'v')).toBe(true);
    const calls = logs.commandCalls(PutLogEventsCommand).length - before;
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThanOrEqual(10);
  });

  it('fails every waiting read with AUDIT_UNAVAILABLE when CloudWatch Logs is down', async () => {
    logs.resolves({});
    logs
      .on(PutLogEventsCommand)
      .rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailableException' }));
    const { client } = failClosedClient();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        client.get(NAME).then(
          () => 'value',
          (error: unknown) => error,
        ),
      ),
    );
    expect(outcomes.every((outcome) => outcome instanceof AuditUnavailableError)).toBe(true);
  });
});
