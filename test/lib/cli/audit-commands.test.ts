import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditChain } from '../../../lib/audit/audit-chain';
import type { AuditEntry, AuditEvent } from '../../../lib/audit/audit-event';
import { checkpointEntry, checkpointMessage } from '../../../lib/audit/checkpoint';
import { kmsMacCheckpoints } from '../../../lib/audit/kms-checkpoints';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { cleanUpBuilds, tempDir } from '../../support/rotation-fixtures';
import { entry } from '../audit/audit-fixtures';
import { runCli, type CliRun } from './cli-harness';

// `keystage audit report|metrics|verify`, in process, over a JSON-lines file and the local
// endpoint's CloudWatch Logs.

const dir = tempDir('keystage-cli-audit-');
const PLANTED = 'planted-Audit-Wq8z-do-not-print';
const SINCE = '2026-01-01';
const UNTIL = '2026-01-02';

/** The entries of the day: reads, a denial, a change; a junk line holds the planted value. */
const entries: AuditEntry[] = [
  entry({ request_id: 'r-0' }, 0),
  entry({ request_id: 'r-1', cache_hit: true }, 60_000),
  entry({ request_id: 'r-2', user_id: 'bo', service: 'reports', secret_name: 'prod/billing/db' }, 120_000),
  entry(
    {
      request_id: 'r-3',
      event_type: 'access_denied',
      success: false,
      user_id: 'eve',
      ip_address: '198.51.100.9',
      reason: 'no rule allows read',
    },
    180_000,
  ),
  entry({ request_id: 'r-4', event_type: 'secret_change', action: 'put' }, 240_000),
];

function chained(list: readonly AuditEntry[]): { chain: AuditChain; events: AuditEvent[] } {
  const chain = new AuditChain();
  const events = list.map((item) => {
    const sealed = chain.seal(item);
    chain.advance(sealed);
    return sealed.event;
  });
  return { chain, events };
}

/** The same entries ten minutes ago: CloudWatch Logs refuses events older than 14 days. */
const recent = (list: readonly AuditEntry[]): AuditEntry[] =>
  list.map((item, i) => ({ ...item, timestamp: new Date(Date.now() - 600_000 + i * 1000).toISOString() }));

const lines = (events: readonly unknown[]): string => events.map((e) => `${JSON.stringify(e)}\n`).join('');

let fixture: LocalFixture;
let events: AuditEvent[];
const file = join(dir, 'audit.jsonl');
const printed: string[] = [];

beforeAll(async () => {
  fixture = await startLocal();
  events = chained(entries).events;
  writeFileSync(file, lines(events) + `not an event ${PLANTED}\n`);
});
afterAll(async () => {
  await fixture.endpoint.close();
  cleanUpBuilds();
});

async function cli(argv: readonly string[]): Promise<CliRun> {
  const run = await runCli(['--endpoint-url', fixture.endpoint.url, ...argv]);
  printed.push(run.stdout, run.stderr);
  return run;
}
const json = (run: CliRun): Record<string, unknown> => JSON.parse(run.stdout) as Record<string, unknown>;
const fromFile = ['--from-file', file, '--since', SINCE, '--until', UNTIL];

describe('keystage audit report', () => {
  it('reports access from a file, and warns of the lines it skipped without showing them', async () => {
    const run = await cli(['audit', 'report', 'access', ...fromFile]);
    expect(run.code).toBe(0);
    const report = json(run) as {
      kind: string;
      totalAccesses: number;
      rows: { principal: string; count: number }[];
    };
    expect(report.kind).toBe('access');
    expect(report.rows.map((row) => [row.principal, row.count])).toEqual([
      ['ana', 2],
      ['bo', 1],
    ]);
    expect(run.stderr).toBe(
      'keystage: warning: 1 lines or log events were not audit events and were skipped.\n',
    );
  });

  it('reports changes as CSV and incidents as Markdown', async () => {
    const csv = await cli(['audit', 'report', 'changes', ...fromFile, '--format', 'csv']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^time,event_type,action,secret/);
    expect(csv.stdout).toContain('secret_change,put,prod/billing/stripe');

    const markdown = await cli(['audit', 'report', 'incidents', ...fromFile, '--format', 'markdown']);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toMatch(/^#+ /);
    expect(markdown.stdout).toContain('| denial |');
  });

  it('reports compliance against the secrets the client lists', async () => {
    const created = await cli(['create', 'stale', '-e', 'prod', '--service', 'billing', '--kind', 'api-key']);
    expect(created.code).toBe(0);
    const run = await cli(['audit', 'report', 'compliance', '--from-file', file, '--since', '1d']);
    expect(run.code).toBe(0);
    const report = json(run) as {
      kind: string;
      secretsChecked: number;
      rows: { finding: string; secret: string }[];
    };
    expect(report.kind).toBe('compliance');
    expect(report.secretsChecked).toBe(1);
    expect(report.rows).toContainEqual(
      expect.objectContaining({ finding: 'never-rotated', secret: 'prod/billing/stale' }),
    );
  });

  it('reads a CloudWatch Logs group in the period', async () => {
    const logs = fixture.logs();
    const { events: latest } = chained(recent(entries));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/keystage/audit' }));
    await logs.send(
      new CreateLogStreamCommand({ logGroupName: '/keystage/audit', logStreamName: 'billing' }),
    );
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/keystage/audit',
        logStreamName: 'billing',
        logEvents: latest.map((event) => ({
          timestamp: Date.parse(event.timestamp),
          message: JSON.stringify(event),
        })),
      }),
    );
    const run = await cli(['audit', 'report', 'access', '--log-group', '/keystage/audit', '--since', '1h']);
    expect(run.code).toBe(0);
    expect((json(run) as { totalAccesses: number }).totalAccesses).toBe(3);
    const metrics = await cli([
      'audit',
      'metrics',
      '--log-group',
      '/keystage/audit',
      '--log-stream',
      'billing',
      '--since',
      '1h',
      '--secret',
      'prod/billing/stripe',
    ]);
    expect(json(metrics)).toMatchObject({
      kind: 'usage',
      secret: 'prod/billing/stripe',
      totalAccesses: 2,
      cacheHits: 1,
      denials: 1,
    });
  });

  it('refuses an unknown kind, a bad time, no source, and an unknown --format, with exit 2', async () => {
    const kind = await cli(['audit', 'report', 'usage', ...fromFile]);
    expect(kind.stderr).toBe(
      'keystage: VALIDATION_ERROR: keystage audit report takes access, changes, incidents, compliance; got "usage".\n',
    );
    const time = await cli(['audit', 'report', 'access', '--from-file', file, '--since', 'last tuesday']);
    expect(time.stderr).toContain('--since takes an ISO 8601 date or time');
    const none = await cli(['audit', 'report', 'access', '--since', '7d']);
    expect(none.stderr).toContain('--from-file PATH (JSON lines) or --log-group NAME');
    const query = await cli(['audit', 'report', 'access', ...fromFile, '--format', 'csv', '--query', 'rows']);
    expect(query).toMatchObject({ code: 2, stdout: '' });
    const format = await cli(['audit', 'report', 'access', ...fromFile, '--format', 'html']);
    expect(format.stderr).toContain('--format takes markdown or csv');
    expect([kind.code, time.code, none.code, format.code]).toEqual([2, 2, 2, 2]);
  });
});

