import fc from 'fast-check';
import { createRotationHandler, type RotationStrategy } from '../../rotation-lambdas';
import { ErrorFacts, ROTATION_STEPS } from '../../rotation-lambdas/errors';
import { Crash, SecretsManagerModel } from './secrets-manager-model';

/**
 * Crash injection for rotations: the function is "killed" right after a chosen side effect
 * (a Secrets Manager write or a database change) took effect, so its caller sees a failure
 * although the effect happened. After a crash the run goes on as the service and Lambda
 * would: the same step again, or the whole rotation from createSecret; every invocation may
 * also be duplicated. The invariants are checked after every crash and at the end.
 */
export interface CrashPlan {
  /** Side effects (counted from 0 over the whole run) after which the function dies. */
  readonly crashAfter: readonly number[];
  /** How many times each invocation is delivered, cycled. */
  readonly deliveries: readonly number[];
  /** After a crash: true restarts at createSecret, false retries the same step. Cycled. */
  readonly restart: readonly boolean[];
}

export const crashPlans = (maxEffects: number): fc.Arbitrary<CrashPlan> =>
  fc.record({
    crashAfter: fc.uniqueArray(fc.nat(maxEffects - 1), { maxLength: 4 }),
    deliveries: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 8 }),
    restart: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
  });

/**
 * Plans that kill the function once after each of the first `effects` side effects, and
 * after all of them: run first (fast-check `examples`), so every boundary is always covered.
 */
export function everyBoundary(effects: number): Array<[CrashPlan]> {
  const once = Array.from({ length: effects }, (_, index): [CrashPlan] => [
    { crashAfter: [index], deliveries: [1], restart: [true] },
  ]);
  const all: CrashPlan = {
    crashAfter: Array.from({ length: effects * 2 }, (_, index) => index),
    deliveries: [2],
    restart: [false, true],
  };
  return [...once, [all]];
}

/** Counts side effects and throws a Crash after the planned ones. */
export class CrashSwitch {
  #effects = 0;
  readonly crashed: string[] = [];
  constructor(private readonly plan: CrashPlan) {}

  /** Call right after a side effect took effect. */
  effect(what: string): void {
    const index = this.#effects++;
    if (this.plan.crashAfter.includes(index)) {
      this.crashed.push(what);
      throw new Crash(`after ${what}`);
    }
  }

  get effects(): number {
    return this.#effects;
  }
}

export interface CrashRun {
  readonly model: SecretsManagerModel;
  readonly secretId: string;
  readonly token: string;
  readonly crashes: readonly string[];
}

/**
 * Runs one rotation of `secretId` in `model` under `plan` with the strategy `build` returns
 * (given the crash switch, so it can wrap its own side effects). `during` runs after every
 * crash; the run fails if the rotation does not complete within a bounded number of tries.
 */
export async function runWithCrashes(options: {
  readonly model: SecretsManagerModel;
  readonly secretId: string;
  readonly plan: CrashPlan;
  readonly build: (crash: CrashSwitch) => RotationStrategy;
  readonly during?: (run: { token: string }) => Promise<void>;
}): Promise<CrashRun> {
  const { model, secretId, plan } = options;
  const crash = new CrashSwitch(plan);
  model.after = (operation) => {
    if (operation === 'PutSecretValue' || operation === 'UpdateSecretVersionStage') crash.effect(operation);
  };
  const token = model.startRotation(secretId);
  const handler = createRotationHandler(options.build(crash), {
    secretsManager: model.client,
    logSink: () => undefined,
  });
  let step = 0;
  let deliveries = 0;
  let restarts = 0;
  try {
    for (let invocation = 0; step < ROTATION_STEPS.length; invocation++) {
      if (invocation > 200) throw new Error(`no progress after ${invocation} invocations`);
      const times = plan.deliveries[deliveries++ % plan.deliveries.length]!;
      let failed: unknown;
      for (let i = 0; i < times; i++) {
        try {
          await handler({ Step: ROTATION_STEPS[step], SecretId: secretId, ClientRequestToken: token });
        } catch (error) {
          failed = error;
        }
      }
      if (failed === undefined) {
        step++;
        continue;
      }
      // A rotation error keeps only the facts of a foreign cause, the Crash among them.
      const cause = (failed as { cause?: unknown }).cause;
      const crashed = cause instanceof ErrorFacts ? cause.errorName === 'Crash' : cause instanceof Crash;
      if (!crashed && !(failed instanceof Crash)) throw failed;
      await options.during?.({ token });
      if (plan.restart[restarts++ % plan.restart.length]) step = 0;
    }
  } finally {
    model.after = undefined;
  }
  return { model, secretId, token, crashes: crash.crashed };
}
