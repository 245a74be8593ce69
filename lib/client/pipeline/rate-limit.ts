import type { Invocation } from '../operation';
import type { Stage } from './stage';

/** Counts calls against a limit; refusing is throwing (a `ThrottledError`). */
export interface RateLimiter {
  acquire(invocation: Invocation): void | Promise<void>;
}

/**
 * Per-caller rate limits. It stands before the cache so that cache hits count too. Without
 * a limiter (the only setting until limits arrive) the stage is left out of every chain.
 */
export function rateLimitStage(limiter: RateLimiter | undefined): Stage {
  return {
    name: 'rate-limit',
    wrap: (_operation, next) => {
      if (limiter === undefined) return next;
      return async (invocation) => {
        await limiter.acquire(invocation);
        return next(invocation);
      };
    },
    wrapHit: (_operation, next) => (limiter === undefined ? next : undefined),
  };
}
