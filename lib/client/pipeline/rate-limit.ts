import { ServiceUnavailableError, ThrottledError, type KeystageError } from '../../errors';
import { RATE_LIMIT_WINDOW_MS, rateLimitKey, type RateLimitStore } from '../../policy/rate-limit-store';
import type { AccessDecision, Principal } from '../access';
import type { AnyOperation, Invocation } from '../operation';
import type { Clock } from '../options';
import type { Stage } from './stage';

/** Counts calls against a limit; refusing is throwing (a `ThrottledError`), or, for a batch, narrowing it. */
export interface RateLimiter {
  acquire(invocation: Invocation): void | Promise<void>;
}

/**
 * The access policy's `maxRequestsPerHour`: each call a rule with a limit allowed takes
 * one request from the bucket of that principal id and rule in the store. A batch takes
 * one per id (twenty ids cost what twenty gets cost), and an id over its limit becomes a
 * per-id `THROTTLED` error. Listings are not counted: no one rule allows them.
 */
export class PolicyRateLimiter implements RateLimiter {
  readonly #store: RateLimitStore;
  readonly #clock: Clock;
  /** rule -> principal id -> store key: a key built once is hashed once, not per call. */
  readonly #keys = new Map<string, Map<string, string>>();
  #keyCount = 0;

  constructor(store: RateLimitStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  acquire(invocation: Invocation): void | Promise<void> {
    const { operation, principal } = invocation;
    // authorize let the call through, so there is a principal.
    if (operation.batch !== undefined) return this.#acquireBatch(invocation, principal!);
    const decision = invocation.decision;
    const limit = decision?.maxRequestsPerHour;
    if (limit === undefined || decision!.rule === undefined) return;
    const rule = decision!.rule;
    const id = operation.secretId(invocation.input);
    const wait = this.#take(this.#key(rule, principal!.id), limit);
    if (typeof wait === 'number') {
      if (wait > 0) throw throttled(operation, id, rule, limit, wait);
      return;
    }
    return wait.then((ms) => {
      if (ms > 0) throw throttled(operation, id, rule, limit, ms);
    });
  }

  #key(rule: string, principalId: string): string {
    let byPrincipal = this.#keys.get(rule);
    if (byPrincipal === undefined) this.#keys.set(rule, (byPrincipal = new Map()));
    let key = byPrincipal.get(principalId);
    if (key === undefined) {
      // Bounded like the store: past the size, start again (building keys is cheap).
      if (this.#keyCount >= KEYS_KEPT) {
        this.#keys.clear();
        this.#keys.set(rule, byPrincipal);
        byPrincipal.clear();
        this.#keyCount = 0;
      }
      key = rateLimitKey(rule, principalId);
      byPrincipal.set(principalId, key);
      this.#keyCount++;
    }
    return key;
  }

  /**
   * One request from the store. A store that fails fails the call (SERVICE_UNAVAILABLE): a
   * limit that cannot be counted is not dropped silently. A store that would rather let
   * calls through answers 0 on its own failures.
   */
  #take(key: string, limit: number): number | Promise<number> {
    let wait: number | Promise<number>;
    try {
      wait = this.#store.take(key, limit, RATE_LIMIT_WINDOW_MS, this.#clock.now());
    } catch (error) {
      throw storeFailed(error);
    }
    return typeof wait === 'number'
      ? wait
      : wait.catch((error: unknown) => Promise.reject(storeFailed(error)));
  }

  async #acquireBatch(invocation: Invocation, principal: Principal): Promise<void> {
    const { operation } = invocation;
    const batch = operation.batch!;
    const decisions = invocation.decisions;
    if (decisions === undefined) return;
    const ids = batch.ids(invocation.input);
    const allowed: string[] = [];
    let throttledIds: Map<string, KeystageError> | undefined;
    for (const id of ids) {
      const decision: AccessDecision | undefined = decisions.get(id);
      const limit = decision?.maxRequestsPerHour;
      const rule = decision?.rule;
      if (limit === undefined || rule === undefined) {
        allowed.push(id);
        continue;
      }
      const wait = await this.#take(this.#key(rule, principal.id), limit);
      if (wait > 0) (throttledIds ??= new Map()).set(id, throttled(operation, id, rule, limit, wait));
      else allowed.push(id);
    }
    if (throttledIds === undefined) return;
    const refused = (invocation.refused ??= new Map());
    for (const [id, error] of throttledIds) refused.set(id, error);
    invocation.input = batch.only(invocation.input, allowed);
  }
}

/** How many store keys a limiter keeps built. */
const KEYS_KEPT = 10_000;

function storeFailed(cause: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError(
    "The rate-limit store failed, so the access policy's limits could not be counted and the call was not made: check the store.",
    { cause },
  );
}

function throttled(
  operation: AnyOperation,
  id: string | undefined,
  rule: string,
  limit: number,
  retryAfterMs: number,
): ThrottledError {
  const what = id === undefined ? operation.name : `${operation.name} of ${JSON.stringify(id)}`;
  return new ThrottledError(
    `The access policy rule ${JSON.stringify(rule)} allows ${limit} requests per hour and this principal ` +
      `has used them: ${what} may go ahead in ${Math.ceil(retryAfterMs / 1000)} s (retryAfterMs).`,
    { ...(id === undefined ? {} : { secretId: id }), rule, retryAfterMs },
  );
}

/**
 * Per-caller rate limits. It stands before the cache so that cache hits count too. Without
 * a limiter (no access policy) the stage is left out of every chain.
 */
export function rateLimitStage(limiter: RateLimiter | undefined): Stage {
  return {
    name: 'rate-limit',
    wrap: (_operation, next) => {
      if (limiter === undefined) return next;
      return (invocation) => {
        try {
          const acquired = limiter.acquire(invocation);
          return acquired === undefined ? next(invocation) : acquired.then(() => next(invocation));
        } catch (error) {
          return Promise.reject(error);
        }
      };
    },
    wrapHit: (_operation, next) => (limiter === undefined ? next : undefined),
  };
}
