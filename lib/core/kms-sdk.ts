import type * as KmsSdk from '@aws-sdk/client-kms';
import { ConfigurationError } from '../errors';

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
  try {
    // A require() on first use is what keeps the module unloaded until then; a static import
    // would load it with keystage.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(KMS_PACKAGE) as typeof KmsSdk;
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'MODULE_NOT_FOUND') throw error;
    throw new ConfigurationError(
      KMS_PACKAGE,
      `This needs KMS (a data key, or the default KMS client), and ${KMS_PACKAGE} is not installed: ` +
        `npm install ${KMS_PACKAGE} (an optional peer dependency of keystage), or pass a KMS client as kms.`,
      { cause: error },
    );
  }
}
