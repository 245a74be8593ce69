/**
 * CloudWatch Logs Insights queries that compute the reports on AWS, at any scale, over the
 * log group the audit sink writes to. Run one with StartQuery (or the console) over the
 * period as the query's time range: the range is the query's, so none is written here.
 * Insights discovers the fields of the JSON events itself; it reads `true`/`false` as 1/0,
 * so `sum(cache_hit)` counts hits and `avg(cache_hit)` is the hit ratio. `bin(1h)` buckets
 * by the log event's time, which the sink sets to the event's `timestamp`. The definitions
 * match the library's: an access is a `secret_access` event, successful or not.
 */

/**
 * Usage per secret: accesses, distinct principals and services, cache hits, most used first.
 * The same numbers as `usageMetrics` without a `secret`, per secret.
 * @example
 * await logs.send(new StartQueryCommand({ logGroupName, startTime, endTime, queryString: USAGE_PER_SECRET_QUERY }));
 */
export const USAGE_PER_SECRET_QUERY = [
  'filter event_type = "secret_access"',
  '| stats count(*) as accesses, count_distinct(user_id) as principals, count_distinct(service) as services, sum(cache_hit) as cache_hits by secret_name',
  '| sort accesses desc',
].join('\n');

/**
 * Accesses per secret per hour, busiest first: the first row of a secret is its peak hour
 * (`usageMetrics().peakHour`); its mean over the period's hours is `averagePerHour`.
 * @example
 * const queryString = ACCESSES_PER_HOUR_QUERY;
 */
export const ACCESSES_PER_HOUR_QUERY = [
  'filter event_type = "secret_access"',
  '| stats count(*) as accesses by secret_name, bin(1h)',
  '| sort accesses desc',
].join('\n');

/**
 * The access report: who read what, with counts, cache hits and first and last read.
 * @example
 * const queryString = ACCESS_REPORT_QUERY;
 */
export const ACCESS_REPORT_QUERY = [
  'filter event_type = "secret_access"',
  '| stats count(*) as accesses, sum(cache_hit) as cache_hits, earliest(timestamp) as first_at, latest(timestamp) as last_at by user_id, service, secret_name',
  '| sort accesses desc',
  '| limit 10000',
].join('\n');

/**
 * The change report: every change to a secret (creates, versions, deletions, revocations, rotations).
 * @example
 * const queryString = CHANGES_QUERY;
 */
export const CHANGES_QUERY = [
  'fields timestamp, event_type, action, secret_name, environment, user_id, service, success, version_id, reason, request_id',
  '| filter event_type = "secret_change" or event_type = "rotation"',
  '| sort timestamp asc',
  '| limit 10000',
].join('\n');

/**
 * Denials grouped by secret, principal, source IP, action and reason, most first.
 * @example
 * const queryString = DENIALS_QUERY;
 */
export const DENIALS_QUERY = [
  'filter event_type = "access_denied"',
  '| stats count(*) as denials, earliest(timestamp) as first_at, latest(timestamp) as last_at by secret_name, user_id, ip_address, action, reason',
  '| sort denials desc',
].join('\n');

/**
 * Rate-limit hits grouped by principal and secret, most first.
 * @example
 * const queryString = RATE_LIMITED_QUERY;
 */
export const RATE_LIMITED_QUERY = [
  'filter event_type = "rate_limited"',
  '| stats count(*) as throttled, earliest(timestamp) as first_at, latest(timestamp) as last_at by user_id, secret_name, action',
  '| sort throttled desc',
].join('\n');

/**
 * Failed operations (the error code is `reason`) grouped by secret, action and reason.
 * @example
 * const queryString = FAILURES_QUERY;
 */
export const FAILURES_QUERY = [
  'filter success = 0 and event_type != "access_denied" and event_type != "rate_limited"',
  '| stats count(*) as failures, earliest(timestamp) as first_at, latest(timestamp) as last_at by secret_name, action, reason',
  '| sort failures desc',
].join('\n');

/**
 * The first time each principal touched each secret, newest first. Run it over the
 * baseline and the period together (for example 30 days before the period, to its end):
 * the rows whose `first_seen` falls inside the period are the principals new for that
 * secret, as in `incidentReport`'s `new-principal` rows.
 * @example
 * const queryString = NEW_PRINCIPALS_QUERY; // then keep rows with first_seen >= the period's start
 */
export const NEW_PRINCIPALS_QUERY = [
  'filter not isempty(user_id) and event_type != "audit_checkpoint"',
  '| stats earliest(timestamp) as first_seen, count(*) as requests by secret_name, user_id',
  '| sort first_seen desc',
  '| limit 10000',
].join('\n');

/**
 * The first time each source IP reached each secret, newest first; read it like
 * {@link NEW_PRINCIPALS_QUERY}.
 * @example
 * const queryString = NEW_SOURCE_IPS_QUERY;
 */
export const NEW_SOURCE_IPS_QUERY = [
  'filter not isempty(ip_address) and event_type != "audit_checkpoint"',
  '| stats earliest(timestamp) as first_seen, count(*) as requests by secret_name, ip_address',
  '| sort first_seen desc',
  '| limit 10000',
].join('\n');

/**
 * The cache-hit ratio per secret (hits over accesses; `cache_hit` reads as 1 or 0).
 * @example
 * const queryString = CACHE_HIT_RATIO_QUERY;
 */
export const CACHE_HIT_RATIO_QUERY = [
  'filter event_type = "secret_access"',
  '| stats avg(cache_hit) as cache_hit_ratio, count(*) as accesses by secret_name',
  '| sort accesses desc',
].join('\n');

/**
 * Reads that named no principal, by secret and service (a `null` `user_id` is not present
 * to Insights, so `isempty` finds it).
 * @example
 * const queryString = READS_WITHOUT_PRINCIPAL_QUERY;
 */
export const READS_WITHOUT_PRINCIPAL_QUERY = [
  'filter event_type = "secret_access" and isempty(user_id)',
  '| stats count(*) as reads, earliest(timestamp) as first_at, latest(timestamp) as last_at by secret_name, service',
  '| sort reads desc',
].join('\n');

/**
 * Every query above by name, for tooling that runs them all.
 * @example
 * for (const [name, queryString] of Object.entries(AUDIT_INSIGHTS_QUERIES)) await run(name, queryString);
 */
export const AUDIT_INSIGHTS_QUERIES = Object.freeze({
  usagePerSecret: USAGE_PER_SECRET_QUERY,
  accessesPerHour: ACCESSES_PER_HOUR_QUERY,
  accessReport: ACCESS_REPORT_QUERY,
  changes: CHANGES_QUERY,
  denials: DENIALS_QUERY,
  rateLimited: RATE_LIMITED_QUERY,
  failures: FAILURES_QUERY,
  newPrincipals: NEW_PRINCIPALS_QUERY,
  newSourceIps: NEW_SOURCE_IPS_QUERY,
  cacheHitRatio: CACHE_HIT_RATIO_QUERY,
  readsWithoutPrincipal: READS_WITHOUT_PRINCIPAL_QUERY,
});
