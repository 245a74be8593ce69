import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  accessReport,
  cloudWatchLogsEvents,
  incidentReport,
  reportCsv,
  reportMarkdown,
  usageMetrics,
} from 'keystage/audit';

export async function monthlyAudit(
  logs: CloudWatchLogsClient,
  outDir: string,
  from = new Date('2026-04-01T00:00:00.000Z'),
  to = new Date('2026-05-01T00:00:00.000Z'),
) {
  const logGroupName = '/keystage/audit';
  // Pages of FilterLogEvents, fetched as the report reads them: memory holds one page.
  const month = cloudWatchLogsEvents({ client: logs, logGroupName, from, to });

  const usage = await usageMetrics(month, { secret: 'prod/billing/db', from, to });
  const access = await accessReport(month, { from, to }); // a second pass reads the log again
  await writeFile(join(outDir, 'access.csv'), reportCsv(access)); // formulas defused for spreadsheets

  // "New" principals and source IPs are new against the 30 days before: read those days too.
  const baselineFrom = new Date(from.getTime() - 30 * 86_400_000);
  const withBaseline = cloudWatchLogsEvents({ client: logs, logGroupName, from: baselineFrom, to });
  const incidents = await incidentReport(withBaseline, { from, to, baselineFrom });
  await writeFile(join(outDir, 'incidents.md'), reportMarkdown(incidents));

  // Lines that were not audit events are counted, never shown: they may hold anything.
  return { usage, access, incidents, skipped: month.skipped };
}
