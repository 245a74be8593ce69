import type * as LogsSdk from '@aws-sdk/client-cloudwatch-logs';
import type { Command } from 'commander';
import {
  accessReport,
  changeReport,
  cloudWatchLogsEvents,
  cloudWatchLogsSdk,
  complianceReport,
  incidentReport,
  jsonLinesEvents,
  kmsMacCheckpoints,
  reportCsv,
  reportMarkdown,
  usageMetrics,
  verifyAuditTrail,
  type AuditRecordStream,
  type Report,
} from '../../audit';
import { sdkKmsClient } from '../../core/kms-sdk';
import { ValidationError, show } from '../../errors';
import type { CliContext } from '../context';
import { EXIT_TAMPERED } from '../exit-codes';
import { withExamples } from '../help';
import { fileTrail, inRange, streamTrail, type Period } from './audit-trail-read';
import { collect, integerFlag, spanMs } from '../parse';

const DAY_MS = 86_400_000;

/** The report kinds, as the library has them. */
const REPORT_KINDS = ['access', 'changes', 'incidents', 'compliance'] as const;
type ReportKind = (typeof REPORT_KINDS)[number];
const FORMATS = ['markdown', 'csv'] as const;

/**
 * A time flag: an ISO 8601 date or date-time (`2026-04-01`, `2026-04-01T12:00:00Z`), or a span
 * back from `now` (`30m`, `24h`, `7d`).
 */
export function timeFlag(value: string, flag: string, now: number): Date {
  const span = spanMs(value);
  if (span !== undefined) return new Date(now - span);
  const ms = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) {
    throw new ValidationError(
      flag,
      `${flag} takes an ISO 8601 date or time (2026-04-01, 2026-04-01T12:00:00Z) or a span back from now (30m, 24h, 7d); got ${show(value)}.`,
    );
  }
  return new Date(ms);
}

interface SourceFlags {
  readonly fromFile?: string;
  readonly logGroup?: string;
  readonly logStream: readonly string[];
  readonly since?: string;
  readonly until?: string;
}

const sourceOptions = (command: Command): Command =>
  command
    .option('--from-file <path>', 'read events from a JSON-lines file (what JsonLinesAuditSink writes)')
    .option('--log-group <name>', 'read events from a CloudWatch Logs group')
    .option('--log-stream <name>', 'only this stream of --log-group (repeatable)', collect, [])
    .option('--since <time>', 'the start: an ISO date or time, or a span back (7d, 24h, 30m)')
    .option('--until <time>', 'the end, excluded: as --since (default now)');

/** Exactly one of --from-file and --log-group; --log-stream only with --log-group. */
function checkSource(flags: SourceFlags): void {
  if ((flags.fromFile === undefined) === (flags.logGroup === undefined)) {
    throw new ValidationError(
      '--from-file',
      'Read events with --from-file PATH (JSON lines) or --log-group NAME (CloudWatch Logs), one of the two.',
    );
  }
  if (flags.fromFile !== undefined && flags.logStream.length > 0) {
    throw new ValidationError('--log-stream', '--log-stream names streams of --log-group; a file has none.');
  }
}

function periodOf(flags: SourceFlags): Period {
  if (flags.since === undefined) {
    throw new ValidationError(
      '--since',
      'Name the start of the period with --since (2026-04-01, or 30d back).',
    );
  }
  const now = Date.now();
  const from = timeFlag(flags.since, '--since', now);
  const to = flags.until === undefined ? new Date(now) : timeFlag(flags.until, '--until', now);
  if (from.getTime() >= to.getTime()) {
    throw new ValidationError(
      '--until',
      `--until (${to.toISOString()}) must be after --since (${from.toISOString()}).`,
    );
  }
  return { from, to };
}

function logsClient(context: CliContext): LogsSdk.CloudWatchLogsClient {
  const { CloudWatchLogsClient } = cloudWatchLogsSdk();
  return new CloudWatchLogsClient(context.awsConfig());
}

/** The events a report reads: the file's lines, or the group's events in `[from, to)`. */
function eventsOf(flags: SourceFlags, context: CliContext, read: Period): AuditRecordStream {
  if (flags.fromFile !== undefined) return jsonLinesEvents({ path: flags.fromFile });
  return cloudWatchLogsEvents({
    client: logsClient(context),
    logGroupName: flags.logGroup!,
    from: read.from,
    to: read.to,
    ...(flags.logStream.length === 0 ? {} : { logStreamNames: flags.logStream }),
  });
}

