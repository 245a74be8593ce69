import type { AnyOperation, Invocation } from '../operation';

/**
 * The rest of the pipeline for one call: the stages after this one, ending with the call
 * stage. It answers with a promise, or with the answer itself when every stage after this
 * one could give it at once (a cache hit through a policy, a limit, an audit trail): no
 * promise per stage for those. A refusal is a rejected promise; only validation (and a
 * hit that cannot be decoded) throws, which the pipeline turns into a rejection too.
 */
export type Handler = (invocation: Invocation) => unknown;

/** True for an answer still to come (stages make native promises). */
export function isPromise(value: unknown): value is Promise<unknown> {
  return value instanceof Promise;
}

/**
 * A read answered synchronously, from the caller's raw arguments: a promise of the answer,
 * or undefined when it needs the full pipeline (then the call goes through `wrap`'s chain).
 */
export type HitPath = (...args: readonly unknown[]) => Promise<unknown> | undefined;

/** The stages, in the order a call meets them. */
export type StageName = 'validate' | 'audit' | 'authorize' | 'rate-limit' | 'cache' | 'call';

/**
 * One stage of the operation pipeline: a small middleware in the manner of middy. The
 * pipeline asks each stage once per operation how to run it, so a stage with nothing to do
 * for an operation returns `next` itself and costs nothing per call.
 * @example
 * // The shape of the authorize stage: in the chain only when there is a policy.
 * const authorize: Stage = {
 *   name: 'authorize',
 *   wrap: (operation, next) =>
 *     policy === undefined ? next : async (invocation) => (await policy.check(invocation), next(invocation)),
 *   wrapHit: (operation, next) => (policy === undefined ? next : undefined), // hits must be checked too
 * };
 */
export interface Stage {
  readonly name: StageName;
  /** This stage in front of `next` for `operation`, or `next` itself when it has nothing to do. */
  wrap(operation: AnyOperation, next: Handler): Handler;
  /**
   * The synchronous hit path for a read the cache can answer at once: `next` when this
   * stage has nothing to do on a hit, undefined when it must see every call (then the
   * operation has no hit path and hits go through `wrap`'s chain too). `next` answers
   * undefined on a miss, after which the call runs through `wrap`: work done here before
   * `next` answers is done again there.
   */
  wrapHit(operation: AnyOperation, next: HitPath | undefined): HitPath | undefined;
}
