import type * as LogsSdk from '@aws-sdk/client-cloudwatch-logs';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { cloudWatchLogsSdk, type AuditEvent } from '../../audit';
import { toKeystageError } from '../../core';
import { ValidationError, show } from '../../errors';

// `keystage audit verify` reads a trail whole and in stored order, keeping where each event was
// (a line, a log event time) and what was no event at all: the report readers of keystage/audit
// stream events and skip what they cannot read, which is right for reports, not for a verdict.

/** A time window, `[from, to)`. */
export interface Period {
  readonly from: Date;
  readonly to: Date;
}

/** A trail read back, in stored order, with where each event came from. */
export interface ReadTrail {
  readonly events: AuditEvent[];
  /** Where events[i] is: a line number of the file, or a log event's timestamp. */
  readonly places: Array<number | string>;
  /** Lines of the file (or 1-based positions in the stream) that hold no JSON object: a trail with one is not intact. */
  readonly unreadable: number[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One stored line or log event: an event of the trail, or a place that holds none. */
function take(trail: ReadTrail, text: string, place: number | string, position: number): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (isRecord(parsed)) {
    trail.events.push(parsed as unknown as AuditEvent);
    trail.places.push(place);
  } else {
    trail.unreadable.push(position);
  }
}

/** A JSON-lines file's events, with each one's line number. */
export async function fileTrail(path: string): Promise<ReadTrail> {
  const trail: ReadTrail = { events: [], places: [], unreadable: [] };
  const unreadable = (error: unknown): ValidationError =>
    new ValidationError(
      '--from-file',
      `--from-file: cannot read ${show(path)} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}).`,
    );
  const stream = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  }).catch((error: unknown) => {
    throw unreadable(error);
  });
  let line = 0;
  try {
    for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
      line += 1;
      if (text.trim() !== '') take(trail, text, line, line);
    }
  } catch (error) {
    throw unreadable(error);
  }
  return trail;
}

/** One log stream's events (within `range`), with each one's time. */
export async function streamTrail(
  client: LogsSdk.CloudWatchLogsClient,
  logGroupName: string,
  logStreamName: string,
  range: Period | undefined,
): Promise<ReadTrail> {
  const { GetLogEventsCommand } = cloudWatchLogsSdk();
  const trail: ReadTrail = { events: [], places: [], unreadable: [] };
  let nextToken: string | undefined;
  try {
    for (;;) {
      const page = await client.send(
        new GetLogEventsCommand({
          logGroupName,
          logStreamName,
          startFromHead: true,
          ...(nextToken === undefined ? {} : { nextToken }),
          ...(range === undefined
            ? {}
            : { startTime: range.from.getTime(), endTime: range.to.getTime() - 1 }),
        }),
      );
      for (const event of page.events ?? []) {
        const position = trail.events.length + trail.unreadable.length + 1;
        take(trail, event.message ?? '', new Date(event.timestamp ?? 0).toISOString(), position);
      }
      if ((page.events ?? []).length === 0 || page.nextForwardToken === nextToken) break;
      nextToken = page.nextForwardToken;
    }
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name === 'ResourceNotFoundException') {
      throw new ValidationError(
        '--log-stream',
        `GetLogEvents found no stream ${show(logStreamName)} in log group ${show(logGroupName)}: check the names and the region.`,
      );
    }
    throw toKeystageError(error, { operation: 'GetLogEvents' });
  }
  return trail;
}

/** Whether an event's timestamp is in the window. */
export function inRange(event: AuditEvent, range: Period): boolean {
  const time = Date.parse(String((event as { timestamp?: unknown }).timestamp));
  return time >= range.from.getTime() && time < range.to.getTime();
}
