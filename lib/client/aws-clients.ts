import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { timeoutHandler } from '../core';
import type { ClientTimeouts, KmsClient, KmsClientConfig } from '../core';
import { kmsSdk, sdkKmsConfig } from '../core/kms-sdk';
import type { ServiceClients } from './pipeline';

export interface ClientChoice {
  readonly secretsManager?: SecretsManagerClient;
  readonly secretsManagerConfig?: SecretsManagerClientConfig;
  readonly kms?: KmsClient;
  readonly kmsConfig?: KmsClientConfig;
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
    get kms(): KmsClient {
      kms ??= defaultKmsClient(choice);
      return kms;
    },
  };
}

/** keystage's own KMS client, from `kmsConfig` and the timeouts; loads the KMS SDK. */
function defaultKmsClient(choice: ClientChoice): KmsClient {
  return new (kmsSdk().KMSClient)(
    sdkKmsConfig({
      ...choice.kmsConfig,
      requestHandler: choice.kmsConfig?.requestHandler ?? timeoutHandler(choice.timeouts),
    }),
  );
}
