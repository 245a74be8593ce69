import type { Principal } from '../access';
import type { AnyOperation, Invocation, Operation } from '../operation';
import type { CallStage } from './call';
import type { Handler, Stage } from './stage';

/**
 * The stages every operation passes, composed once per operation: validate, audit (which
 * records after the rest), authorize, rate-limit, cache, call. A stage with nothing to do
 * for an operation hands back `next`, so what runs per call is only the work that exists.
 */
export class Pipeline {
  readonly #stages: readonly Stage[];
  readonly #call: CallStage;
  readonly #principal: Principal | undefined;
  readonly #handlers = new Map<AnyOperation, Handler>();

  /**
   * @param stages the stages in front of the call stage, outermost first.
   * @param call the stage that ends every chain.
   * @param principal the client's principal (checked), for calls that pass none.
   */
  constructor(stages: readonly Stage[], call: CallStage, principal: Principal | undefined) {
    this.#stages = stages;
    this.#call = call;
    this.#principal = principal;
  }

  /**
   * Runs one call of `operation`. A validation failure is a rejected promise, like any other.
   * @param principal the principal passed with the call (checked by the validate stage).
   */
  run<A extends readonly unknown[], I, R>(
    operation: Operation<A, I, R>,
    args: A,
    principal?: unknown,
  ): Promise<R> {
    let answer: unknown;
    try {
      answer = this.#start(operation as unknown as AnyOperation, args, principal);
    } catch (error) {
      return Promise.reject(error);
    }
    // A native promise is returned as it is; an answer given at once gets its one promise here.
    return Promise.resolve(answer) as Promise<R>;
  }

  /**
   * Runs one call of an operation whose answer is a stream. Validation happens now (a bad
   * call throws at once); the stages after it run now too, and the stream's first step
   * waits for them, so a refusal surfaces when the caller starts iterating.
   */
  stream<A extends readonly unknown[], I, T>(
    operation: Operation<A, I, AsyncIterable<T>>,
    args: A,
    principal?: unknown,
  ): AsyncIterable<T> {
    const started = Promise.resolve(
      this.#start(operation as unknown as AnyOperation, args, principal),
    ) as Promise<AsyncIterable<T>>;
    // Nobody may ever iterate: a refusal must not become an unhandled rejection.
    started.catch(() => undefined);
    return {
      async *[Symbol.asyncIterator]() {
        yield* await started;
      },
    };
  }

  /**
   * The synchronous hit path of `operation`, when every stage lets cache hits through
   * untouched (no access policy, no rate limit, no audit of the operation). Undefined
   * otherwise: hits then go through the stages, which answer them without a promise each.
   */
  hitPath<A extends readonly unknown[], I, R>(
    operation: Operation<A, I, R>,
  ): ((...args: A) => Promise<R> | undefined) | undefined {
    let path = this.#call.wrapHit(operation as unknown as AnyOperation, undefined);
    for (let i = this.#stages.length - 1; i >= 0; i--) {
      path = this.#stages[i]!.wrapHit(operation as unknown as AnyOperation, path);
    }
    return path as ((...args: A) => Promise<R> | undefined) | undefined;
  }

  #start(operation: AnyOperation, args: readonly unknown[], callPrincipal: unknown): unknown {
    let handler = this.#handlers.get(operation);
    if (handler === undefined) {
      handler = this.#compose(operation);
      this.#handlers.set(operation, handler);
    }
    const invocation: Invocation = {
      operation,
      args,
      input: undefined,
      callPrincipal,
      principal: this.#principal,
      requestId: undefined,
      decision: undefined,
      decisions: undefined,
      refused: undefined,
      cacheHit: false,
      versionId: undefined,
    };
    return handler(invocation);
  }

  #compose(operation: AnyOperation): Handler {
    let handler = this.#call.handler(operation);
    for (let i = this.#stages.length - 1; i >= 0; i--) handler = this.#stages[i]!.wrap(operation, handler);
    return handler;
  }
}
