import type { IndexKey } from '../storage/ordered-index';
import type { Body } from '../wire';
import { flag, groupOf, integer, requiredText, text, textList, type LogsContext, type Run } from './context';
import { invalidParameter } from './faults';
import { compileFilterPattern } from './filter-pattern';
import { EVENT_OVERHEAD, type GroupRecord, type StoredEvent } from './store';
import { decodeToken, encodeToken, type PageToken } from './tokens';

const DAY_MS = 86_400_000;

/** What one page of events may weigh, as GetLogEvents and FilterLogEvents pages do: 1 MB. */
const PAGE_BYTES = 1_048_576;

/** FilterLogEvents newest-first only from this date (2024-01-01T00:00:00Z), as the reference says. */
const DESCENDING_FROM = Date.UTC(2024, 0, 1);

/** The first timestamp a group still shows: events older than its retention are gone. */
function retentionFloor(ctx: LogsContext, group: GroupRecord): number {
  return group.retentionInDays === undefined ? 0 : ctx.now() - group.retentionInDays * DAY_MS;
}

/*
 * Positions for seeking with strict bounds: event keys are [timestamp, batch, index] of
 * integers, so [t - 0.5] sorts just before every event at t, [t + 0.5] just after, and
 * [...key, 0] just after the key itself (longer keys sort after their prefix).
 */
const beforeTime = (t: number): IndexKey => [t - 0.5];
const afterTime = (t: number): IndexKey => [t + 0.5];
const justAfter = (key: IndexKey): IndexKey => [...key, 0];
const justBefore = (key: IndexKey): IndexKey => [...key.slice(0, -1), Number(key[key.length - 1]) - 0.5];

/** Where a scan starts from a token: strictly after its position, or at it when inclusive. */
function resume(token: PageToken): IndexKey {
  if (!token.inclusive) return token.position;
  return token.direction === 'f' ? justBefore(token.position) : justAfter(token.position);
}

/** Collects events while they fit a page: `limit` events and 1 MB. */
class Page {
  readonly events: StoredEvent[] = [];
  #bytes = 0;

  constructor(private readonly limit: number) {}

