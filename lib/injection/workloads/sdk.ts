import type * as EcsSdk from '@aws-sdk/client-ecs';
import type * as LambdaSdk from '@aws-sdk/client-lambda';
import type * as SsmSdk from '@aws-sdk/client-ssm';
import { DEFAULT_TIMEOUTS, optionalPeer, timeoutHandler } from '../../core';
import { workloadError } from './sdk-errors';
import type { WorkloadSdkClient } from './types';

// The ECS, Lambda and SSM SDKs are optional peers, loaded on first use: a service that never
// injects into a workload neither installs nor loads them. This module's declarations name
// them; it is internal to keystage/injection and never reached from the package root.

export function ecsSdk(): typeof EcsSdk {
  return optionalPeer<typeof EcsSdk>('@aws-sdk/client-ecs', {
    needs: 'Injecting secrets into an ECS service',
    otherwise: 'or pass an ECS client as ecs',
  });
}

export function lambdaSdk(): typeof LambdaSdk {
  return optionalPeer<typeof LambdaSdk>('@aws-sdk/client-lambda', {
    needs: 'Injecting secrets into a Lambda function',
    otherwise: 'or pass a Lambda client as lambda',
  });
}

export function ssmSdk(): typeof SsmSdk {
  return optionalPeer<typeof SsmSdk>('@aws-sdk/client-ssm', {
    needs: "Looking up the Parameters and Secrets extension's layer",
    otherwise: 'or pass an SSM client as ssm, or the layer ARN as extensionLayer',
  });
}

/** keystage's own client settings: the SDK's configuration chain, with keystage's timeouts. */
export function defaultClientConfig(): { requestHandler: Record<string, number | boolean> } {
  return { requestHandler: timeoutHandler(DEFAULT_TIMEOUTS) };
}

/**
 * One SDK client for the length of a call: the caller's, untouched, or one keystage creates
 * on first use and closes when the call ends.
 */
export class ClientSlot {
  #client: WorkloadSdkClient | undefined;
  readonly #owned: boolean;

  constructor(
    given: WorkloadSdkClient | undefined,
    private readonly create: () => WorkloadSdkClient,
  ) {
    this.#client = given;
    this.#owned = given === undefined;
  }

  get client(): WorkloadSdkClient {
    this.#client ??= this.create();
    return this.#client;
  }

  close(): void {
    if (this.#owned) this.#client?.destroy();
  }
}

/**
 * Sends one command, mapping a failure to a KeystageError that names the operation and the
 * target (never a value: keystage never sends one).
 */
export async function send<T>(
  slot: ClientSlot,
  operation: string,
  target: string,
  command: unknown,
): Promise<T> {
  try {
    return (await slot.client.send(command)) as T;
  } catch (error) {
    throw workloadError(error, operation, target);
  }
}
