import type { Invocation } from '../operation';
import type { Stage } from './stage';

/**
 * Decides whether a call may go ahead, before any rate limit, cache or service is used.
 * Refusing is throwing (a `PermissionDeniedError`).
 */
export interface Authorizer {
  authorize(invocation: Invocation): void | Promise<void>;
}

/**
 * Access control. Without an authorizer (the only setting until the access policy
 * arrives) the stage is left out of every chain, hit paths included.
 */
export function authorizeStage(authorizer: Authorizer | undefined): Stage {
  return {
    name: 'authorize',
    wrap: (_operation, next) => {
      if (authorizer === undefined) return next;
      return async (invocation) => {
        await authorizer.authorize(invocation);
        return next(invocation);
      };
    },
    // Every read must be authorized, cached or not.
    wrapHit: (_operation, next) => (authorizer === undefined ? next : undefined),
  };
}
