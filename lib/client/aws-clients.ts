import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { timeoutHandler } from '../core';
import type { ClientTimeouts, KmsClient, KmsClientConfig } from '../core';
import { kmsSdk, sdkKmsConfig } from '../core/kms-sdk';
import { sdkSsmConfig, ssmSdk } from './operations/ssm-sdk';
import type { ServiceClients } from './pipeline';
import type { SsmClient, SsmClientConfig } from './ssm-source';

export interface ClientChoice {
  readonly secretsManager?: SecretsManagerClient;
  readonly secretsManagerConfig?: SecretsManagerClientConfig;
  readonly kms?: KmsClient;
  readonly kmsConfig?: KmsClientConfig;
  readonly ssm?: SsmClient;
  readonly ssmConfig?: SsmClientConfig;
  readonly timeouts: Required<ClientTimeouts>;
}

/**
 * The SDK clients a SecretsClient sends through: the caller's, untouched, or keystage's
 * own with timeouts. The KMS and SSM clients (and their SDK modules) are created on first
 * use, so a service that only reads secrets never loads them.
 */
export function serviceClients(choice: ClientChoice): ServiceClients {
  const secretsManager =
    choice.secretsManager ??
    new SecretsManagerClient({
      ...choice.secretsManagerConfig,
      requestHandler: choice.secretsManagerConfig?.requestHandler ?? timeoutHandler(choice.timeouts),
    });
  let kms = choice.kms;
  let ssm = choice.ssm;
  return {
    secretsManager,
    get kms(): KmsClient {
      kms ??= defaultKmsClient(choice);
      return kms;
    },
    get ssm(): SsmClient {
      ssm ??= defaultSsmClient(choice);
      return ssm;
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

/** keystage's own SSM client, from `ssmConfig` and the timeouts; loads the SSM SDK. */
function defaultSsmClient(choice: ClientChoice): SsmClient {
  return new (ssmSdk().SSMClient)(
    sdkSsmConfig({
      ...choice.ssmConfig,
      requestHandler: choice.ssmConfig?.requestHandler ?? timeoutHandler(choice.timeouts),
    }),
  );
}
