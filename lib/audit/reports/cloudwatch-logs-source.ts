import type { CloudWatchLogsClient, FilterLogEventsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import { paginate, toKeystageError } from '../../core';
import { ValidationError, show } from '../../errors';
import { parseAuditLine, type AuditRecord } from './audit-record';
import { cloudWatchLogsSdk } from '../cloudwatch-logs-sdk';
import { validatePeriod } from './period';
import { recordStream, type AuditRecordStream } from './record-stream';

export interface CloudWatchLogsEventsOptions {
  /** The client to read with (its region and credentials decide where). */
  readonly client: CloudWatchLogsClient;
  /** The log group the audit sink writes to. */
  readonly logGroupName: string;
  /** The first instant read (included). */
  readonly from: Date;
  /** The end of the range (excluded). */
  readonly to: Date;
  /**
   * Only these streams, 1 to 100 names (FilterLogEvents' limit).
   * @default - every stream of the group
   */
  readonly logStreamNames?: readonly string[];
  /**
   * A CloudWatch Logs filter pattern that narrows the search on the service's side, e.g.
   * `{ $.event_type = "access_denied" }`. Events it lets through are still checked.
   * @default - every event
   */
  readonly filterPattern?: string;
  /**
   * Events per FilterLogEvents page (its `limit`), 1 to 10,000: memory holds one page.
   * @default 10_000
   */
  readonly pageSize?: number;
  /** Cancels the read between (or during) pages. @default - none */
  readonly abortSignal?: AbortSignal;
}

/** CloudWatch Logs' rules for a log group name and a log stream name. */
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const LOG_STREAM_NAME = /^[^:*]{1,512}$/;
const MAX_STREAM_NAMES = 100;
const MAX_PAGE_SIZE = 10_000;

function validateNames(options: CloudWatchLogsEventsOptions): string[] | undefined {
  if (typeof options.logGroupName !== 'string' || !LOG_GROUP_NAME.test(options.logGroupName)) {
    throw new ValidationError(
      'logGroupName',
      `logGroupName ${show(options.logGroupName)} must be 1 to 512 characters from A-Z a-z 0-9 . - _ / #.`,
    );
  }
  const streams = options.logStreamNames;
  if (streams === undefined) return undefined;
  if (!Array.isArray(streams) || streams.length < 1 || streams.length > MAX_STREAM_NAMES) {
    throw new ValidationError(
      'logStreamNames',
      `logStreamNames must list 1 to ${MAX_STREAM_NAMES} stream names (FilterLogEvents' limit); ` +
        `got ${show(streams)}${Array.isArray(streams) ? ` of ${streams.length}` : ''}.`,
    );
  }
  for (const name of streams) {
    if (typeof name !== 'string' || !LOG_STREAM_NAME.test(name)) {
      throw new ValidationError(
        'logStreamNames',
        `log stream name ${show(name)} must be 1 to 512 characters without : or *.`,
      );
    }
  }
  return [...streams];
}

/**
 * Audit records from a CloudWatch Logs group, through FilterLogEvents, page by page as the
 * caller iterates (memory holds one page): every page until `nextToken` is absent or empty.
 * Each pass reads the range again. A log event whose message is not an audit event is
 * skipped and counted in `skipped`, never thrown and never echoed.
 *
 * The range is `[from, to)`; FilterLogEvents' `endTime` includes its instant, so it is sent
 * one millisecond before `to`. Events come interleaved across streams, not necessarily in
 * time order: the metrics and reports do not depend on the order.
 *
 * `@aws-sdk/client-cloudwatch-logs` (an optional peer dependency) is loaded on the first
 * pass, not before.
 * @throws ValidationError when an option is invalid, or (while iterating) the log group does not exist.
 * @throws KeystageError (PERMISSION_DENIED, THROTTLED, SERVICE_UNAVAILABLE, ...) when a page fails.
 * @example
 * const from = new Date('2024-05-01T00:00:00Z');
 * const to = new Date('2024-06-01T00:00:00Z');
 * const client = new CloudWatchLogsClient({});
 * const events = cloudWatchLogsEvents({ client, logGroupName: '/keystage/audit', from, to });
 * const report = await accessReport(events, { from, to });
 */
export function cloudWatchLogsEvents(options: CloudWatchLogsEventsOptions): AuditRecordStream {
  const period = validatePeriod(options.from, options.to);
  const logStreamNames = validateNames(options);
  const { client, logGroupName, filterPattern, abortSignal } = options;
  if (typeof client?.send !== 'function') {
    throw new ValidationError('client', 'client must be a CloudWatchLogsClient.');
  }
  const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new ValidationError(
      'pageSize',
      `pageSize ${show(options.pageSize)} must be an integer from 1 to 10,000.`,
    );
  }
  if (filterPattern !== undefined && typeof filterPattern !== 'string') {
    throw new ValidationError('filterPattern', `filterPattern ${show(filterPattern)} must be a string.`);
  }

  async function page(
    nextToken: string | undefined,
  ): Promise<FilterLogEventsCommandOutput & { NextToken?: string }> {
    const { FilterLogEventsCommand } = cloudWatchLogsSdk();
    const command = new FilterLogEventsCommand({
      logGroupName,
      startTime: period.from,
      endTime: period.to - 1,
      limit: pageSize,
      ...(logStreamNames === undefined ? {} : { logStreamNames }),
      ...(filterPattern === undefined ? {} : { filterPattern }),
      ...(nextToken === undefined ? {} : { nextToken }),
    });
    let output: FilterLogEventsCommandOutput;
    try {
      output = await client.send(command, abortSignal === undefined ? {} : { abortSignal });
    } catch (error) {
      if ((error as { name?: unknown } | null)?.name === 'ResourceNotFoundException') {
        throw new ValidationError(
          'logGroupName',
          `FilterLogEvents found no log group ${show(logGroupName)} in the client's region: check the name and region.`,
          { cause: error },
        );
      }
      throw toKeystageError(error, { operation: 'FilterLogEvents' });
    }
    // The one paginator speaks Secrets Manager's `NextToken`; CloudWatch Logs says `nextToken`.
    return { ...output, NextToken: output.nextToken };
  }

  return recordStream(async function* (): AsyncGenerator<AuditRecord | undefined> {
    for await (const output of paginate(page, 'FilterLogEvents')) {
      for (const event of output.events ?? []) {
        yield typeof event.message === 'string' ? parseAuditLine(event.message) : undefined;
      }
    }
  });
}
