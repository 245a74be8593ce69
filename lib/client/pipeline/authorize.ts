import { PermissionDeniedError, type KeystageError } from '../../errors';
import {
  POLICY_OPERATION,
  secretTarget,
  type AccessDecision,
  type AccessEvaluator,
  type Principal,
  type SecretTarget,
} from '../access';
import { AccessPolicy } from '../../policy/access-policy';
import type { AnyOperation, Invocation } from '../operation';
import { KnownDecisions } from './known-decisions';
import type { Handler, Stage } from './stage';

/**
 * Decides whether a call may go ahead, before any rate limit, cache or service is used.
 * Refusing is throwing (a `PermissionDeniedError`); a batch may instead be narrowed (see
 * `Invocation.refused`).
 */
export interface Authorizer {
  authorize(invocation: Invocation): void | Promise<void>;
  /**
   * Whether an item of a listing, named `name`, may be shown to the invocation's caller.
   * @default - every item is shown
   */
  allowsItem?(invocation: Invocation, name: string): boolean;
}

/** The decision when a policy is set and no principal was given, with the call or the client. */
export const NO_PRINCIPAL: AccessDecision = Object.freeze({
  allowed: false,
  rule: undefined,
  reason:
    'no principal was given: pass principal to new SecretsClient({ policy, principal }) or with the call ({ principal })',
});

/** How many parsed ARNs an authorizer keeps, so a hot secret's ARN is parsed once. */
const TARGETS_KEPT = 4_096;

/**
 * The access policy, applied to every call: each operation is asked about by its kind and
 * the name of its secret (an ARN by its name part), for the principal (whose service,
 * environment and source address the policy reads). A batch (getMany, prefetch) is asked
 * about id by id, and a refused id becomes a per-id error; a listing is asked about item
 * by item, and a refused item is left out. With no principal every call is refused.
 */
export class PolicyAuthorizer implements Authorizer {
  readonly #policy: AccessEvaluator;
  readonly #targets = new Map<string, SecretTarget>();
  /** Decisions already made, when the policy is an AccessPolicy: immutable and pure. */
  readonly #known: KnownDecisions | undefined;

  constructor(policy: AccessEvaluator) {
    this.#policy = policy;
    // Not a subclass, whose evaluate could be anything; nor an evaluator of the caller's own,
    // whose rules could change.
    this.#known = Object.getPrototypeOf(policy) === AccessPolicy.prototype ? new KnownDecisions() : undefined;
  }

  authorize(invocation: Invocation): void {
    const { operation, principal } = invocation;
    if (principal === undefined) {
      invocation.decision = NO_PRINCIPAL;
      throw denial(operation, undefined, NO_PRINCIPAL);
    }
    const batch = operation.batch;
    if (batch !== undefined) {
      const ids = batch.ids(invocation.input);
      const decisions = new Map<string, AccessDecision>();
      const allowed: string[] = [];
      let refused: Map<string, KeystageError> | undefined;
      for (const id of ids) {
        const decision = this.decide(principal, operation, id);
        decisions.set(id, decision);
        if (decision.allowed) allowed.push(id);
        else (refused ??= new Map()).set(id, denial(operation, id, decision));
      }
      invocation.decisions = decisions;
      if (refused !== undefined) {
        invocation.refused = refused;
        invocation.input = batch.only(invocation.input, allowed);
      }
      return;
    }
    // A listing names no secret before the call: its items are authorized as they come.
    if (operation.listing !== undefined) return;
    const id = operation.secretId(invocation.input);
    const decision = id === undefined ? NO_SECRET : this.decide(principal, operation, id);
    invocation.decision = decision;
    if (!decision.allowed) throw denial(operation, id, decision);
  }

