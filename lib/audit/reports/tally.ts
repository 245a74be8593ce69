import { auditEventType } from '../audit-event';
import type { AuditRecord } from './audit-record';

/**
 * A map that holds at most `limit` keys. A key that arrives when it is full is not stored:
 * `get` answers undefined and the caller counts the event in an overflow instead. This is
 * what bounds a report's memory by the number of distinct principals, services and secrets
 * it can list, whatever the number of events.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();
  /** True once a key was turned away. */
  full = false;

  constructor(private readonly limit: number) {}

  /** The entry for `key`, created with `create` when there is room; undefined when full. */
  entry(key: K, create: () => V): V | undefined {
    const found = this.entries.get(key);
    if (found !== undefined) return found;
    if (this.entries.size >= this.limit) {
      this.full = true;
      return undefined;
    }
    const created = create();
    this.entries.set(key, created);
    return created;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  get size(): number {
    return this.entries.size;
  }

  values(): IterableIterator<V> {
    return this.entries.values();
  }
}

/** Count, first and last time of a group of events. */
export interface Span {
  count: number;
  first: number;
  last: number;
}

export function newSpan(): Span {
  return { count: 0, first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY };
}

export function addToSpan(span: Span, time: number): void {
  span.count += 1;
  if (time < span.first) span.first = time;
  if (time > span.last) span.last = time;
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** A composite map key that no choice of strings can make collide. */
export const keyOf = (...parts: ReadonlyArray<string | null>): string => JSON.stringify(parts);

/** `part / whole`, or null when there is no whole (JSON has no NaN). */
export const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

const SECRET_ARN_PREFIX = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:/;
const ARN_SUFFIX = /-[A-Za-z0-9]{6}$/;

/**
 * The secret's name as reports group by it, so one secret is one row however callers named
 * it: a secret ARN counts as its name. Like Secrets Manager, an ARN whose name ends in `-`
 * and six characters is read as a full ARN (that ending is its random suffix).
 */
export function secretNameOf(secret: string | null): string | null {
  const prefix = secret === null ? undefined : SECRET_ARN_PREFIX.exec(secret)?.[0];
  if (secret === null || prefix === undefined) return secret;
  const rest = secret.slice(prefix.length);
  return rest.replace(ARN_SUFFIX, '') || rest;
}

/** True for a change to a secret: a `secret_change` or a `rotation`. */
export const isChange = (record: AuditRecord): boolean =>
  record.event_type === 'secret_change' || record.event_type === 'rotation';

/** True for an operation that ran and failed (a denial or a throttle is not a failure). */
export const isFailure = (record: AuditRecord): boolean =>
  record.success === false &&
  (record.event_type === 'secret_access' || record.event_type === 'secret_metadata' || isChange(record));

/** True for a request to read a value, whatever became of it: served, failed, denied or throttled. */
export const isReadRequest = (record: AuditRecord): boolean =>
  record.event_type === 'secret_access' ||
  ((record.event_type === 'access_denied' || record.event_type === 'rate_limited') &&
    record.action !== null &&
    auditEventType(record.action) === 'secret_access');

/** Strings in code-unit order, null last: the same order on every machine (no locale). */
export function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
