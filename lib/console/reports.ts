import {
  accessReport,
  changeReport,
  complianceReport,
  incidentReport,
  reportCsv,
  reportMarkdown,
  type AuditRecord,
  type Report,
} from '../audit/reports';
import { ValidationError, show } from '../errors';
import type { ConsoleCore, Reply } from './console-core';
import { parseTime } from './audit-filters';

/** The governance reports the console offers, by the name in their URL. */
export const REPORT_KINDS = ['access', 'changes', 'security', 'compliance'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export const REPORT_FORMATS = ['csv', 'json', 'md'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const DAY_MS = 86_400_000;
/** The period a report covers when none is asked for. */
export const DEFAULT_REPORT_DAYS = 7;

const CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
};

async function build(
  core: ConsoleCore,
  kind: ReportKind,
  records: readonly AuditRecord[],
  period: { from: Date; to: Date },
): Promise<Report> {
  switch (kind) {
    case 'access':
      return accessReport(records, period);
    case 'changes':
      return changeReport(records, period);
    case 'security':
      return incidentReport(records, period);
    case 'compliance':
      return complianceReport(records, { ...period, secrets: await core.secrets() });
  }
}

/** GET /reports/<kind>.<format>: a governance report over the audit records the principal may see, as a download. */
export async function reportDownload(
  core: ConsoleCore,
  file: string,
  search: URLSearchParams,
): Promise<Reply> {
  const match = /^([a-z]+)\.([a-z]+)$/.exec(file);
  const kind = match?.[1] as ReportKind | undefined;
  const format = match?.[2] as ReportFormat | undefined;
  if (kind === undefined || !REPORT_KINDS.includes(kind)) {
    throw new ValidationError('report', `The report ${show(file)} is not one of ${REPORT_KINDS.join(', ')}.`);
  }
  if (format === undefined || !REPORT_FORMATS.includes(format)) {
    throw new ValidationError(
      'format',
      `The format ${show(file)} is not one of ${REPORT_FORMATS.join(', ')}.`,
    );
  }
  const to = parseTime(search.get('to') ?? undefined, 'to') ?? core.clock.now();
  const from = parseTime(search.get('from') ?? undefined, 'from') ?? to - DEFAULT_REPORT_DAYS * DAY_MS;
  if (from >= to) throw new ValidationError('to', 'to must be after from.');
  const report = await build(core, kind, await core.auditRecords(), {
    from: new Date(from),
    to: new Date(to),
  });
  const body =
    format === 'csv'
      ? reportCsv(report)
      : format === 'md'
        ? reportMarkdown(report)
        : `${JSON.stringify(report, null, 2)}\n`;
  return {
    kind: 'download',
    filename: `keystage-${kind}-report.${format}`,
    contentType: CONTENT_TYPES[format],
    body,
  };
}