describe('keystage audit verify', () => {
  it('finds an intact chain valid and exits 0', async () => {
    const intact = join(dir, 'intact.jsonl');
    writeFileSync(intact, lines(events));
    const run = await cli(['audit', 'verify', '--from-file', intact]);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ valid: true, events: 5, problems: [], checkpointsChecked: false });
  });

  it('names the line of a deleted event and exits 10', async () => {
    const gap = join(dir, 'gap.jsonl');
    writeFileSync(gap, lines([events[0], events[1], events[3], events[4]]));
    const run = await cli(['audit', 'verify', '--from-file', gap]);
    expect(run.code).toBe(10);
    expect(json(run)).toMatchObject({ valid: false, problems: [{ kind: 'deleted', seq: 3, line: 3 }] });
  });

  it('names the line of an altered event, and of a line that is no event', async () => {
    const altered = join(dir, 'altered.jsonl');
    writeFileSync(altered, lines([events[0], { ...events[1]!, user_id: 'mallory' }, events[2]]) + 'junk\n');
    const run = await cli(['audit', 'verify', '--from-file', altered]);
    expect(run.code).toBe(10);
    const result = json(run) as { problems: { kind: string; line: number }[]; unreadable: number[] };
    expect(result.problems).toMatchObject([{ kind: 'altered', line: 2 }]);
    expect(result.unreadable).toEqual([4]);
  });

  it('verifies a CloudWatch Logs stream with its KMS-signed checkpoint', async () => {
    const kms = fixture.kms();
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }),
    );
    const key = kmsMacCheckpoints({ keyId: KeyMetadata!.Arn!, kms });
    const { chain, events: signed } = chained(recent(entries));
    const head = chain.head;
    const mac = await key.sign(checkpointMessage(head, key.keyId));
    const checkpoint = chain.seal(
      checkpointEntry(new Date().toISOString(), head, key.keyId, mac, signed.length),
    );
    const all = [...signed, checkpoint.event];
    const logs = fixture.logs();
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/keystage/signed' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/keystage/signed', logStreamName: 'api' }));
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/keystage/signed',
        logStreamName: 'api',
        logEvents: all.map((event) => ({
          timestamp: Date.parse(event.timestamp),
          message: JSON.stringify(event),
        })),
      }),
    );
    const argv = ['audit', 'verify', '--log-group', '/keystage/signed', '--log-stream', 'api'];
    const run = await cli([...argv, '--kms-mac-key', KeyMetadata!.Arn!]);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({
      valid: true,
      verifiedCheckpoints: 1,
      signedThroughSeq: 5,
      checkpointsChecked: true,
    });

    const missing = await cli(['audit', 'verify', '--log-group', '/keystage/signed', '--log-stream', 'nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('GetLogEvents found no stream "nope"');
  });

  it('verifies a window of a file with --since and --until, as part of a longer stream', async () => {
    const intact = join(dir, 'window.jsonl');
    writeFileSync(intact, lines(events));
    const argv = ['audit', 'verify', '--from-file', intact, '--since', '2026-01-01T00:01:30Z'];
    const run = await cli([...argv, '--until', '2026-01-01T00:10:00Z']);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ valid: true, events: 3, problems: [] });
    const whole = await cli(['audit', 'verify', '--from-file', join(dir, 'window-gap.jsonl')]);
    expect(whole.code).toBe(2);
    expect(whole.stderr).toContain('(ENOENT)');
  });

  it('takes one stream of a group', async () => {
    const run = await cli(['audit', 'verify', '--log-group', '/keystage/audit']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('one --log-stream');
  });
});

describe('keystage audit output', () => {
  it('never showed the planted junk line', () => {
    expect(printed.join('\n')).not.toContain(PLANTED);
  });
});
