import type { IndexKey } from '../storage/ordered-index';
import { epochSeconds } from '../wire';
import { flag, integer, text, type Run, type SsmContext } from './context';
import { validation } from './faults';
import { filtersOf, selectByFilters, type ParameterFilter } from './filters';
import { REFERENCE_PREFIX, checkPath } from './names';
import { parameterView } from './read-ops';
import type { ParameterRecord } from './records';
import { decodeToken, encodeToken, type PageToken } from './tokens';

/**
 * The most names one call looks at. A page may so hold fewer than MaxResults parameters (even
 * none) and still a NextToken, as the service's pages may: the work of a call is bounded,
 * however many parameters the Region holds.
 */
const MAX_EXAMINED = 1000;

/** A step of a scan: a parameter in range, or (`record` undefined) a subtree passed over. */
interface Step {
  readonly record: ParameterRecord | undefined;
  readonly position: IndexKey;
}

/**
 * The Region's parameters under `path` (`/` or `/a/b/`), in hierarchy order, strictly after
 * `after`. One level down only, unless `recursive`: a deeper subtree is passed over with one
 * seek (`0` follows `/` in code-unit order, so `[/a/b/c0]` is the first key after `/a/b/c/...`).
 */
function* under(ctx: SsmContext, path: string, recursive: boolean, after: IndexKey): Generator<Step> {
  let position = after;
  for (;;) {
    let skipped = false;
    for (const { record, position: at } of ctx.parameters.scan(ctx.region, position)) {
      const hierarchy = at[0] as string;
      if (!hierarchy.startsWith(path)) return;
      const slash = recursive ? -1 : hierarchy.indexOf('/', path.length);
      if (slash >= 0) {
        position = [`${hierarchy.slice(0, slash)}0`];
        yield { record: undefined, position };
        skipped = true;
        break;
      }
      yield { record, position: at };
    }
    if (!skipped) return;
  }
}

/**
 * A page of a scan: up to `max` answers, and the position to go on from when the scan
 * stopped before its end (after `max` answers, or MAX_EXAMINED steps).
 */
function page<T>(
  steps: Generator<Step>,
  max: number,
  answer: (record: ParameterRecord) => T | undefined,
): { items: T[]; next: IndexKey | undefined } {
  const items: T[] = [];
  let examined = 0;
  let last: IndexKey | undefined;
  for (const step of steps) {
    if (items.length === max || examined === MAX_EXAMINED) return { items, next: last };
    examined++;
    last = step.position;
    if (step.record === undefined) continue;
    const item = answer(step.record);
    if (item !== undefined) items.push(item);
  }
  return { items, next: undefined };
}

function tokenOf(kind: PageToken['kind'], scope: string, next: IndexKey | undefined): object {
  return next === undefined ? {} : { NextToken: encodeToken({ kind, scope, position: next }) };
}

/**
 * GetParametersByPath: the parameters one level under a path, or every level with Recursive,
 * in name order, at most MaxResults (10) a page; filtered by Type, KeyId and Label (the
 * version holding the label is the one answered).
 */
export const getParametersByPath: Run = (ctx, body) => {
  const asked = text(body, 'Path')!;
  const path = checkPath(asked);
  if (path.startsWith(REFERENCE_PREFIX)) {
    throw validation(
      `GetParametersByPath doesn't read Secrets Manager references: read each secret with GetParameter or GetParameters as ${REFERENCE_PREFIX}<secret id>.`,
    );
  }
  const recursive = flag(body, 'Recursive') ?? false;
  const filters = filtersOf(body, 'path');
  const withDecryption = flag(body, 'WithDecryption') ?? false;
  const scope = `${recursive ? 'r' : 'o'}${path}`;
  const token = text(body, 'NextToken');
  const after = token === undefined ? [path] : decodeToken(token, 'path', scope);
  const { items, next } = page(
    under(ctx, path, recursive, after),
    integer(body, 'MaxResults') ?? 10,
    (record) => {
      const version = selectByFilters(record, filters);
      return version === undefined ? undefined : parameterView(ctx, record, version, withDecryption);
    },
  );
  return { Parameters: items, ...tokenOf('path', scope, next) };
};

/** The one Path filter a DescribeParameters names, to seek to instead of scanning every name. */
function pathOf(filters: readonly ParameterFilter[]): { path: string; recursive: boolean } | undefined {
  const filter = filters.find((f) => f.key === 'Path');
  if (filter === undefined || filter.values.length !== 1) return undefined;
  return { path: checkPath(filter.values[0]!), recursive: filter.option === 'Recursive' };
}

/** The ParameterMetadata of DescribeParameters: everything about the latest version but its value. */
function metadataOf(
  ctx: SsmContext,
  record: ParameterRecord,
  filters: readonly ParameterFilter[],
): object | undefined {
  const version = selectByFilters(record, filters);
  if (version === undefined) return undefined;
  return {
    Name: record.name,
    ARN: ctx.parameters.arn(record),
    Type: version.type,
    ...(version.keyId === undefined ? {} : { KeyId: version.keyId }),
    LastModifiedDate: epochSeconds(version.modifiedAt),
    LastModifiedUser: version.modifiedBy,
    ...(version.description === undefined ? {} : { Description: version.description }),
    ...(version.allowedPattern === undefined ? {} : { AllowedPattern: version.allowedPattern }),
    Version: version.version,
    Tier: version.tier,
    Policies: [],
    DataType: version.dataType,
  };
}

/**
 * DescribeParameters: the metadata of the Region's parameters in name order, at most
 * MaxResults (10, up to 50) a page, filtered by ParameterFilters (or the deprecated Filters);
 * with Shared, the parameters shared with the account (none here).
 */
export const describeParameters: Run = (ctx, body) => {
  const filters = filtersOf(body, 'describe');
  // Parameters other accounts share through AWS RAM: the endpoint has one account and no RAM.
  if (flag(body, 'Shared') === true) return { Parameters: [] };
  const scope = JSON.stringify(filters);
  const token = text(body, 'NextToken');
  const seek = pathOf(filters);
  const start: IndexKey = seek === undefined ? [] : [seek.path];
  const after = token === undefined ? start : decodeToken(token, 'describe', scope);
  const steps =
    seek === undefined ? under(ctx, '/', true, after) : under(ctx, seek.path, seek.recursive, after);
  const { items, next } = page(steps, integer(body, 'MaxResults') ?? 10, (record) =>
    metadataOf(ctx, record, filters),
  );
  return { Parameters: items, ...tokenOf('describe', scope, next) };
};
