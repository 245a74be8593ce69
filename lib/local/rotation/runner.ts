import { performance } from 'node:perf_hooks';
import type { RotationEvent } from '../secrets-manager/context';
import { type SecretStore } from '../secrets-manager/store';
import { holderOf } from '../secrets-manager/versions';
import type { Transaction } from '../storage/table';
import { invokeFunction, type InvocationResult, type RotationFunction } from './function-process';
import { nextRotationDate } from './schedule';

/** Runs `change` in a transaction and resolves when it is durable. */
export type Write = (change: (tx: Transaction) => void) => Promise<void>;

export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

/**
 * The event a rotation function receives, as Secrets Manager sends it to Lambda.
 * @example
 * const event: RotationHandlerEvent = { Step: 'createSecret', SecretId: arn, ClientRequestToken: token, RotationToken: token };
 */
export interface RotationHandlerEvent {
  readonly Step: RotationStep;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly RotationToken: string;
}

/**
 * A rotation function registered in-process under the Lambda ARN a secret names (tests).
 * @example
 * endpoint.registerRotationHandler(arn, async (event) => {
 *   if (event.Step === 'createSecret') await putPending(event.SecretId, event.ClientRequestToken);
 * });
 */
export type RotationHandler = (event: RotationHandlerEvent) => Promise<unknown>;

/** One step's invocation, in-process or in a child process. */
type Invoke = (event: RotationHandlerEvent, region: string) => Promise<InvocationResult>;

const STEPS: readonly RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

/** What Secrets Manager reports when it cannot invoke a secret's rotation function. */
export const CANNOT_INVOKE =
  'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.';

export interface RotationRunnerOptions {
  readonly store: SecretStore;
  readonly write: Write;
  readonly now: () => number;
  /** How many times a failing rotation is attempted before RotationFailed. */
  readonly maxAttempts: number;
  /** Where step lines and the functions' output go (never a value from keystage). */
  readonly log: (line: string) => void;
  /** Functions run in child processes, checked already. */
  readonly functions: readonly RotationFunction[];
}

interface Failure {
  readonly step?: RotationStep;
  readonly message: string;
  /** Stopped by CancelRotateSecret: not attempted again. */
  readonly cancelled?: boolean;
}

function describe(error: unknown): { ok: false; errorType: string; errorMessage: string } {
  return error instanceof Error
    ? { ok: false, errorType: error.name, errorMessage: error.message }
    : { ok: false, errorType: typeof error, errorMessage: String(error) };
}

/**
 * Runs rotations the way the service does: each step in its own invocation of the secret's
 * rotation function (a child process per invocation, or an in-process handler in tests), the
 * whole rotation retried a few times when a step fails, and RotationStarted / RotationSucceeded /
 * RotationFailed recorded. Runs start after the RotateSecret response has been sent, and every
 * change a run makes is durable before the event or log line that reports it.
 * @example
 * const runner = new RotationRunner({ store, write, now: Date.now, maxAttempts: 3, log, functions });
 * runner.start(secretArn, versionId, false);
 * await runner.idle();
 */
export class RotationRunner {
  readonly events: RotationEvent[] = [];
  readonly #handlers = new Map<string, RotationHandler>();
  readonly #functions = new Map<string, RotationFunction>();
  readonly #running = new Map<string, Promise<void>>();
  #endpointUrl = 'http://127.0.0.1:9';

  constructor(private readonly options: RotationRunnerOptions) {
    for (const fn of options.functions) this.#functions.set(fn.arn, fn);
  }

  /** Where the functions' SDK calls go: set once the endpoint listens. */
  setEndpoint(url: string): void {
    this.#endpointUrl = url;
  }

  register(lambdaArn: string, handler: RotationHandler): void {
    this.#handlers.set(lambdaArn, handler);
  }

  unregister(lambdaArn: string): void {
    this.#handlers.delete(lambdaArn);
  }

  /** True when Secrets Manager could invoke `lambdaArn`: a function or handler is registered for it. */
  has(lambdaArn: string): boolean {
    return this.#handlers.has(lambdaArn) || this.#functions.has(lambdaArn);
  }

  /** Records a RotateSecret refused because its function cannot be invoked (nothing was changed). */
  refused(secretArn: string, versionId: string, lambdaArn: string): void {
    this.#record('RotationFailed', secretArn, versionId, { message: CANNOT_INVOKE });
    this.options.log(
      `rotation ${secretArn} ${versionId}: refused, no rotation function is registered for ${lambdaArn}`,
    );
  }

  /** Starts a run unless one for the same version is already going. */
  start(arn: string, token: string, onlyTest: boolean): void {
    const key = `${arn}#${token}`;
    if (this.#running.has(key)) return;
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#run(arn, token, onlyTest))
      .catch((error: unknown) => {
        // Most likely a write the disk refused: the outcome is not stored, so the run failed.
        const { errorType } = describe(error);
        this.#record('RotationFailed', arn, token, {
          message: `The rotation's outcome was not stored (${errorType}).`,
        });
        this.options.log(`rotation ${arn} ${token}: failed, its outcome could not be stored (${errorType})`);
      })
      .finally(() => this.#running.delete(key));
    this.#running.set(key, run);
  }

