import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ROTATION_STEPS, RotationFailure, RotationStepError, type RotationStep } from './errors';
import { errorFields, jsonLog, type LogSink, type RotationLog } from './log';
import { RotationSecrets } from './secrets';

/** The event Secrets Manager invokes a rotation function with. Other keys are ignored. */
export interface RotationEvent {
  readonly Step: RotationStep;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  /** Sent by Secrets Manager since 2024 for calls back to it; not needed here. */
  readonly RotationToken?: string;
}

/** What a strategy step gets besides the values. */
export interface StepContext {
  readonly secretId: string;
  readonly token: string;
  readonly log: RotationLog;
  /** For strategies that read another secret (the master secret of alternating users). */
  readonly secrets: RotationSecrets;
}

/** The values a step sees. `previous` is AWSPREVIOUS, when there is one. */
export interface RotationValues {
  readonly current: string;
  readonly pending: string;
  readonly previous: string | undefined;
}

/**
 * How one kind of secret rotates. The protocol does everything Secrets Manager-side
 * (pre-checks, storing AWSPENDING, moving AWSCURRENT); a strategy makes the new value and
 * applies and tests it where the value is used. Every method may run again after a crash
 * or a retry, with the same inputs, and must converge.
 */
export interface RotationStrategy {
  readonly name: string;
  /** The AWSPENDING value to store, made from the AWSCURRENT one. */
  createValue(current: string, context: StepContext): string | Promise<string>;
  /** Makes the pending value work where it is used (a database password, say). */
  setSecret(values: RotationValues, context: StepContext): Promise<void>;
  /** Proves the pending value works; throws (preferably a RotationFailure) if not. */
  testSecret(values: RotationValues, context: StepContext): Promise<void>;
}

export interface RotationHandlerOptions {
  /** @default a SecretsManagerClient from the Lambda environment */
  readonly secretsManager?: SecretsManagerClient;
  /** Where JSON log lines go. @default stdout */
  readonly logSink?: LogSink;
}

export type RotationHandler = (event: unknown) => Promise<void>;

function invalidEvent(message: string): RotationStepError {
  return new RotationStepError('unknown', 'INVALID_EVENT', message);
}

/** Checks the event's shape before anything is read or written. */
export function parseRotationEvent(event: unknown): RotationEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw invalidEvent('The event is not an object: invoke with { Step, SecretId, ClientRequestToken }.');
  }
  const { Step, SecretId, ClientRequestToken } = event as Record<string, unknown>;
  if (typeof Step !== 'string' || !(ROTATION_STEPS as readonly string[]).includes(Step)) {
    throw invalidEvent(
      `Step must be one of ${ROTATION_STEPS.join(', ')}; got ${typeof Step === 'string' ? JSON.stringify(Step.slice(0, 40)) : typeof Step}.`,
    );
  }
  for (const [field, value] of [
    ['SecretId', SecretId],
    ['ClientRequestToken', ClientRequestToken],
  ] as const) {
    if (typeof value !== 'string' || value.length === 0 || value.length > 2048) {
      throw invalidEvent(`${field} must be a non-empty string; Secrets Manager always sends it.`);
    }
  }
  return event as RotationEvent;
}

/**
 * A Lambda handler for Secrets Manager rotation that runs `strategy`. Every step first
 * checks that rotation is enabled and the token is a version of the secret; a step for a
 * version that is already AWSCURRENT returns at once (a replay after finishSecret), and a
 * version that is not AWSPENDING is refused.
 * @example
 * export const handler = createRotationHandler(createGenericStrategy({ kind: 'api-key' }));
 */
