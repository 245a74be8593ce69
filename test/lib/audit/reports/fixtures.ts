import type { AuditEvent } from '../../../../lib/audit/audit-event';

/** The period most tests report on: one day, 2024-05-01 UTC. */
export const FROM = new Date('2024-05-01T00:00:00.000Z');
export const TO = new Date('2024-05-02T00:00:00.000Z');

/** A time in the test day: `at('09:15')` is 2024-05-01T09:15:00.000Z. */
export const at = (clock: string, day = '2024-05-01'): string =>
  new Date(`${day}T${clock}:00.000Z`).toISOString();

/**
 * A complete event in the product's format (every field present), a successful service
 * read by `ana` of billing by default; `overrides` change what a test is about.
 */
export function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    timestamp: at('10:00'),
    event_type: 'secret_access',
    user_id: 'ana',
    user_email: 'ana@example.com',
    service: 'billing',
    secret_name: 'prod/billing/db',
    environment: 'prod',
    action: 'get',
    ip_address: '10.0.0.7',
    user_agent: 'billing-api/1.0',
    success: true,
    cache_hit: false,
    version_id: 'v1'.padEnd(32, '0'),
    reason: null,
    request_id: 'req-0001',
    details: null,
    seq: 1,
    prev: '0'.repeat(64),
    ...overrides,
  };
}

/** A denial of `action` by the access policy. */
export const denial = (overrides: Partial<AuditEvent> = {}): AuditEvent =>
  auditEvent({
    event_type: 'access_denied',
    success: false,
    reason: 'no rule allows read of prod/billing/db',
    version_id: null,
    ...overrides,
  });

/** A change (`put` by default). */
export const change = (overrides: Partial<AuditEvent> = {}): AuditEvent =>
  auditEvent({ event_type: 'secret_change', action: 'put', ...overrides });

/** Events as JSON lines, the way JsonLinesAuditSink writes them. */
export const jsonLines = (events: Iterable<AuditEvent>): string =>
  [...events].map((event) => `${JSON.stringify(event)}\n`).join('');

/** A small seeded PRNG (mulberry32): the same events on every run, no Math.random. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedEventsOptions {
  readonly count: number;
  /** @default 1 */
  readonly seed?: number;
  /** Spread evenly over this many ms from FROM. @default one day */
  readonly spanMs?: number;
  /** @default 20 */
  readonly principals?: number;
  /** @default 5 */
  readonly services?: number;
  /** @default 10 */
  readonly secrets?: number;
  /** Called after each event with how many were made, for probes that sample as they go. */
  readonly onEvent?: (made: number) => void;
}

/**
 * `count` events made one at a time (nothing is kept), in time order: mostly reads, a
 * share of cache hits, denials, throttles and changes, over a bounded set of principals,
 * services and secrets. Deterministic for a seed.
 */
export function* generatedEvents(options: GeneratedEventsOptions): Generator<AuditEvent> {
  const random = seeded(options.seed ?? 1);
  const spanMs = options.spanMs ?? TO.getTime() - FROM.getTime();
  const pick = (n: number): number => Math.floor(random() * n);
  for (let i = 0; i < options.count; i += 1) {
    const roll = random();
    const user = pick(options.principals ?? 20);
    const type: AuditEvent['event_type'] =
      roll < 0.9
        ? 'secret_access'
        : roll < 0.95
          ? 'access_denied'
          : roll < 0.97
            ? 'rate_limited'
            : 'secret_change';
    yield auditEvent({
      timestamp: new Date(FROM.getTime() + Math.floor((i * spanMs) / options.count)).toISOString(),
      event_type: type,
      user_id: `user-${user}`,
      user_email: `user-${user}@example.com`,
      service: `service-${pick(options.services ?? 5)}`,
      secret_name: `prod/app/secret-${pick(options.secrets ?? 10)}`,
      action: type === 'secret_change' ? 'put' : 'get',
      ip_address: `10.0.0.${pick(8)}`,
      success: type === 'secret_access' || type === 'secret_change',
      cache_hit: type === 'secret_access' && random() < 0.7,
      request_id: `req-${i}`,
      seq: i + 1,
    });
    options.onEvent?.(i + 1);
  }
}

/** Every item of an async (or sync) iterable. */
export async function collect<T>(items: AsyncIterable<T> | Iterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
