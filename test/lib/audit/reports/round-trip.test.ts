import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsAuditSink, JsonLinesAuditSink, type AuditEntry } from '../../../../lib/audit';
import {
  accessReport,
  cloudWatchLogsEvents,
  jsonLinesEvents,
  usageMetrics,
} from '../../../../lib/audit/reports';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { auditEvent, collect } from './fixtures';

// What keystage's own sinks write, the reports read: the format is one contract, end to end.
const now = Date.now();
const from = new Date(now - 2 * 3_600_000);
const to = new Date(now + 3_600_000);

/** An entry as the pipeline hands it to a sink (the sink adds seq and prev). */
function entry(minutesAgo: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  const {
    seq: _seq,
    prev: _prev,
    ...rest
  } = auditEvent({
    timestamp: new Date(now - minutesAgo * 60_000).toISOString(),
    ...overrides,
  });
  void _seq;
  void _prev;
  return rest;
}

const entries = [
  entry(30),
  entry(20, { cache_hit: true }),
  entry(10, { user_id: 'bo', service: 'checkout' }),
  entry(5, { event_type: 'access_denied', user_id: 'eve', success: false, reason: 'no rule allows it' }),
];

describe('reports over what the audit sinks wrote', () => {
  it('reads a JsonLinesAuditSink file back, chain fields and all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keystage-reports-sink-'));
    try {
      const file = join(dir, 'audit.jsonl');
      const sink = new JsonLinesAuditSink({ file });
      for (const event of entries) await sink.record(event, true);
      await sink.close();

      const events = jsonLinesEvents({ path: file });
      const read = await collect(events);
      expect({ seqs: read.map((event) => event.seq), skipped: events.skipped }).toEqual({
        seqs: [1, 2, 3, 4],
        skipped: 0,
      });
      const report = await accessReport(read, { from, to });
      expect(report.rows.map((row) => [row.principal, row.count, row.cacheHits])).toEqual([
        ['ana', 2, 1],
        ['bo', 1, 0],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('CloudWatchLogsAuditSink through the local endpoint', () => {
    let local: LocalFixture;
    let client: CloudWatchLogsClient;
    beforeAll(async () => {
      local = await startLocal();
      client = local.logs();
    });
    afterAll(async () => {
      client.destroy();
      await local.endpoint.close();
    });

    it('computes the usage metrics from the events the sink put', async () => {
      const sink = new CloudWatchLogsAuditSink({
        client,
        logGroupName: '/keystage/audit',
        logStreamName: 'app-1',
      });
      for (const event of entries) await sink.record(event, true);
      await sink.close();

      const events = cloudWatchLogsEvents({ client, logGroupName: '/keystage/audit', from, to });
      const metrics = await usageMetrics(events, { secret: 'prod/billing/db', from, to });
      expect({
        accesses: metrics.totalAccesses,
        principals: metrics.uniquePrincipals,
        cacheHitRatio: metrics.cacheHitRatio,
        denials: metrics.denials,
        skipped: events.skipped,
      }).toEqual({ accesses: 3, principals: 2, cacheHitRatio: 1 / 3, denials: 1, skipped: 0 });
    });
  });
});
