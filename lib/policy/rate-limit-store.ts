/**
 * Where the counts behind access-policy rate limits live. SecretsClient counts every call
 * a rule with `maxRequestsPerHour` allows, cache hits included, per principal id and rule;
 * the store decides whether one more request fits. The in-process store
 * (`InProcessRateLimitStore`) is the default, so limits are then per process; a store
 * shared by a fleet (Redis, DynamoDB) makes them per fleet.
 */

/** The window every access-policy limit is expressed over: `maxRequestsPerHour`. */
export const RATE_LIMIT_WINDOW_MS = 3_600_000;

/**
 * Counts requests against limits. Stores may answer synchronously (the in-process store
 * does, so a limited cache hit costs no extra promise) or asynchronously (a shared store
 * over the network).
 *
 * The semantics every store must keep: a token bucket of `limit` requests that refills
 * continuously over `windowMs` (one request every `windowMs / limit`), which is what
 * {@link InProcessRateLimitStore} implements (GCRA). A shared store can do the same in one
 * atomic step: in Redis, a Lua script over one key holding the bucket's "theoretical
 * arrival time".
 * @example
 * // A fleet-wide store over Redis (ioredis), one atomic script per request.
 * const store: RateLimitStore = {
 *   take: async (key, limit, windowMs, now) =>
 *     Number(await redis.eval(GCRA_SCRIPT, 1, `keystage:rl:${key}`, limit, windowMs, now)),
 * };
 * const secrets = new SecretsClient({ policy, principal, rateLimitStore: store });
 */
export interface RateLimitStore {
  /**
   * Takes one request from the bucket under `key`, which allows `limit` requests per
   * `windowMs`. Answers 0 when the request fits (it is then counted) and otherwise the
   * milliseconds until it would (it is then not counted), so a refused caller retrying
   * after that long succeeds unless someone else took the slot first.
   * @param key who is counted: the principal id and the rule, as {@link rateLimitKey} joins them.
   * @param limit requests per window, at least 1.
   * @param windowMs the window, in milliseconds ({@link RATE_LIMIT_WINDOW_MS} for access policies).
   * @param now the caller's clock, in milliseconds; a shared store may use its own instead.
   */
  take(key: string, limit: number, windowMs: number, now: number): number | Promise<number>;
}

/**
 * The store key of one principal under one rule. Length-prefixed, so no rule id and
 * principal id pair can spell another's key whatever characters they hold.
 * @example
 * rateLimitKey('ci-reads', 'build-42'); // '8:ci-reads:build-42'
 */
export function rateLimitKey(rule: string, principalId: string): string {
  return `${rule.length}:${rule}:${principalId}`;
}
