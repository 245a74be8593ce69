import type * as KmsSdk from '@aws-sdk/client-kms';
import { optionalPeer } from './optional-peer';

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
