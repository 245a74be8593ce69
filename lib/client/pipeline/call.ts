import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { toKeystageError, type KmsClient } from '../../core';
import { ConfigurationError } from '../../errors';
import type { Logger } from '../../observability';
import type { Clock } from '../options';
import type { SecretEnvelope } from '../sealed-value';
import type { SsmClient } from '../ssm-source';
import type { AnyOperation } from '../operation';
import type { Handler, Stage } from './stage';

/** What an operation's work against the service is given by the call stage. */
export interface CallContext {
  /**
   * One Secrets Manager request. Any failure becomes a KeystageError naming the API and
   * the secret, through the one error map.
   * @example
   * const output = await context.send('DescribeSecret', id, (sm) => sm.send(new DescribeSecretCommand({ SecretId: id })));
   */
  send<T>(
    api: string,
    secretId: string | undefined,
    request: (client: SecretsManagerClient) => Promise<T>,
  ): Promise<T>;
  /** The KMS client, created (and its SDK module loaded) on first use. */
  readonly kms: KmsClient;
  /** The SSM client that `ssm:` ids are read through, created (and its SDK module loaded) on first use. */
  readonly ssm: SsmClient;
  /** Envelope encryption of `encrypted-json` values; undefined when the client was given no `envelope`. */
  readonly envelope: SecretEnvelope | undefined;
  readonly logger: Logger;
  readonly clock: Clock;
}

/** The clients the call stage sends through. */
export interface ServiceClients {
  readonly secretsManager: SecretsManagerClient;
  /** Created on first read. */
  readonly kms: KmsClient;
  /**
   * Created on first read of an `ssm:` id.
   * @default - none: reading an `ssm:` id fails with CONFIGURATION_ERROR (call stages built by hand)
   */
  readonly ssm?: SsmClient;
}

/**
 * The last stage: the operation's work against the service. The clients carry the
 * timeouts, `send` the one error map; pagination goes through `paginate` from lib/core.
 * The cache reads through this stage too (see `run`), so a cache miss and an uncached read
 * do the same thing.
 */
export class CallStage implements Stage {
  readonly name = 'call';
  readonly #context: CallContext;

  constructor(clients: ServiceClients, logger: Logger, clock: Clock, envelope?: SecretEnvelope) {
    this.#context = {
      send: async (api, secretId, request) => {
        try {
          return await request(clients.secretsManager);
        } catch (error) {
          throw toKeystageError(
            error,
            secretId === undefined ? { operation: api } : { operation: api, secretId },
          );
        }
      },
      get kms() {
        return clients.kms;
      },
      get ssm() {
        const ssm = clients.ssm;
        if (ssm === undefined) {
          throw new ConfigurationError(
            'ssm',
            'This call stage has no SSM client: build it with one to read ssm: ids.',
          );
        }
        return ssm;
      },
      envelope,
      logger,
      clock,
    };
  }

  /** Runs one piece of work against the service: an operation's `call`, or a cache read. */
  run<I, R>(work: (input: I, context: CallContext) => Promise<R>, input: I): Promise<R> {
    return work(input, this.#context);
  }

  /** The end of every chain: the operation's own work. */
  handler(operation: AnyOperation): Handler {
    return (invocation) => operation.call(invocation.input, this.#context, invocation);
  }

  // As a stage it has nothing after it: `next` is never called.
  wrap: Stage['wrap'] = (operation) => this.handler(operation);

  // The service never answers synchronously.
  wrapHit: Stage['wrapHit'] = () => undefined;
}
