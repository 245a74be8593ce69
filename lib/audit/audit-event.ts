/**
 * The audit trail's event format: one JSON object per event, snake_case, every field always
 * present (`null` when absent), so CloudWatch Logs Insights queries, the reports and any SIEM
 * read the same shape. The schema has no field for a secret value: an event says who did
 * what to which secret, whether it worked, and where it sits in its stream's hash chain.
 */

/** The SecretsClient methods, as events name them in `action`. */
export type AuditAction =
  | 'get'
  | 'getJson'
  | 'getBinary'
  | 'getMany'
  | 'getAll'
  | 'getByPath'
  | 'listParameters'
  | 'prefetch'
  | 'withSecret'
  | 'describe'
  | 'describeParameter'
  | 'list'
  | 'environments'
  | 'versions'
  | 'create'
  | 'put'
  | 'rollback'
  | 'rotate'
  | 'revoke'
  | 'restore'
  | 'delete'
  | 'undelete'
  | 'tag'
  | 'untag'
  | 'restoreBackup'
  | 'diff'
  | 'exists'
  | 'test';

/**
 * What kind of event: a value read, metadata read, a change, a rotation, a refusal by the
 * access policy (or the service), a refusal by a rate limit, or a signed checkpoint; and for
 * sealed distribution (`keystage/distribution`), an envelope issued, opened, refused
 * (expired, used up, revoked, denied, tampered; `reason` says which) or revoked.
 */
export type AuditEventType =
  | 'secret_access'
  | 'secret_metadata'
  | 'secret_change'
  | 'rotation'
  | 'access_denied'
  | 'rate_limited'
  | 'audit_checkpoint'
  | 'secret_distribution_issued'
  | 'secret_distribution_opened'
  | 'secret_distribution_refused'
  | 'secret_distribution_revoked';

/** Non-secret extras: rule ids, version ids, counts, tag keys. Keys are snake_case. */
export type AuditDetails = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

/**
 * One audit event as it is written: the product's fields plus the chain fields. Absent values
 * are `null`, never missing, so every event has the same keys.
 * @example
 * // A cache hit, as CloudWatch Logs stores it (one line; wrapped here):
 * // {"action":"get","cache_hit":true,"details":null,"environment":"prod",
 * //  "event_type":"secret_access","ip_address":"10.0.0.7","prev":"9f2c…","reason":null,
 * //  "request_id":"1b4e…","secret_name":"prod/billing/stripe","seq":42,"service":"billing",
 * //  "success":true,"timestamp":"2026-05-01T12:00:00.000Z","user_agent":null,
 * //  "user_email":"ana@example.com","user_id":"ana","version_id":"a1b2…"}
 */
export interface AuditEvent {
  /** ISO-8601 with milliseconds, UTC: when the operation finished. */
  readonly timestamp: string;
  readonly event_type: AuditEventType;
  /** The principal's id. */
  readonly user_id: string | null;
  readonly user_email: string | null;
  /** The principal's service (the caller's, not the secret's). */
  readonly service: string | null;
  /** The secret as the caller named it (a name or an ARN); null for calls about many. */
  readonly secret_name: string | null;
  /** The secret's environment when the operation knows it, else the principal's. */
  readonly environment: string | null;
  /** The SecretsClient method; null for a checkpoint and a distribution event (its `event_type` says what). */
  readonly action: AuditAction | null;
  readonly ip_address: string | null;
  readonly user_agent: string | null;
  readonly success: boolean;
  /** True when the read cache answered without calling the service. */
  readonly cache_hit: boolean;
  /** The version read or written, when the operation knows it. */
  readonly version_id: string | null;
  /** Why: the deny reason, the error code of a failure, or the reason given to `revoke`. */
  readonly reason: string | null;
  /** One id per SecretsClient call; events of one call (a `getMany`) share it. */
  readonly request_id: string | null;
  readonly details: AuditDetails | null;
  /** Position in the stream, from 1. */
  readonly seq: number;
  /** Hex SHA-256 of the previous event's canonical JSON in the stream; 64 zeros for the first. */
  readonly prev: string;
}

