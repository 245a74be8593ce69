import type * as X509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { optionalPeer } from '../core';

/** The X.509 package, an optional peer dependency of keystage. */
const X509_PACKAGE = '@peculiar/x509';

/**
 * `@peculiar/x509` over Node's WebCrypto, loaded when a certificate is first made or read:
 * `import 'keystage'` leaves it unloaded, and a service that makes no certificates need not
 * install it. Node caches the module, so later calls cost a lookup.
 * @throws ConfigurationError (field `@peculiar/x509`) when the package is not installed.
 * @example
 * const { X509Certificate } = x509Module();
 */
export function x509Module(): typeof X509 {
  let x509: typeof X509;
  try {
    // A literal require, so that a bundler (the certificate rotation function's esbuild)
    // includes the package; inside try, so a bundle made without it still builds.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    x509 = require('@peculiar/x509') as typeof X509;
  } catch {
    // Not installed (or failing to load): optionalPeer says so the way every peer does.
    x509 = optionalPeer<typeof X509>(X509_PACKAGE, { needs: 'Making or reading certificates' });
  }
  // Node's own WebCrypto, never a polyfill: keys come from node:crypto's CSPRNG. Setting it on
  // every call keeps no state of ours (a Map set), and undoes anyone who swapped it.
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  return x509;
}