/** Prints a report as --format asks (markdown, csv), else as --output does. */
function printReport(
  context: CliContext,
  report: Report,
  format: string | undefined,
  events: AuditRecordStream,
): void {
  if (format === 'markdown') context.println(reportMarkdown(report).replace(/\n$/, ''));
  else if (format === 'csv') context.io.stdout.write(reportCsv(report));
  else context.print(report);
  // Lines that are no audit event are counted, never shown: they may hold anything.
  if (events.skipped > 0)
    context.warn(`${events.skipped} lines or log events were not audit events and were skipped.`);
}

function checkFormat(format: string | undefined, context: CliContext): void {
  if (format !== undefined && context.globals().query !== undefined) {
    throw new ValidationError(
      '--format',
      '--query shapes --output; --format prints the whole table. Use one of them.',
    );
  }
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) {
    throw new ValidationError(
      '--format',
      `--format takes ${FORMATS.join(' or ')}; got ${show(format)}. Without it, --output applies.`,
    );
  }
}

interface ReportFlags extends SourceFlags {
  readonly format?: string;
  readonly maxRows?: string;
  readonly baselineDays: string;
  readonly rotationDays?: string;
}

function registerReport(audit: Command, context: CliContext): void {
  const command = sourceOptions(
    audit
      .command('report')
      .summary('an access, changes, incidents or compliance report over a period of audit events')
      .description(
        'Reads audit events from a JSON-lines file or a CloudWatch Logs group and reports on [--since, ' +
          '--until): access (who read what, how often), changes (every write and rotation), incidents ' +
          '(denials, failures, rate limits, new principals and source addresses against a baseline before ' +
          'the period), compliance (secrets overdue for rotation, revoked secrets still asked for, reads ' +
          'without a principal; the secrets are listed through the client). --format markdown|csv prints ' +
          'a table (CSV cells that a spreadsheet would run are defused); otherwise --output applies.',
      )
      .argument('<kind>', REPORT_KINDS.join(', '))
      .option('--format <format>', 'markdown or csv instead of --output')
      .option('--max-rows <n>', 'the most rows kept (1 to 1000000; default 100000)')
      .option('--baseline-days <n>', 'incidents: days before --since that say what is new (1 to 365)', '30')
      .option(
        '--rotation-days <n>',
        'compliance: the rotation period of kinds with none of their own (1 to 3650)',
      ),
  ).action(async (kind: string, flags: ReportFlags) => {
    if (!(REPORT_KINDS as readonly string[]).includes(kind)) {
      throw new ValidationError(
        'kind',
        `keystage audit report takes ${REPORT_KINDS.join(', ')}; got ${show(kind)}.`,
      );
    }
    checkFormat(flags.format, context);
    checkSource(flags);
    const period = periodOf(flags);
    const maxRows =
      flags.maxRows === undefined ? {} : { maxRows: integerFlag(flags.maxRows, '--max-rows', 1, 1_000_000) };
    const options = { ...period, ...maxRows };
    let events: AuditRecordStream;
    let report: Report;
    switch (kind as ReportKind) {
      case 'access':
        events = eventsOf(flags, context, period);
        report = await accessReport(events, options);
        break;
      case 'changes':
        events = eventsOf(flags, context, period);
        report = await changeReport(events, options);
        break;
      case 'incidents': {
        const baselineFrom = new Date(
          period.from.getTime() - integerFlag(flags.baselineDays, '--baseline-days', 1, 365) * DAY_MS,
        );
        // "New" is against the baseline, so the baseline's events are read too.
        events = eventsOf(flags, context, { from: baselineFrom, to: period.to });
        report = await incidentReport(events, { ...options, baselineFrom });
        break;
      }
      case 'compliance': {
        const rotation =
          flags.rotationDays === undefined
            ? {}
            : { defaultRotationDays: integerFlag(flags.rotationDays, '--rotation-days', 1, 3650) };
        events = eventsOf(flags, context, period);
        report = await complianceReport(events, {
          ...options,
          ...rotation,
          secrets: context.client().list(),
        });
        break;
      }
    }
    printReport(context, report, flags.format, events);
  });
  withExamples(command, [
    [
      'keystage audit report access --from-file audit.jsonl --since 2026-04-01 --until 2026-05-01',
      'who read what in April',
    ],
    [
      'keystage audit report incidents --log-group /keystage/audit --since 7d --format markdown',
      'the last week, as Markdown',
    ],
    [
      'keystage audit report changes --from-file audit.jsonl --since 30d --format csv > changes.csv',
      'for a spreadsheet',
    ],
    [
      'keystage audit report compliance --log-group /keystage/audit --since 90d -e prod',
      'rotation and revocation findings',
    ],
  ]);
}

interface MetricsFlags extends SourceFlags {
  readonly secret?: string;
}