  /** Adds the event, or answers false when the page is full. */
  offer(event: StoredEvent): boolean {
    const size = event.bytes + EVENT_OVERHEAD;
    if (this.events.length >= this.limit || (this.events.length > 0 && this.#bytes + size > PAGE_BYTES)) {
      return false;
    }
    this.events.push(event);
    this.#bytes += size;
    return true;
  }
}

function getLogEvents(ctx: LogsContext, body: Body): object {
  const group = groupOf(ctx, body);
  const stream = ctx.logs.resolveStream(ctx.tx, group, requiredText(body, 'logStreamName'));
  const from = Math.max(integer(body, 'startTime') ?? 0, retentionFloor(ctx, group));
  const until = integer(body, 'endTime');
  const nextToken = text(body, 'nextToken');
  const token = nextToken === undefined ? undefined : decodeToken(nextToken, 'events');
  const forward = token === undefined ? flag(body, 'startFromHead') === true : token.direction === 'f';
  const page = new Page(integer(body, 'limit') ?? 10_000);
  const inRange = (event: StoredEvent) =>
    event.timestamp >= from && (until === undefined || event.timestamp < until);
  if (forward) {
    for (const event of ctx.logs.streamEvents(stream.id, false, token ? resume(token) : beforeTime(from))) {
      if (until !== undefined && event.timestamp >= until) break;
      if (!inRange(event)) continue;
      if (!page.offer(event)) break;
    }
  } else {
    const start = token ? resume(token) : until === undefined ? undefined : beforeTime(until);
    for (const event of ctx.logs.streamEvents(stream.id, true, start)) {
      if (event.timestamp < from) break;
      if (!inRange(event)) continue;
      if (!page.offer(event)) break;
    }
    page.events.reverse();
  }
  const first = page.events[0];
  const last = page.events[page.events.length - 1];
  let forwardToken: PageToken;
  let backwardToken: PageToken;
  if (first !== undefined && last !== undefined) {
    forwardToken = { kind: 'events', direction: 'f', position: last.key, inclusive: false };
    backwardToken = { kind: 'events', direction: 'b', position: first.key, inclusive: false };
  } else if (token !== undefined) {
    // The end of the stream that way: the same token, and one turning back from where it stood.
    const turned = {
      ...token,
      direction: token.direction === 'f' ? 'b' : 'f',
      inclusive: !token.inclusive,
    } as const;
    forwardToken = token.direction === 'f' ? token : turned;
    backwardToken = token.direction === 'b' ? token : turned;
  } else {
    forwardToken = { kind: 'events', direction: 'f', position: beforeTime(from), inclusive: false };
    backwardToken = { kind: 'events', direction: 'b', position: beforeTime(from), inclusive: false };
  }
  return {
    events: page.events.map((event) => ({
      timestamp: event.timestamp,
      message: event.message,
      ingestionTime: event.batch.ingestedAt,
    })),
    nextForwardToken: encodeToken(forwardToken),
    nextBackwardToken: encodeToken(backwardToken),
  };
}

function filterLogEvents(ctx: LogsContext, body: Body): object {
  const group = groupOf(ctx, body);
  const names = textList(body, 'logStreamNames');
  const prefix = text(body, 'logStreamNamePrefix');
  if (names !== undefined && prefix !== undefined) {
    throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive: pass one.');
  }
  const streams =
    names === undefined
      ? undefined
      : new Set(names.map((name) => ctx.logs.resolveStream(ctx.tx, group, name).id));
  const matches = compileFilterPattern(text(body, 'filterPattern'));
  const startTime = integer(body, 'startTime');
  const nextToken = text(body, 'nextToken');
  const token = nextToken === undefined ? undefined : decodeToken(nextToken, 'filter');
  const ascending = token === undefined ? (flag(body, 'startFromHead') ?? true) : token.direction === 'f';
  if (token === undefined && !ascending && startTime !== undefined && startTime < DESCENDING_FROM) {
    throw invalidParameter(
      'startFromHead false (newest first) is supported only with a startTime on or after 2024-01-01T00:00:00Z.',
    );
  }
  const from = Math.max(startTime ?? 0, retentionFloor(ctx, group));
  // FilterLogEvents' endTime is inclusive ("later than this time are not returned").
  const until = integer(body, 'endTime');
  const wanted = (event: StoredEvent): boolean => {
    if (event.timestamp < from || (until !== undefined && event.timestamp > until)) return false;
    if (streams !== undefined && !streams.has(event.batch.streamId)) return false;
    if (prefix !== undefined && !(ctx.logs.streamName(event.batch.streamId) ?? '').startsWith(prefix))
      return false;
    return matches(event.message);
  };
  const start =
    token !== undefined
      ? resume(token)
      : ascending
        ? beforeTime(from)
        : until === undefined
          ? undefined
          : afterTime(until);
  const page = new Page(integer(body, 'limit') ?? 10_000);
  let more = false;
  for (const event of ctx.logs.groupEvents(group.id, !ascending, start)) {
    if (ascending ? until !== undefined && event.timestamp > until : event.timestamp < from) break;
    if (!wanted(event)) continue;
    if (!page.offer(event)) {
      // The next page starts after the last event returned; there is one, so say so.
      more = true;
      break;
    }
  }
  const last = page.events[page.events.length - 1];
  return {
    events: page.events.map((event) => ({
      logStreamName: ctx.logs.streamName(event.batch.streamId) ?? '',
      timestamp: event.timestamp,
      message: event.message,
      ingestionTime: event.batch.ingestedAt,
      eventId: `${String(event.batch.id).padStart(24, '0')}${String(event.key[2]).padStart(8, '0')}`,
    })),
    // Deprecated since 2020: always an empty list.
    searchedLogStreams: [],
    ...(more && last !== undefined
      ? {
          nextToken: encodeToken({
            kind: 'filter',
            direction: ascending ? 'f' : 'b',
            position: last.key,
            inclusive: false,
          }),
        }
      : {}),
  };
}

/** Reading events: a stream's, and a group's searched. */
export const READ_OPERATIONS = {
  GetLogEvents: getLogEvents,
  FilterLogEvents: filterLogEvents,
} satisfies Record<string, Run>;