  /** Resolves when no rotation is running. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()]);
  }

  #record(
    type: RotationEvent['type'],
    arn: string,
    versionId: string,
    extra: Partial<RotationEvent> = {},
  ): void {
    this.events.push({ type, secretArn: arn, versionId, time: this.options.now(), ...extra });
  }

  #invoker(lambdaArn: string): Invoke | undefined {
    // A handler registered in-process (tests) stands in for a function with the same ARN.
    const handler = this.#handlers.get(lambdaArn);
    if (handler !== undefined) {
      return async (event) => {
        try {
          await handler(event);
          return { ok: true };
        } catch (error) {
          return describe(error);
        }
      };
    }
    const fn = this.#functions.get(lambdaArn);
    if (fn === undefined) return undefined;
    return (event, region) =>
      invokeFunction(fn, {
        event,
        region,
        endpointUrl: this.#endpointUrl,
        // As Lambda forwards a function's output to CloudWatch Logs: each line, as written.
        output: (line) => this.options.log(`[${fn.name} ${event.Step}] ${line}`),
      });
  }

  /** Runs the steps once; undefined when they all succeeded. */
  async #attempt(
    arn: string,
    token: string,
    steps: readonly RotationStep[],
    invoke: Invoke,
    attempt: number,
  ): Promise<Failure | undefined> {
    const { store, log, maxAttempts } = this.options;
    for (const step of steps) {
      const secret = store.secrets.get(arn);
      // CancelRotateSecret (or a deletion) stops a rotation between steps.
      if (secret === undefined || !secret.rotation.enabled) {
        log(`rotation ${arn} ${token}: cancelled before ${step}`);
        return { step, message: 'The rotation was cancelled.', cancelled: true };
      }
      const started = performance.now();
      const result = await invoke(
        { Step: step, SecretId: arn, ClientRequestToken: token, RotationToken: token },
        secret.region,
      );
      const ms = Math.round(performance.now() - started);
      const outcome = result.ok ? 'ok' : `failed (${result.errorType})`;
      log(`rotation ${arn} ${token}: ${step} ${outcome} in ${ms} ms (attempt ${attempt} of ${maxAttempts})`);
      if (!result.ok) return { step, message: `${result.errorType}: ${result.errorMessage}` };
    }
    return undefined;
  }

  async #run(arn: string, token: string, onlyTest: boolean): Promise<void> {
    const { store, write, now, log, maxAttempts } = this.options;
    const secret = store.secrets.get(arn);
    if (secret === undefined) return;
    const lambdaArn = secret.rotation.lambdaArn ?? '';
    const invoke = this.#invoker(lambdaArn);
    this.#record('RotationStarted', arn, token);
    log(`rotation ${arn} ${token}: started${onlyTest ? ' (testSecret only)' : ''} with ${lambdaArn}`);
    const steps = onlyTest ? (['testSecret'] as const) : STEPS;
    let failure: Failure | undefined =
      invoke === undefined
        ? { message: `${CANNOT_INVOKE} No rotation function is registered for ${lambdaArn}.` }
        : undefined;
    for (let attempt = 1; invoke !== undefined && attempt <= maxAttempts; attempt++) {
      failure = await this.#attempt(arn, token, steps, invoke, attempt);
      const latest = store.secrets.get(arn);
      if (
        failure === undefined &&
        !onlyTest &&
        (latest === undefined || holderOf(latest, 'AWSCURRENT')?.id !== token)
      ) {
        failure = {
          step: 'finishSecret',
          message: 'finishSecret returned but AWSCURRENT is not on the new version.',
        };
      }
      if (failure === undefined || failure.cancelled === true) break;
    }
    if (onlyTest) {
      // Testing the configuration leaves no trace: the pending version goes again.
      await write((tx) => {
        const draft = tx.edit(store.secrets, arn);
        if (draft === undefined) return;
        const pending = draft.versions.find((version) => version.id === token);
        if (pending !== undefined) {
          if (!pending.hasValue) {
            draft.versions = draft.versions.filter((version) => version !== pending);
            store.dropVersion(tx, draft, token);
          } else {
            pending.stages = pending.stages.filter((stage) => stage !== 'AWSPENDING');
          }
        }
        // A configuration that tested well is scheduled from the last rotation.
        if (failure === undefined && draft.rotation.enabled) {
          const next = nextRotationDate(draft.lastRotatedAt ?? now(), draft.rotation.rules);
          if (next !== undefined) draft.nextRotationAt = next;
        }
      });
    }
    if (failure !== undefined) {
      const { step, message } = failure;
      this.#record('RotationFailed', arn, token, { ...(step === undefined ? {} : { step }), message });
      log(`rotation ${arn} ${token}: failed${failure.step === undefined ? '' : ` at ${failure.step}`}`);
      return;
    }
    if (!onlyTest) {
      await write((tx) => {
        const draft = tx.edit(store.secrets, arn);
        if (draft === undefined) return;
        draft.lastRotatedAt = now();
        const next = nextRotationDate(draft.lastRotatedAt, draft.rotation.rules);
        if (next === undefined) delete draft.nextRotationAt;
        else draft.nextRotationAt = next;
      });
    }
    this.#record('RotationSucceeded', arn, token);
    log(`rotation ${arn} ${token}: ${onlyTest ? 'configuration tested' : 'succeeded'}`);
  }
}