/** The chain fields, which the sink that writes an event adds. */
export type AuditChainField = 'seq' | 'prev';

/** An event before a sink places it in its stream: everything but `seq` and `prev`. */
export type AuditEntry = Omit<AuditEvent, AuditChainField>;

/** The `prev` of a stream's first event. */
export const GENESIS_PREV = '0'.repeat(64);

/** Counters a sink keeps; `dropped` is what fail-open lost. */
export interface AuditSinkStats {
  /** Events handed to the sink. */
  readonly recorded: number;
  /** Events the destination accepted (checkpoints are counted apart). */
  readonly written: number;
  /** Events lost: buffer full, destination failing, rejected by it, or the sink closed. */
  readonly dropped: number;
  /** Events waiting to be written. */
  readonly buffered: number;
  /** Checkpoints written. */
  readonly checkpoints: number;
  /** Checkpoints that could not be signed (the key was unavailable); retried at the next one. */
  readonly checkpointFailures: number;
}

/**
 * Where audit events go. keystage's sinks (`CloudWatchLogsAuditSink`, `JsonLinesAuditSink`)
 * add the chain fields, sign checkpoints and batch; a sink of your own receives entries
 * without them.
 * @example
 * const events: AuditEntry[] = [];
 * const sink: AuditSink = { record: (entry) => void events.push(entry) };
 * const secrets = new SecretsClient({ audit: sink });
 */
export interface AuditSink {
  /**
   * Takes one event. With `acknowledge` false (fail-open) it must not wait: queue the event
   * and return. With `acknowledge` true (fail-closed) the returned promise resolves once the
   * destination has accepted the event and rejects when it cannot; the call's answer waits
   * for it.
   */
  record(entry: AuditEntry, acknowledge: boolean): void | Promise<void>;
  /** Writes what is buffered. @default - nothing buffered */
  flush?(): Promise<void>;
  /** Flushes, writes a final checkpoint and stops background work. @default - nothing to stop */
  close?(): Promise<void>;
  /** @default - no counters */
  stats?(): AuditSinkStats;
}

/** The event type of an operation that went ahead (denials and rate limits have their own). */
const EVENT_TYPES: Readonly<Record<AuditAction, AuditEventType>> = Object.freeze({
  get: 'secret_access',
  getJson: 'secret_access',
  getBinary: 'secret_access',
  getMany: 'secret_access',
  getAll: 'secret_access',
  // SSM parameters: a path's values, and the listing of its names that comes first.
  getByPath: 'secret_access',
  listParameters: 'secret_metadata',
  prefetch: 'secret_access',
  withSecret: 'secret_access',
  describe: 'secret_metadata',
  describeParameter: 'secret_metadata',
  list: 'secret_metadata',
  environments: 'secret_metadata',
  versions: 'secret_metadata',
  create: 'secret_change',
  put: 'secret_change',
  rollback: 'secret_change',
  delete: 'secret_change',
  undelete: 'secret_change',
  tag: 'secret_change',
  untag: 'secret_change',
  restore: 'secret_change',
  revoke: 'secret_change',
  rotate: 'rotation',
  // A restore's writes, each recorded with its step (create, put-version, move-label, ...).
  restoreBackup: 'secret_change',
  // diff and test read the values of the versions they compare or check.
  diff: 'secret_access',
  exists: 'secret_metadata',
  test: 'secret_access',
});

/**
 * The event type of `action` when it was not refused.
 * @example
 * auditEventType('getJson'); // 'secret_access'
 * auditEventType('rotate'); // 'rotation'
 */
export function auditEventType(action: AuditAction): AuditEventType {
  return EVENT_TYPES[action];
}

/**
 * The event types of reads, which `auditReads: false` leaves out when they go ahead.
 * @example
 * const reads = events.filter((event) => isReadEvent(event.event_type));
 */
export function isReadEvent(type: AuditEventType): boolean {
  return type === 'secret_access' || type === 'secret_metadata';
}