export function createRotationHandler(
  strategy: RotationStrategy,
  options: RotationHandlerOptions = {},
): RotationHandler {
  let secrets: RotationSecrets | undefined;
  return async (event: unknown) => {
    let parsed: RotationEvent;
    try {
      parsed = parseRotationEvent(event);
    } catch (error) {
      jsonLog({ strategy: strategy.name }, options.logSink).error('event refused', errorFields(error));
      throw error;
    }
    const { Step: step, SecretId: secretId, ClientRequestToken: token } = parsed;
    const log = jsonLog({ strategy: strategy.name, step, secretId, token }, options.logSink);
    secrets ??= new RotationSecrets(options.secretsManager ?? new SecretsManagerClient({}));
    const started = Date.now();
    try {
      const state = await secrets.describe(secretId);
      if (!state.rotationEnabled) {
        throw new RotationFailure(
          'ROTATION_DISABLED',
          `Rotation is not enabled on ${secretId}; enable it (RotateSecret with a rotation function) first.`,
        );
      }
      const stages = state.versions.get(token);
      if (stages === undefined) {
        throw new RotationFailure(
          'TOKEN_NOT_FOUND',
          `Version ${token} is not a version of ${secretId}; start rotations with RotateSecret.`,
        );
      }
      if (stages.includes('AWSCURRENT')) {
        log.info('version is already AWSCURRENT: nothing to do');
        return;
      }
      if (!stages.includes('AWSPENDING')) {
        throw new RotationFailure(
          'TOKEN_NOT_PENDING',
          `Version ${token} of ${secretId} is not AWSPENDING; it belongs to an abandoned rotation. Start a new one with RotateSecret.`,
        );
      }
      const context: StepContext = { secretId: state.arn, token, log, secrets };
      await runStep(step, strategy, context, state.versions);
      log.info('step done', { ms: Date.now() - started });
    } catch (error) {
      const failure = asStepError(step, error);
      log.error('step failed', { ...errorFields(failure), ms: Date.now() - started });
      throw failure;
    }
  };
}

async function runStep(
  step: RotationStep,
  strategy: RotationStrategy,
  context: StepContext,
  versions: ReadonlyMap<string, readonly string[]>,
): Promise<void> {
  const { secrets, secretId, token, log } = context;
  if (step === 'createSecret') {
    const current = await secrets.required(secretId, 'AWSCURRENT');
    if ((await secrets.value(secretId, { versionStage: 'AWSPENDING', versionId: token })) !== undefined) {
      log.info('pending value already stored');
      return;
    }
    await secrets.putPending(secretId, token, await strategy.createValue(current, context));
    log.info('pending value stored');
    return;
  }
  if (step === 'finishSecret') {
    const holder = [...versions].find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
    await secrets.moveCurrent(secretId, token, holder);
    log.info('AWSCURRENT moved', { from: holder ?? null });
    return;
  }
  const values = await readValues(context);
  if (step === 'setSecret') await strategy.setSecret(values, context);
  else await strategy.testSecret(values, context);
}

async function readValues({ secrets, secretId, token }: StepContext): Promise<RotationValues> {
  const [current, pending, previous] = await Promise.all([
    secrets.required(secretId, 'AWSCURRENT'),
    secrets.value(secretId, { versionStage: 'AWSPENDING', versionId: token }),
    secrets.value(secretId, { versionStage: 'AWSPREVIOUS' }),
  ]);
  if (pending === undefined) {
    throw new RotationFailure(
      'INVALID_SECRET',
      `Version ${token} has no value yet: createSecret must run before the other steps.`,
    );
  }
  return { current, pending, previous };
}

function asStepError(step: RotationStep, error: unknown): RotationStepError {
  if (error instanceof RotationStepError) return error;
  if (error instanceof RotationFailure) {
    return new RotationStepError(step, error.reason, error.message, { cause: error.cause });
  }
  // Anything else is a bug or an unclassified error (a custom test hook, say): keep its name
  // only, since its message may quote a value.
  const name = error instanceof Error ? error.name : typeof error;
  return new RotationStepError(step, 'UNEXPECTED_ERROR', `Unexpected ${name}; see the function's log.`, {
    cause: error,
  });
}
