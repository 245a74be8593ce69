import type { SecretCache } from '../../cache';
import { changesSecret } from '../operation';
import type { Stage } from './stage';

/**
 * The read cache. Reads the cache can answer are served by it (a miss reaches the call
 * stage through the cache's source, as an uncached read does); batch reads leave what they
 * read in it; operations that change a secret invalidate it afterwards, whether they
 * succeeded or not, since a failed write may still have changed the secret (or lost a race
 * to one that did). With `cache: false` the stage is left out of every chain.
 */
export function cacheStage(cache: SecretCache | undefined): Stage {
  return {
    name: 'cache',
    wrap: (operation, next) => {
      if (cache === undefined) return next;
      const use = operation.cache;
      if (use?.serve !== undefined) {
        const serve = use.serve.bind(use);
        const hit = use.hit?.bind(use);
        if (hit === undefined) return (invocation) => serve(cache, invocation.input, invocation);
        // A fresh hit is answered at once, so the stages in front need no promise for it.
        return (invocation) =>
          hit(cache, invocation.input, invocation) ?? serve(cache, invocation.input, invocation);
      }
      if (use?.keep !== undefined) {
        const keep = use.keep.bind(use);
        return async (invocation) => {
          // Taken before the call: an invalidation while it runs means the answer may be old.
          const epoch = cache.epoch();
          const result = await next(invocation);
          cache.remember(keep(result), epoch);
          return result;
        };
      }
      if (changesSecret(operation)) {
        return async (invocation) => {
          try {
            return await next(invocation);
          } finally {
            const secretId = operation.secretId(invocation.input);
            if (secretId !== undefined) cache.invalidate(secretId);
          }
        };
      }
      return next;
    },
    // The hit path is the operation's own lookup, bound to the cache once: no wrapper at all.
    wrapHit: (operation) =>
      cache === undefined || operation.cache?.hitPath === undefined
        ? undefined
        : operation.cache.hitPath(cache),
  };
}
