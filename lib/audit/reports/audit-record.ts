import type { AuditAction, AuditChainField, AuditEntry, AuditEvent, AuditEventType } from '../audit-event';

/**
 * An audit event as the reports read it back: the product's format (lib/audit/audit-event.ts),
 * checked. The chain fields are kept when the line has them (keystage's sinks write them; a
 * sink of your own may not). Reports read these fields and never copy `details`.
 */
export type AuditRecord = AuditEntry & Partial<Pick<AuditEvent, AuditChainField>>;

/** Every event type and action, as records so the compiler notices one added to the format. */
const EVENT_TYPES: Readonly<Record<AuditEventType, true>> = {
  secret_access: true,
  secret_metadata: true,
  secret_change: true,
  rotation: true,
  access_denied: true,
  rate_limited: true,
  audit_checkpoint: true,
  secret_distribution_issued: true,
  secret_distribution_opened: true,
  secret_distribution_refused: true,
  secret_distribution_revoked: true,
};
const ACTIONS: Readonly<Record<AuditAction, true>> = {
  get: true,
  getJson: true,
  getBinary: true,
  getMany: true,
  getAll: true,
  getByPath: true,
  listParameters: true,
  prefetch: true,
  withSecret: true,
  describe: true,
  describeParameter: true,
  list: true,
  environments: true,
  versions: true,
  create: true,
  put: true,
  rollback: true,
  rotate: true,
  revoke: true,
  restore: true,
  delete: true,
  undelete: true,
  tag: true,
  untag: true,
  restoreBackup: true,
  diff: true,
  exists: true,
  test: true,
};

/** The fields that hold a string or `null`. */
const TEXT_FIELDS = [
  'user_id',
  'user_email',
  'service',
  'secret_name',
  'environment',
  'ip_address',
  'user_agent',
  'version_id',
  'reason',
  'request_id',
] as const satisfies ReadonlyArray<keyof AuditEntry>;

/** `YYYY-MM-DDTHH:MM:SS[.fff]Z` or with an offset: the shapes Date.parse reads the same everywhere. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Milliseconds since the epoch of an ISO-8601 timestamp, or NaN.
 * @example
 * eventTime('2024-05-01T12:00:00.000Z'); // 1714564800000
 */
export function eventTime(timestamp: string): number {
  return ISO_TIME.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
}

const own = (record: object, key: string): boolean => Object.prototype.hasOwnProperty.call(record, key);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasFormat(value: Record<string, unknown>): boolean {
  const { timestamp, event_type: type, action, success, cache_hit: cacheHit, details, seq, prev } = value;
  if (typeof timestamp !== 'string' || !Number.isFinite(eventTime(timestamp))) return false;
  if (typeof type !== 'string' || !own(EVENT_TYPES, type)) return false;
  if (action !== null && (typeof action !== 'string' || !own(ACTIONS, action))) return false;
  if (typeof success !== 'boolean' || typeof cacheHit !== 'boolean') return false;
  if (details !== null && !isPlainObject(details)) return false;
  if (!TEXT_FIELDS.every((field) => value[field] === null || typeof value[field] === 'string')) return false;
  if (seq !== undefined && !(Number.isSafeInteger(seq) && (seq as number) >= 1)) return false;
  return prev === undefined || (typeof prev === 'string' && SHA256_HEX.test(prev));
}

/**
 * `value` as an {@link AuditRecord}, or undefined when it is not one: a JSON object with
 * every field of the format, each of its type (absent values are `null`, never missing),
 * an ISO-8601 `timestamp`, a known `event_type` and `action`. `seq` and `prev` may be
 * missing. Fields the format does not have are dropped, so nothing unknown travels on.
 * @example
 * const record = toAuditRecord(JSON.parse(line));
 * if (record === undefined) skipped += 1;
 */
export function toAuditRecord(value: unknown): AuditRecord | undefined {
  if (!isPlainObject(value) || !hasFormat(value)) return undefined;
  const event = value as unknown as AuditEvent;
  return {
    timestamp: event.timestamp,
    event_type: event.event_type,
    user_id: event.user_id,
    user_email: event.user_email,
    service: event.service,
    secret_name: event.secret_name,
    environment: event.environment,
    action: event.action,
    ip_address: event.ip_address,
    user_agent: event.user_agent,
    success: event.success,
    cache_hit: event.cache_hit,
    version_id: event.version_id,
    reason: event.reason,
    request_id: event.request_id,
    details: event.details,
    ...(value.seq === undefined ? {} : { seq: event.seq }),
    ...(value.prev === undefined ? {} : { prev: event.prev }),
  };
}

/**
 * A line of text as an {@link AuditRecord}, or undefined when it is not JSON or not an
 * audit event. Never throws, and never puts the line anywhere: a junk line may hold anything.
 * @example
 * const record = parseAuditLine(line); // undefined for 'not json', '[]', '{"a":1}'
 */
export function parseAuditLine(line: string): AuditRecord | undefined {
  const trimmed = line.trim();
  // Only an object can be an event; this passes over most junk without JSON.parse.
  if (!trimmed.startsWith('{')) return undefined;
  try {
    return toAuditRecord(JSON.parse(trimmed));
  } catch {
    return undefined;
  }
}
