import { ServiceFault } from '../fault';
import { optionalBoolean, optionalNumber, optionalString, type Body } from '../wire';
import type { SmContext } from './context';
import { filterMatches, filtersOf } from './list-filters';
import type { SecretRecord } from './records';
import type { SortBy } from './store';

/** Entries looked at per page at most, so a page costs the same however selective the filters. */
const MAX_SCANNED_PER_PAGE = 10_000;

interface ListPosition {
  readonly v: 1;
  readonly by: SortBy;
  readonly desc: boolean;
  readonly key: ReadonlyArray<string | number>;
}

const invalidToken = (why: string) =>
  new ServiceFault(
    'InvalidNextTokenException',
    `The NextToken value is invalid${why}. Start again without NextToken.`,
  );

function decodePosition(token: string, by: SortBy, desc: boolean): ListPosition {
  let position: ListPosition;
  try {
    position = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ListPosition;
  } catch {
    throw invalidToken('');
  }
  if (
    typeof position !== 'object' ||
    position === null ||
    position.v !== 1 ||
    !Array.isArray(position.key) ||
    !position.key.every((part) => typeof part === 'string' || typeof part === 'number')
  ) {
    throw invalidToken('');
  }
  if (position.by !== by || position.desc !== desc) throw invalidToken(' for this SortBy and SortOrder');
  return position;
}

/**
 * One page of the secrets visible in the caller's region that pass the filters, in the
 * order asked for (SortBy, default created-date; SortOrder, default asc). The token is a
 * position in that order, not an offset, so it stays valid while secrets are created and
 * deleted: a secret that exists throughout is listed exactly once. MaxResults was checked
 * against the operation's shape.
 */
export function pageOfSecrets(
  ctx: SmContext,
  body: Body,
  defaultSize: number,
): { page: SecretRecord[]; NextToken?: string } {
  const filters = filtersOf(body);
  const size = optionalNumber(body, 'MaxResults') ?? defaultSize;
  const by = (optionalString(body, 'SortBy') ?? 'created-date') as SortBy;
  const desc = (optionalString(body, 'SortOrder') ?? 'asc') === 'desc';
  const token = optionalString(body, 'NextToken');
  const after = token === undefined ? undefined : decodePosition(token, by, desc).key;
  const includeDeleted = optionalBoolean(body, 'IncludePlannedDeletion') ?? false;
  const page: SecretRecord[] = [];
  let scanned = 0;
  let last: SecretRecord | undefined;
  let more = false;
  for (const record of ctx.store.scan(ctx.region, by, desc, after)) {
    if (page.length === size || scanned === MAX_SCANNED_PER_PAGE) {
      more = true;
      break;
    }
    scanned++;
    last = record;
    if (!includeDeleted && record.deletionDate !== undefined) continue;
    if (filters.every((filter) => filterMatches(record, filter))) page.push(record);
  }
  if (!more || last === undefined) return { page };
  const position: ListPosition = { v: 1, by, desc, key: ctx.store.positionOf(last, by) };
  return { page, NextToken: Buffer.from(JSON.stringify(position)).toString('base64url') };
}

/** Pages of a short list that lives in one record: positions are offsets. */
export function paginate<T>(
  items: readonly T[],
  body: Body,
  defaultSize: number,
): { page: T[]; NextToken?: string } {
  const size = optionalNumber(body, 'MaxResults') ?? defaultSize;
  const token = optionalString(body, 'NextToken');
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64').toString('utf8'));
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw invalidToken('');
  const end = start + size;
  return {
    page: items.slice(start, end),
    ...(end < items.length ? { NextToken: Buffer.from(String(end)).toString('base64') } : {}),
  };
}