function registerMetrics(audit: Command, context: CliContext): void {
  const command = sourceOptions(
    audit
      .command('metrics')
      .summary('usage metrics over a period: accesses, failures, principals, services, peak hour, cache hits')
      .option('--secret <name>', 'one secret only (default every secret)'),
  ).action(async (flags: MetricsFlags) => {
    checkSource(flags);
    const period = periodOf(flags);
    const events = eventsOf(flags, context, period);
    const metrics = await usageMetrics(events, {
      ...period,
      ...(flags.secret === undefined ? {} : { secret: flags.secret }),
    });
    context.print(metrics);
    if (events.skipped > 0)
      context.warn(`${events.skipped} lines or log events were not audit events and were skipped.`);
  });
  withExamples(command, [
    [
      'keystage audit metrics --from-file audit.jsonl --since 24h --secret prod/billing/db',
      'one secret, the last day',
    ],
    [
      'keystage audit metrics --log-group /keystage/audit --since 7d --query cacheHitRatio --output text',
      'one number',
    ],
  ]);
}

interface VerifyFlags extends SourceFlags {
  readonly kmsMacKey?: string;
}

function registerVerify(audit: Command, context: CliContext): void {
  const command = sourceOptions(
    audit
      .command('verify')
      .summary("check an audit trail's hash chain and signed checkpoints; exit 10 when it was changed")
      .description(
        'Verifies one stream of audit events, in stored order: a JSON-lines file (--from-file) or one ' +
          'CloudWatch Logs stream (--log-group and --log-stream). Every deleted, inserted, reordered or ' +
          'altered event and every bad checkpoint is reported with where it is (the line of the file, or ' +
          'the log event time); --kms-mac-key checks checkpoint MACs with the KMS key that signed them. ' +
          'With --since/--until the events are a window of the stream. Exits 10 (as DECODE_ERROR) when the ' +
          'trail is not intact.',
      )
      .option('--kms-mac-key <keyId>', 'the HMAC KMS key of the checkpoints (GenerateMac/VerifyMac)'),
  ).action(async (flags: VerifyFlags) => {
    checkSource(flags);
    if (flags.logGroup !== undefined && flags.logStream.length !== 1) {
      throw new ValidationError('--log-stream', 'A trail is one stream: name it with one --log-stream.');
    }
    const range = flags.since === undefined ? undefined : periodOf(flags);
    if (range === undefined && flags.until !== undefined) {
      throw new ValidationError('--since', '--until needs --since: name the window with both.');
    }
    const trail =
      flags.fromFile !== undefined
        ? await fileTrail(flags.fromFile)
        : await streamTrail(logsClient(context), flags.logGroup!, flags.logStream[0]!, range);
    const events =
      flags.fromFile !== undefined && range !== undefined
        ? trail.events.filter((event) => inRange(event, range))
        : trail.events;
    const places =
      events === trail.events
        ? trail.places
        : trail.places.filter((_, i) => inRange(trail.events[i]!, range!));
    const verifier =
      flags.kmsMacKey === undefined
        ? undefined
        : kmsMacCheckpoints({ keyId: flags.kmsMacKey, kms: sdkKmsClient(context.client().kms) });
    const report = await verifyAuditTrail(events, {
      ...(verifier === undefined ? {} : { verifier }),
      partial: range !== undefined,
    });
    const where = flags.fromFile !== undefined ? 'line' : 'at';
    const problems = report.problems.map((problem) => ({
      ...problem,
      [where]: places[problem.index] ?? 'end',
    }));
    const intact = report.valid && trail.unreadable.length === 0;
    context.print({
      ...report,
      valid: intact,
      problems,
      ...(trail.unreadable.length === 0 ? {} : { unreadable: trail.unreadable }),
      ...(verifier === undefined ? { checkpointsChecked: false } : { checkpointsChecked: true }),
    });
    if (!intact) context.setExitCode(EXIT_TAMPERED);
    if (verifier === undefined) {
      context.info(
        'Checkpoint MACs were not checked (--kms-mac-key): a rewrite of the whole chain would not show.',
      );
    }
  });
  withExamples(command, [
    ['keystage audit verify --from-file audit.jsonl', 'the chain of a file'],
    [
      'keystage audit verify --log-group /keystage/audit --log-stream billing-api --kms-mac-key arn:aws:kms:eu-west-1:123456789012:key/...',
      'a stream, checkpoints checked',
    ],
  ]);
}

/** `keystage audit report|metrics|verify`: the audit trail read back. */
export function registerAudit(program: Command, context: CliContext): void {
  const audit = program.command('audit').summary('audit trail: reports, usage metrics, chain verification');
  registerReport(audit, context);
  registerMetrics(audit, context);
  registerVerify(audit, context);
}
