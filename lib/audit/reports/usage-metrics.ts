import { ValidationError, show } from '../../errors';
import { eventTime } from './audit-record';
import { HOUR_MS, inPeriod, reportPeriod, validateCount, validatePeriod, type ReportPeriod } from './period';
import type { AuditRecordSource } from './record-stream';
import { BoundedMap, compareNullable, iso, ratio, secretNameOf } from './tally';

export interface UsageMetricsOptions {
  /** The secret's name (a full ARN counts as its name). @default - every secret */
  readonly secret?: string;
  /** The start of the period (included). */
  readonly from: Date;
  /** The end of the period (excluded). */
  readonly to: Date;
  /**
   * How many distinct principals and how many distinct services are tracked. Past either
   * cap, further ones are not stored: the unique counts become lower bounds, their accesses
   * go to `unlistedServiceAccesses`, and `truncated` is set. Memory is O(maxDistinct + hours
   * in the period with accesses), whatever the number of events.
   * @default 10_000
   */
  readonly maxDistinct?: number;
}

/** Accesses from one service (null: events that name none). */
export interface ServiceUsage {
  readonly service: string | null;
  readonly count: number;
}

/**
 * Usage of a secret (or of all) over a period. An access is a `secret_access` event (a
 * read of a value, served by the service or the cache, successful or not); denials and
 * throttles are separate event types and counted apart. The Logs Insights queries compute
 * the same numbers.
 */
export interface UsageMetrics {
  readonly kind: 'usage';
  /** null: every secret. */
  readonly secret: string | null;
  readonly period: ReportPeriod;
  readonly totalAccesses: number;
  /** Accesses that failed (success false), included in totalAccesses. */
  readonly failedAccesses: number;
  /** Distinct `user_id`s among the accesses (accesses without one count none). */
  readonly uniquePrincipals: number;
  /** Distinct `service`s among the accesses. */
  readonly uniqueServices: number;
  /** totalAccesses over the period's length in hours. */
  readonly averagePerHour: number;
  /** The UTC clock hour with the most accesses (the earliest of equals); null without accesses. */
  readonly peakHour: { readonly start: string; readonly count: number } | null;
  /** Most accesses first; ties by service name. */
  readonly perService: readonly ServiceUsage[];
  /** Accesses from services past `maxDistinct`, not in perService. */
  readonly unlistedServiceAccesses: number;
  readonly cacheHits: number;
  /** cacheHits / totalAccesses; null without accesses. */
  readonly cacheHitRatio: number | null;
  /** `access_denied` events. */
  readonly denials: number;
  /** `rate_limited` events. */
  readonly rateLimited: number;
  /** True when a `maxDistinct` cap was reached (see there). */
  readonly truncated: boolean;
}

function validateSecret(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value === '') {
    throw new ValidationError('secret', `secret ${show(value)} must be a secret name.`);
  }
  return secretNameOf(value);
}

/**
 * Usage metrics over `[from, to)`, computed in one streaming pass: events are counted as
 * they arrive, in any order, and none is kept. Memory is bounded by `maxDistinct` and the
 * number of hours in the period.
 * @throws ValidationError when an option is invalid; whatever the source throws.
 * @example
 * const metrics = await usageMetrics(jsonLinesEvents({ path: 'audit.jsonl' }), {
 *   secret: 'prod/billing/db',
 *   from: new Date('2024-05-01T00:00:00Z'),
 *   to: new Date('2024-05-02T00:00:00Z'),
 * });
 * // { totalAccesses: 1200, uniqueServices: 2, peakHour: { start: '2024-05-01T09:00:00.000Z', count: 210 }, ... }
 */
export async function usageMetrics(
  events: AuditRecordSource,
  options: UsageMetricsOptions,
): Promise<UsageMetrics> {
  const period = validatePeriod(options.from, options.to);
  const secret = validateSecret(options.secret);
  const maxDistinct = validateCount(options.maxDistinct, 'maxDistinct', 10_000);

  let totalAccesses = 0;
  let failedAccesses = 0;
  let cacheHits = 0;
  let denials = 0;
  let rateLimited = 0;
  let unlistedServiceAccesses = 0;
  const principals = new BoundedMap<string, true>(maxDistinct);
  const services = new BoundedMap<string | null, { service: string | null; count: number }>(maxDistinct);
  // Keyed by hours since the epoch; at most one entry per hour of the period.
  const hours = new Map<number, number>();

  for await (const record of events) {
    const time = eventTime(record.timestamp);
    if (!inPeriod(period, time)) continue;
    if (secret !== null && secretNameOf(record.secret_name) !== secret) continue;
    if (record.event_type === 'access_denied') denials += 1;
    else if (record.event_type === 'rate_limited') rateLimited += 1;
    if (record.event_type !== 'secret_access') continue;

    totalAccesses += 1;
    if (record.success === false) failedAccesses += 1;
    if (record.cache_hit === true) cacheHits += 1;
    if (record.user_id !== null) principals.entry(record.user_id, () => true);
    const usage = services.entry(record.service, () => ({ service: record.service, count: 0 }));
    if (usage === undefined) unlistedServiceAccesses += 1;
    else usage.count += 1;
    const hour = Math.floor(time / HOUR_MS);
    hours.set(hour, (hours.get(hour) ?? 0) + 1);
  }

  let peak: { hour: number; count: number } | undefined;
  for (const [hour, count] of hours) {
    if (peak === undefined || count > peak.count || (count === peak.count && hour < peak.hour)) {
      peak = { hour, count };
    }
  }
  const perService = [...services.values()]
    .map(({ service, count }) => ({ service, count }))
    .sort((a, b) => b.count - a.count || compareNullable(a.service, b.service));

  return {
    kind: 'usage',
    secret,
    period: reportPeriod(period),
    totalAccesses,
    failedAccesses,
    uniquePrincipals: principals.size,
    uniqueServices: [...services.values()].filter((usage) => usage.service !== null).length,
    averagePerHour: totalAccesses / ((period.to - period.from) / HOUR_MS),
    peakHour: peak === undefined ? null : { start: iso(peak.hour * HOUR_MS), count: peak.count },
    perService,
    unlistedServiceAccesses,
    cacheHits,
    cacheHitRatio: ratio(cacheHits, totalAccesses),
    denials,
    rateLimited,
    truncated: principals.full || services.full,
  };
}
