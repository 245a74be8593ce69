import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import { CloudWatchLogsClient, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import type { AuditEntry, AuditSink } from '../../../lib/audit';
import { CloudWatchLogsAuditSink, JsonLinesAuditSink } from '../../../lib/audit';
import { arnOf, meta, sm, version } from '../../support/client-fixture';
import { ALICE, RecordingPolicy, allowAll, governedClient } from '../client/governance-fixture';

const CANARY = 'Canary-7d6c5b4a3f2e';
const logs = mockClient(CloudWatchLogsClient);

describe('audit events never hold a value', () => {
  it('holds no planted value in any event of a run that reads, writes and fails, in any sink', async () => {
    logs.reset();
    logs.resolves({});
    const entries: AuditEntry[] = [];
    const lines: string[] = [];
    const jsonLines = new JsonLinesAuditSink({
      stream: new Writable({
        write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()),
      }),
    });
    const cloudWatch = new CloudWatchLogsAuditSink({
      logGroupName: '/keystage/audit',
      logStreamName: 'app',
      client: new CloudWatchLogsClient({ region: 'us-east-1' }),
    });
    // Every event goes to all three: the entries as the stage made them, and both sinks' lines.
    const fanOut: AuditSink = {
      record: (entry, acknowledge) => {
        entries.push(entry);
        jsonLines.record(entry, acknowledge);
        return cloudWatch.record(entry, acknowledge);
      },
    };
    const policy = new RecordingPolicy([
      allowAll(),
      { id: 'no-secrets-dir', effect: 'deny', secrets: ['prod/denied/**'], operations: ['read'] },
    ]);
    const { client } = governedClient({ audit: fanOut, auditFailClosed: true, policy, principal: ALICE });

    sm.on(CreateSecretCommand).resolves({
      ARN: arnOf('prod/app/s'),
      Name: 'prod/app/s',
      VersionId: version('v1'),
    });
    sm.on(PutSecretValueCommand).resolves({
      ARN: arnOf('prod/app/s'),
      Name: 'prod/app/s',
      VersionId: version('v2'),
      ...meta,
    });
    sm.on(DescribeSecretCommand).resolves({ ARN: arnOf('prod/app/s'), Name: 'prod/app/s', ...meta });
    sm.on(GetSecretValueCommand, { SecretId: 'prod/app/s' }).resolves({
      ARN: arnOf('prod/app/s'),
      Name: 'prod/app/s',
      SecretString: JSON.stringify({ token: CANARY }),
      VersionId: version('v2'),
    });
    sm.on(GetSecretValueCommand, { SecretId: 'prod/app/missing' }).rejects(
      new ResourceNotFoundException({ message: 'Secrets Manager can’t find the specified secret.', ...meta }),
    );
    sm.on(BatchGetSecretValueCommand).resolves({
      SecretValues: [
        { ARN: arnOf('prod/app/s'), Name: 'prod/app/s', SecretString: CANARY, VersionId: version('v2') },
      ],
    });

    await client.create({ name: 's', kind: 'generic', environment: 'prod', service: 'app', value: CANARY });
    await client.put('prod/app/s', `${CANARY}-next`);
    await client.get('prod/app/s'); // from the service
    await client.get('prod/app/s'); // from the cache
    await client
      .getJson('prod/app/s', {
        validate: (value) => {
          throw new TypeError(`unexpected ${JSON.stringify(value)}`);
        },
      })
      .catch(() => undefined);
    await client.getBinary('prod/app/s').catch(() => undefined);
    await client.get('prod/app/missing').catch(() => undefined);
    await client.get('prod/denied/x').catch(() => undefined);
    await client.getMany(['prod/app/s', 'prod/denied/y']);
    await jsonLines.close();
    await cloudWatch.close();

    const messages = logs
      .commandCalls(PutLogEventsCommand)
      .flatMap((call) => call.args[0].input.logEvents ?? []);
    expect(entries.length).toBeGreaterThanOrEqual(10);
    expect(new Set(entries.map((entry) => entry.event_type))).toEqual(
      new Set(['secret_change', 'secret_access', 'access_denied']),
    );
    expect(messages).toHaveLength(entries.length);
    const everything = [
      JSON.stringify(entries),
      inspect(entries, { depth: 10 }),
      lines.join(''),
      messages.map((message) => message.message).join('\n'),
    ].join('\n');
    expect(everything).not.toContain(CANARY);
  });
});
