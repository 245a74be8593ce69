import type {
  FunctionConfiguration,
  ListTagsCommandOutput,
  UpdateFunctionConfigurationCommandInput,
} from '@aws-sdk/client-lambda';
import type { Clock } from '../../../client/options';
import { ConflictError, ServiceUnavailableError, UnexpectedServiceError } from '../../../errors';
import { recordChanges } from '../record';
import { describeTarget, type CheckedOptions } from '../request';
import { ClientSlot, lambdaSdk, send } from '../sdk';
import type { LambdaFunctionTarget } from '../types';

// The Lambda calls a workload job makes, each with its errors mapped and its answer checked.

/** One call against one Lambda function. */
export interface LambdaCall {
  readonly target: LambdaFunctionTarget;
  readonly lambda: ClientSlot;
  readonly ssm: ClientSlot;
  readonly options: CheckedOptions;
  readonly clock: Clock;
  readonly label: string;
}

export function lambdaCall(
  target: LambdaFunctionTarget,
  clients: { readonly lambda: ClientSlot; readonly ssm: ClientSlot },
  options: CheckedOptions,
  clock: Clock,
): LambdaCall {
  return { target, ...clients, options, clock, label: describeTarget(target) };
}

export type Configuration = FunctionConfiguration & { FunctionArn: string };

export async function getConfiguration(call: LambdaCall, name: string): Promise<Configuration> {
  const config = await send<FunctionConfiguration>(
    call.lambda,
    'GetFunctionConfiguration',
    call.label,
    new (lambdaSdk().GetFunctionConfigurationCommand)({ FunctionName: name }),
  );
  if (config.FunctionArn === undefined) {
    throw new UnexpectedServiceError(`GetFunctionConfiguration for ${call.label} returned no FunctionArn.`);
  }
  return config as Configuration;
}

/**
 * The configuration once no update is running: a function is `Pending` after creation and
 * `LastUpdateStatus: InProgress` during an update, and Lambda refuses another update until
 * then (ResourceConflictException), as its documentation on function states says.
 */
export async function settled(call: LambdaCall, name: string): Promise<Configuration> {
  const deadline = call.clock.now() + call.options.waitTimeoutMs;
  for (;;) {
    const config = await getConfiguration(call, name);
    if (config.State !== 'Pending' && config.LastUpdateStatus !== 'InProgress') return config;
    if (call.clock.now() >= deadline) {
      throw new ServiceUnavailableError(
        `${call.label} is still ${config.State === 'Pending' ? 'Pending' : 'updating (LastUpdateStatus InProgress)'} ` +
          `after ${call.options.waitTimeoutMs} ms: run the same call again later, or raise waitTimeoutMs.`,
      );
    }
    await call.clock.sleep(call.options.pollIntervalMs);
  }
}

/**
 * The function's variables. When Lambda cannot decrypt them (`Environment.Error`), an update
 * would replace them with only keystage's, so the call stops instead.
 */
export function variablesOf(config: Configuration, label: string): Record<string, string> {
  const error = config.Environment?.Error;
  if (error !== undefined) {
    throw new ConflictError(
      `${label}'s environment cannot be read (${error.ErrorCode ?? 'Error'}: ${error.Message ?? 'no message'}); ` +
        'an update would replace every variable: fix access to its KMS key first.',
    );
  }
  return { ...(config.Environment?.Variables ?? {}) };
}

export async function listTags(call: LambdaCall, functionArn: string): Promise<Record<string, string>> {
  const output = await send<ListTagsCommandOutput>(
    call.lambda,
    'ListTags',
    call.label,
    new (lambdaSdk().ListTagsCommand)({ Resource: functionArn }),
  );
  return { ...(output.Tags ?? {}) };
}

export async function writeRecord(
  call: LambdaCall,
  functionArn: string,
  current: Readonly<Record<string, string>>,
  next: Readonly<Record<string, string>>,
): Promise<boolean> {
  const { set, remove } = recordChanges(current, next);
  const sdk = lambdaSdk();
  if (Object.keys(set).length > 0) {
    await send(
      call.lambda,
      'TagResource',
      call.label,
      new sdk.TagResourceCommand({ Resource: functionArn, Tags: set }),
    );
  }
  if (remove.length > 0) {
    await send(
      call.lambda,
      'UntagResource',
      call.label,
      new sdk.UntagResourceCommand({ Resource: functionArn, TagKeys: remove }),
    );
  }
  return Object.keys(set).length > 0 || remove.length > 0;
}

/**
 * One UpdateFunctionConfiguration of only what changed (Environment replaces the whole map;
 * Layers the whole list), guarded by the RevisionId read, then waits for it to finish.
 */
export async function update(
  call: LambdaCall,
  config: Configuration,
  change: { readonly variables?: Record<string, string>; readonly layers?: string[] },
): Promise<Configuration> {
  const input: UpdateFunctionConfigurationCommandInput = {
    FunctionName: config.FunctionArn,
    ...(change.variables === undefined ? {} : { Environment: { Variables: change.variables } }),
    ...(change.layers === undefined ? {} : { Layers: change.layers }),
    ...(config.RevisionId === undefined ? {} : { RevisionId: config.RevisionId }),
  };
  await send(
    call.lambda,
    'UpdateFunctionConfiguration',
    call.label,
    new (lambdaSdk().UpdateFunctionConfigurationCommand)(input),
  );
  const after = await settled(call, config.FunctionArn);
  if (after.LastUpdateStatus === 'Failed' || after.State === 'Failed') {
    throw new ConflictError(
      `Lambda could not apply the configuration of ${call.label} (${after.LastUpdateStatusReasonCode ?? after.StateReasonCode ?? 'Failed'}: ` +
        `${after.LastUpdateStatusReason ?? after.StateReason ?? 'no reason given'}): correct that and run again.`,
    );
  }
  return after;
}

export function sameVariables(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => key in b && a[key] === b[key]);
}

export function layerArns(config: Configuration): string[] {
  return (config.Layers ?? []).flatMap((layer) => (layer.Arn === undefined ? [] : [layer.Arn]));
}
