import type * as KmsSdk from '@aws-sdk/client-kms';
import type { KmsClient, KmsClientConfig } from './kms-client';
import { optionalPeer } from './optional-peer';

// Not exported from the lib/core barrel: this module's declarations name the KMS SDK, an
// optional peer, and the barrel's declarations are reached from the root entry's (a service
// without the KMS client installed would fail to type-check them). Import it by its path.

/** The KMS SDK module, as the package manager installed it. */
const KMS_PACKAGE = '@aws-sdk/client-kms';

/**
 * `@aws-sdk/client-kms`, loaded when first needed. Reading secrets never needs KMS, so
 * `import 'keystage'` and every `get` leave it unloaded (it costs startup time and memory
 * in every Lambda cold start), and a service that never makes data keys need not install it
 * (it is an optional peer dependency). Node caches the module, so later calls cost a lookup.
 * @throws ConfigurationError when the package is not installed.
 * @example
 * const { GenerateDataKeyCommand } = kmsSdk();
 */
export function kmsSdk(): typeof KmsSdk {
  return optionalPeer<typeof KmsSdk>(KMS_PACKAGE, {
    needs: 'This (a data key, or the default KMS client)',
    otherwise: 'or pass a KMS client as kms',
  });
}

/**
 * A {@link KmsClient} as the SDK's `KMSClient` type, to send typed commands through. Types
 * only: the object is the caller's (or keystage's default) client, unchanged.
 * @example
 * const output = await sdkKmsClient(kms).send(new (kmsSdk().GenerateDataKeyCommand)(input));
 */
export function sdkKmsClient(kms: KmsClient): KmsSdk.KMSClient {
  return kms as KmsSdk.KMSClient;
}

/**
 * A {@link KmsClientConfig} as the SDK's `KMSClientConfig` type, for `new KMSClient(config)`.
 * Types only: the settings are passed on as they were given.
 * @example
 * const kms = new (kmsSdk().KMSClient)(sdkKmsConfig({ region: 'eu-west-1' }));
 */
export function sdkKmsConfig(config: KmsClientConfig): KmsSdk.KMSClientConfig {
  return config as KmsSdk.KMSClientConfig;
}
