import type * as SsmSdk from '@aws-sdk/client-ssm';
import { optionalPeer } from '../../core';
import type { SsmClient, SsmClientConfig } from '../ssm-source';

// Imported by its path, never re-exported: its declarations name the SSM SDK, an optional
// peer, which no declaration the root entry reaches may name (see lib/core/kms-sdk.ts).

/** The SSM SDK module, as the package manager installed it. */
const SSM_PACKAGE = '@aws-sdk/client-ssm';

/**
 * `@aws-sdk/client-ssm`, loaded the first time an `ssm:` id is read: a service that only
 * reads Secrets Manager never loads it, nor needs to install it (it is an optional peer).
 * @throws ConfigurationError when the package is not installed.
 * @example
 * const { GetParameterCommand } = ssmSdk();
 */
export function ssmSdk(): typeof SsmSdk {
  return optionalPeer<typeof SsmSdk>(SSM_PACKAGE, {
    needs: 'Reading SSM parameters (ssm: ids)',
    otherwise: 'or pass an SSM client as ssm',
  });
}

/** An {@link SsmClient} as the SDK's `SSMClient`, to send typed commands through (types only). */
export function sdkSsmClient(ssm: SsmClient): SsmSdk.SSMClient {
  return ssm as SsmSdk.SSMClient;
}

/** An {@link SsmClientConfig} as the SDK's `SSMClientConfig`, for `new SSMClient(config)` (types only). */
export function sdkSsmConfig(config: SsmClientConfig): SsmSdk.SSMClientConfig {
  return config as SsmSdk.SSMClientConfig;
}
