import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ServiceFault } from '../../lib/local/fault';
import { KeyStore } from '../../lib/local/kms/keys';
import { SECRETS_MANAGER_OPERATIONS, SecretStore } from '../../lib/local/secrets-manager';
import { Transaction } from '../../lib/local/storage/table';
import { invoke } from '../../lib/local/operation';

export const ROTATION_LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:rotate';

/** Thrown by a fault hook to stand for the function being killed mid-step. */
export class Crash extends Error {
  constructor(where: string) {
    super(`crashed ${where}`);
    this.name = 'Crash';
  }
}

/**
 * Secrets Manager as a rotation sees it, in-process: the local endpoint's own operations
 * (the empty AWSPENDING placeholder, idempotent PutSecretValue, RemoveFromVersionId
 * compare-and-swap) behind a `send()` that looks like the SDK client's. Every call is
 * counted, and hooks run before a call and after a write has taken effect.
 */
export class SecretsManagerModel {
  readonly store = new SecretStore('123456789012');
  readonly keys = new KeyStore('123456789012');
  readonly calls: string[] = [];
  /** Runs before each call; throw to fail it with nothing changed. */
  before: ((operation: string, input: Record<string, unknown>) => void) | undefined;
  /** Runs after a call took effect; throw (a Crash) to lose its answer. */
  after: ((operation: string, input: Record<string, unknown>) => void) | undefined;
  #now = 1_700_000_000_000;

  readonly client = {
    send: async (command: { constructor: { name: string }; input: object }) => {
      const operation = command.constructor.name.replace(/Command$/, '');
      return this.call(operation, command.input as Record<string, unknown>);
    },
  } as unknown as SecretsManagerClient;

  call(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    this.calls.push(operation);
    this.before?.(operation, input);
    const run = SECRETS_MANAGER_OPERATIONS[operation];
    if (run === undefined) throw new Error(`the model has no ${operation}`);
    let result: object;
    const tx = new Transaction();
    const access = new Transaction();
    try {
      result = invoke(
        run,
        {
          store: this.store,
          keys: this.keys,
          tx,
          access,
          region: 'us-east-1',
          now: () => (this.#now += 1000),
          startRotation: () => undefined,
        },
        // The SDK's input, as the endpoint would receive it on the wire.
        JSON.parse(JSON.stringify(input)) as Record<string, unknown>,
      );
    } catch (error) {
      if (error instanceof ServiceFault) throw Object.assign(new Error(error.message), { name: error.type });
      throw error;
    }
    // Committed at once, as the in-memory endpoint does.
    for (const change of [...tx.changes(), ...access.changes()]) change.table.apply(change.key, change.row);
    this.after?.(operation, input);
    return result as Record<string, unknown>;
  }

  /** Writes made so far (anything but reads). */
  writes(): number {
    return this.calls.filter((op) => !/^(Get|Describe|List|BatchGet)/.test(op)).length;
  }

  create(name: string, value: string): string {
    return this.call('CreateSecret', { Name: name, SecretString: value }).ARN as string;
  }

  /** RotateSecret as the service does it: the pending version exists, without a value. */
  startRotation(secretId: string): string {
    const out = this.call('RotateSecret', { SecretId: secretId, RotationLambdaARN: ROTATION_LAMBDA });
    return out.VersionId as string;
  }

  stages(secretId: string): Record<string, string[]> {
    return this.call('DescribeSecret', { SecretId: secretId }).VersionIdsToStages as Record<string, string[]>;
  }

  value(secretId: string, stage = 'AWSCURRENT'): string | undefined {
    try {
      return this.call('GetSecretValue', { SecretId: secretId, VersionStage: stage }).SecretString as string;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  /** The end-state invariant: one AWSCURRENT, and AWSPENDING nowhere or on AWSCURRENT. */
  complete(secretId: string): boolean {
    const stages = Object.values(this.stages(secretId));
    const current = stages.filter((s) => s.includes('AWSCURRENT'));
    const pending = stages.filter((s) => s.includes('AWSPENDING'));
    return current.length === 1 && (pending.length === 0 || pending[0]!.includes('AWSCURRENT'));
  }
}
