import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monthlyAudit } from '../../examples/audit-report';
import { startLocal, type LocalFixture } from '../support/local-endpoint';
import { auditEvent, denial } from '../lib/audit/reports/fixtures';

const root = join(__dirname, '..', '..');

/** What users import; the example imports the source until `keystage/audit` is mapped for tests. */
describe('README usage metrics and reports example', () => {
  let local: LocalFixture;
  let logs: CloudWatchLogsClient;
  let outDir: string;
  beforeAll(async () => {
    // The endpoint's clock sits at the end of the example's month, so PutLogEvents takes its events.
    local = await startLocal({ now: () => Date.parse('2026-04-30T23:00:00.000Z') });
    logs = local.logs();
    outDir = mkdtempSync(join(tmpdir(), 'keystage-audit-example-'));
    const logGroupName = '/keystage/audit';
    await logs.send(new CreateLogGroupCommand({ logGroupName }));
    await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 'billing-api' }));
    const events = [
      auditEvent({ timestamp: '2026-04-29T09:00:00.000Z' }),
      auditEvent({ timestamp: '2026-04-29T09:30:00.000Z', cache_hit: true }),
      denial({ timestamp: '2026-04-29T10:00:00.000Z', user_id: 'mallory', ip_address: '203.0.113.9' }),
    ];
    await logs.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: 'billing-api',
        logEvents: [
          ...events.map((event) => ({
            timestamp: Date.parse(event.timestamp),
            message: JSON.stringify(event),
          })),
          { timestamp: Date.parse('2026-04-29T11:00:00.000Z'), message: 'not an audit event' },
        ],
      }),
    );
  });
  afterAll(async () => {
    logs.destroy();
    await local.endpoint.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('shows exactly the code of examples/audit-report.ts, as published', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Usage metrics and reports'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'audit-report.ts'), 'utf8'));
  });

  it('runs: metrics, an access CSV and an incidents Markdown from the local CloudWatch Logs', async () => {
    const { usage, access, incidents, skipped } = await monthlyAudit(logs, outDir);
    expect({
      accesses: usage.totalAccesses,
      cacheHitRatio: usage.cacheHitRatio,
      denials: usage.denials,
    }).toEqual({
      accesses: 2,
      cacheHitRatio: 0.5,
      denials: 1,
    });
    expect(access.rows.map((row) => [row.principal, row.count])).toEqual([['ana', 2]]);
    expect(incidents.rows.map((row) => [row.kind, row.principal])).toContainEqual(['denial', 'mallory']);
    expect(skipped).toBe(1);
    expect(readFileSync(join(outDir, 'access.csv'), 'utf8').split('\r\n')[0]).toBe(
      'principal,service,secret,count,failures,cache_hits,cache_hit_ratio,first_at,last_at',
    );
    expect(readFileSync(join(outDir, 'incidents.md'), 'utf8')).toMatch(/^## Security incidents\n/);
  });
});