  /**
   * The policy's decision on `operation` of the secret `id` by `principal`. An ARN that a
   * partial-ARN reading could take for another secret is also refused when a deny rule
   * names that other secret: the service, not keystage, picks the reading.
   */
  decide(principal: Principal, operation: AnyOperation, id: string): AccessDecision {
    const known = this.#known;
    if (known === undefined) return this.#decide(principal, operation, id);
    const kind = operation.kind;
    const decision = known.get(principal, kind, id);
    if (decision !== undefined) return decision;
    return known.set(principal, kind, id, this.#decide(principal, operation, id));
  }

  #decide(principal: Principal, operation: AnyOperation, id: string): AccessDecision {
    const kind = POLICY_OPERATION[operation.kind];
    // A name is asked about as it is: no parsing, no allocation beyond the request.
    if (!id.startsWith('arn:')) return this.#policy.evaluate({ principal, operation: kind, secret: id });
    const target = this.#target(id);
    const decision = this.#policy.evaluate({ principal, operation: kind, secret: target.secret });
    if (!decision.allowed || target.alias === undefined) return decision;
    const other = this.#policy.evaluate({ principal, operation: kind, secret: target.alias });
    return !other.allowed && other.rule !== undefined ? other : decision;
  }

  allowsItem(invocation: Invocation, name: string): boolean {
    // `authorize` let the listing start only with a principal.
    return this.decide(invocation.principal!, invocation.operation, name).allowed;
  }

  #target(id: string): SecretTarget {
    let target = this.#targets.get(id);
    if (target === undefined) {
      // Cleared rather than evicted one by one: parsing again is cheap.
      if (this.#targets.size >= TARGETS_KEPT) this.#targets.clear();
      target = secretTarget(id);
      this.#targets.set(id, target);
    }
    return target;
  }
}

/** An operation that names no secret and lists nothing cannot be judged: refused. */
const NO_SECRET: AccessDecision = Object.freeze({
  allowed: false,
  rule: undefined,
  reason: 'the call names no secret the access policy could judge',
});

/** The error of a refusal: the rule and reason as fields; names only, never a value. */
function denial(
  operation: AnyOperation,
  id: string | undefined,
  decision: AccessDecision,
): PermissionDeniedError {
  const what = id === undefined ? operation.name : `${operation.name} of ${JSON.stringify(id)}`;
  const rule = decision.rule === undefined ? '' : ` (rule ${JSON.stringify(decision.rule)})`;
  return new PermissionDeniedError(`The access policy denies ${what}${rule}: ${decision.reason}.`, {
    ...(id === undefined ? {} : { secretId: id }),
    ...(decision.rule === undefined ? {} : { rule: decision.rule }),
    reason: decision.reason,
  });
}

/** Runs `step` and then `next`, without an extra promise when `step` is synchronous. */
function then(step: void | Promise<void>, next: () => unknown): unknown {
  return step === undefined ? next() : step.then(next);
}

/**
 * Access control, in front of rate limits, the cache and the service, so a denied cache
 * hit is denied. Without an authorizer (no access policy) the stage is left out of every
 * chain, hit paths included. A batch's refused ids are folded into its answer here, after
 * everything behind this stage ran for the ids that may go ahead.
 */
export function authorizeStage(authorizer: Authorizer | undefined): Stage {
  return {
    name: 'authorize',
    wrap: (operation, next) => {
      if (authorizer === undefined) return next;
      const { batch, listing } = operation;
      const authorized: Handler = (invocation) => {
        try {
          return then(authorizer.authorize(invocation), () => next(invocation));
        } catch (error) {
          // A refusal is a rejected promise, never a synchronous throw (streams rely on it).
          return Promise.reject(error);
        }
      };
      if (batch !== undefined) {
        return async (invocation) => {
          const result = await authorized(invocation);
          const refused = invocation.refused;
          return refused === undefined || refused.size === 0 ? result : batch.refuse(result, refused);
        };
      }
      const allowsItem = authorizer.allowsItem?.bind(authorizer);
      if (listing !== undefined && allowsItem !== undefined) {
        return async (invocation) =>
          listing.filter(await authorized(invocation), (name) => allowsItem(invocation, name));
      }
      return authorized;
    },
    // Every read must be authorized, cached or not.
    wrapHit: (_operation, next) => (authorizer === undefined ? next : undefined),
  };
}
