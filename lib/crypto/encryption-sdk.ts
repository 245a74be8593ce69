import type * as EncryptionSdk from '@aws-crypto/client-node';
import { optionalPeer } from '../core';

/** The AWS Encryption SDK for JavaScript, as the package manager installed it. */
export const ENCRYPTION_SDK_PACKAGE = '@aws-crypto/client-node';

/**
 * `@aws-crypto/client-node`, loaded when first needed: a service that never encrypts an
 * envelope or splits a secret need not install it (it is an optional peer dependency) nor
 * pay for loading it. Node caches the module, so later calls cost a lookup.
 * @param needs - the capability the missing-package error names.
 * @throws ConfigurationError (variable: the package name) when the package is not installed.
 * @example
 * const { buildClient, CommitmentPolicy } = encryptionSdk();
 */
export function encryptionSdk(
  needs = 'Envelope encryption (EnvelopeEncryption, the encrypted-json kind)',
): typeof EncryptionSdk {
  return optionalPeer<typeof EncryptionSdk>(ENCRYPTION_SDK_PACKAGE, { needs });
}
