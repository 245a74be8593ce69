import type { KMSClient, KMSClientConfig } from '@aws-sdk/client-kms';
import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { kmsSdk } from '../core';
import type { ClientTimeouts } from './options';
import type { ServiceClients } from './pipeline';

/**
 * The request handler settings for `timeouts`, in the configuration's object form (SDK
 * 3.521+), so keystage needs no `@smithy/node-http-handler` dependency of its own.
 *
 * Both meanings `requestTimeout` has had are covered: until `@smithy/node-http-handler`
 * 4.4 it was a socket idle timeout that failed the attempt; since then it is a deadline for
 * the whole attempt that only logs a warning unless `throwOnRequestTimeout` is set, and
 * the idle timeout is `socketTimeout` (which would otherwise default to 5 minutes for
 * Secrets Manager). Versions that do not know a setting ignore it.
 */
export function timeoutHandler(timeouts: Required<ClientTimeouts>): Record<string, number | boolean> {
  return {
    connectionTimeout: timeouts.connectMs,
    requestTimeout: timeouts.requestMs,
    socketTimeout: timeouts.requestMs,
    throwOnRequestTimeout: true,
  };
}

export interface ClientChoice {
  readonly secretsManager?: SecretsManagerClient;
  readonly secretsManagerConfig?: SecretsManagerClientConfig;
  readonly kms?: KMSClient;
  readonly kmsConfig?: KMSClientConfig;
  readonly timeouts: Required<ClientTimeouts>;
}

/**
 * The SDK clients a SecretsClient sends through: the caller's, untouched, or keystage's
 * own with timeouts. The KMS client (and the KMS SDK module) is created on first use, so a
 * service that only reads secrets never loads it.
 */
export function serviceClients(choice: ClientChoice): ServiceClients {
  const secretsManager =
    choice.secretsManager ??
    new SecretsManagerClient({
      ...choice.secretsManagerConfig,
      requestHandler: choice.secretsManagerConfig?.requestHandler ?? timeoutHandler(choice.timeouts),
    });
  let kms = choice.kms;
  return {
    secretsManager,
    get kms(): KMSClient {
      kms ??= new (kmsSdk().KMSClient)({
        ...choice.kmsConfig,
        requestHandler: choice.kmsConfig?.requestHandler ?? timeoutHandler(choice.timeouts),
      });
      return kms;
    },
  };
}
