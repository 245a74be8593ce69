import { checkPrincipal } from '../principal-check';
import type { Stage } from './stage';

/**
 * The first stage: the operation checks its arguments, and the principal passed with the
 * call if any, before any other stage runs, so a bad call is refused before any I/O, is
 * never authorized, counted, cached or audited, and writes nothing. A check that fails
 * throws synchronously; the pipeline turns that into a rejected promise for the operations
 * that return one.
 */
export const validateStage: Stage = {
  name: 'validate',
  wrap: (operation, next) => (invocation) => {
    invocation.input = operation.validate(...invocation.args);
    // A principal passed with the call replaces the client's for everything after this.
    if (invocation.callPrincipal !== undefined)
      invocation.principal = checkPrincipal(invocation.callPrincipal);
    return next(invocation);
  },
  // A hit is only possible for arguments that passed: the cache holds what reads that
  // passed validation put there, under the ids and selectors they asked for.
  wrapHit: (_operation, next) => next,
};
