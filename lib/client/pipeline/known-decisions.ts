import type { AccessDecision, Principal } from '../access';
import type { OperationKind } from '../operation';

/** How many decisions are kept for one principal before they are dropped and made again. */
const DECISIONS_KEPT = 1024;

/** One principal's attributes as an access policy reads them, and the decisions made for them. */
class PrincipalDecisions {
  readonly #service: string;
  readonly #environment: string;
  readonly #sourceIp: string | undefined;
  readonly #roles: readonly string[];
  /** Per operation kind, per secret id as the caller gave it. */
  readonly #decisions = new Map<OperationKind, Map<string, AccessDecision>>();
  #size = 0;

  constructor(principal: Principal) {
    this.#service = principal.service;
    this.#environment = principal.environment;
    this.#sourceIp = principal.sourceIp;
    // A copy: the caller's array may change, and the check must see it did.
    this.#roles = [...principal.roles];
  }

  /** Whether `principal` has these attributes now, whatever object it is. */
  fits(principal: Principal): boolean {
    if (
      principal.service !== this.#service ||
      principal.environment !== this.#environment ||
      principal.sourceIp !== this.#sourceIp
    )
      return false;
    const roles = principal.roles;
    if (roles.length !== this.#roles.length) return false;
    for (let i = 0; i < roles.length; i++) if (roles[i] !== this.#roles[i]) return false;
    return true;
  }

  get(kind: OperationKind, id: string): AccessDecision | undefined {
    return this.#decisions.get(kind)?.get(id);
  }

  set(kind: OperationKind, id: string, decision: AccessDecision): void {
    // Cleared rather than evicted one by one: deciding again is cheap.
    if (this.#size >= DECISIONS_KEPT) {
      this.#decisions.clear();
      this.#size = 0;
    }
    let byId = this.#decisions.get(kind);
    if (byId === undefined) this.#decisions.set(kind, (byId = new Map()));
    byId.set(id, decision);
    this.#size++;
  }
}

/**
 * The decisions an immutable access policy (an `AccessPolicy`) has made for the principal
 * of the latest calls, so a hot read is decided once: a decision depends only on the
 * operation, the secret and the principal's service, environment, roles and source address,
 * and the policy's `evaluate` is pure. The principal is compared by those attributes on
 * every call, not by identity, so a principal object changed in place, or a new object per
 * call, is decided for what it is now. Bounded: one principal's attributes at a time (a new
 * one replaces them) and 1,024 decisions.
 * @example
 * const known = new KnownDecisions();
 * const decision = known.get(principal, 'read', id) ?? known.set(principal, 'read', id, decide());
 */
export class KnownDecisions {
  #current: PrincipalDecisions | undefined;

  get(principal: Principal, kind: OperationKind, id: string): AccessDecision | undefined {
    const current = this.#current;
    return current !== undefined && current.fits(principal) ? current.get(kind, id) : undefined;
  }

  /** Keeps `decision` (frozen: it is handed out again) and returns it. */
  set(principal: Principal, kind: OperationKind, id: string, decision: AccessDecision): AccessDecision {
    let current = this.#current;
    if (current === undefined || !current.fits(principal))
      this.#current = current = new PrincipalDecisions(principal);
    const kept = Object.freeze(decision);
    current.set(kind, id, kept);
    return kept;
  }
}
