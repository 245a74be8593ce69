import type { RotationEvent } from './secrets-manager/context';
import { holderOf, type SecretStore } from './secrets-manager/store';
import type { Transaction } from './storage/table';

/** Runs `change` in a transaction and resolves when it is durable. */
export type Write = (change: (tx: Transaction) => void) => Promise<void>;

export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

/** The event a rotation function receives, as Secrets Manager sends it to Lambda. */
export interface RotationHandlerEvent {
  readonly Step: RotationStep;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly RotationToken: string;
}

/** A rotation function registered in-process under the Lambda ARN a secret names. */
export type RotationHandler = (event: RotationHandlerEvent) => Promise<unknown>;

const STEPS: readonly RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

function nextRotation(
  now: number,
  rules: { AutomaticallyAfterDays?: number; ScheduleExpression?: string } | undefined,
): number | undefined {
  if (rules?.AutomaticallyAfterDays !== undefined) return now + rules.AutomaticallyAfterDays * 86_400_000;
  const rate = /^rate\((\d+) (hour|hours|day|days)\)$/.exec(rules?.ScheduleExpression ?? '');
  if (rate === null) return undefined;
  return now + Number(rate[1]) * (rate[2]!.startsWith('hour') ? 3_600_000 : 86_400_000);
}

/**
 * Runs rotations the way the service does: each step in its own invocation, the whole
 * rotation retried a few times when a step fails, and RotationStarted / RotationSucceeded /
 * RotationFailed recorded. Runs start after the RotateSecret response has been sent.
 */
export class RotationRunner {
  readonly events: RotationEvent[] = [];
  readonly #handlers = new Map<string, RotationHandler>();
  readonly #running = new Map<string, Promise<void>>();

  constructor(
    private readonly store: SecretStore,
    private readonly write: Write,
    private readonly now: () => number,
    private readonly maxAttempts: number,
  ) {}

  register(lambdaArn: string, handler: RotationHandler): void {
    this.#handlers.set(lambdaArn, handler);
  }

  unregister(lambdaArn: string): void {
    this.#handlers.delete(lambdaArn);
  }

  /** Starts a run unless one for the same version is already going. */
  start(arn: string, token: string, onlyTest: boolean): void {
    const key = `${arn}#${token}`;
    if (this.#running.has(key)) return;
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run(arn, token, onlyTest))
      .finally(() => this.#running.delete(key));
    this.#running.set(key, run);
  }

  /** Resolves when no rotation is running. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()]);
  }

  private record(
    type: RotationEvent['type'],
    arn: string,
    versionId: string,
    extra: Partial<RotationEvent> = {},
  ): void {
    this.events.push({ type, secretArn: arn, versionId, time: this.now(), ...extra });
  }

  private async run(arn: string, token: string, onlyTest: boolean): Promise<void> {
    const secret = this.store.secrets.get(arn);
    if (secret === undefined) return;
    const lambdaArn = secret.rotation.lambdaArn ?? '';
    const handler = this.#handlers.get(lambdaArn);
    this.record('RotationStarted', arn, token);
    if (handler === undefined) {
      this.record('RotationFailed', arn, token, {
        message: `No rotation handler is registered for ${lambdaArn}.`,
      });
      return;
    }
    const steps = onlyTest ? (['testSecret'] as const) : STEPS;
    let failure: { step: RotationStep; message: string } | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      failure = undefined;
      for (const step of steps) {
        try {
          await handler({ Step: step, SecretId: arn, ClientRequestToken: token, RotationToken: token });
        } catch (error) {
          failure = {
            step,
            message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          };
          break;
        }
      }
      const latest = this.store.secrets.get(arn) ?? secret;
      if (failure === undefined && !onlyTest && holderOf(latest, 'AWSCURRENT')?.id !== token) {
        failure = {
          step: 'finishSecret',
          message: 'finishSecret returned but AWSCURRENT is not on the new version.',
        };
      }
      if (failure === undefined) break;
    }
    if (onlyTest) {
      // Testing the configuration leaves no trace: the pending version goes again.
      await this.write((tx) => {
        const draft = tx.edit(this.store.secrets, arn);
        if (draft === undefined) return;
        const pending = draft.versions.find((version) => version.id === token);
        if (pending === undefined) return;
        if (!pending.hasValue) {
          draft.versions = draft.versions.filter((version) => version !== pending);
          this.store.dropVersion(tx, draft, token);
        } else {
          pending.stages = pending.stages.filter((stage) => stage !== 'AWSPENDING');
        }
      });
    }
    if (failure !== undefined) {
      this.record('RotationFailed', arn, token, failure);
      return;
    }
    if (!onlyTest) {
      await this.write((tx) => {
        const draft = tx.edit(this.store.secrets, arn);
        if (draft === undefined) return;
        draft.lastRotatedAt = this.now();
        const next = nextRotation(draft.lastRotatedAt, draft.rotation.rules);
        if (next !== undefined) draft.nextRotationAt = next;
      });
    }
    this.record('RotationSucceeded', arn, token);
  }
}
