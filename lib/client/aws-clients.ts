import type { KMSClient, KMSClientConfig } from '@aws-sdk/client-kms';
import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { kmsSdk, timeoutHandler } from '../core';
import type { ClientTimeouts } from '../core';
import type { ServiceClients } from './pipeline';

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
