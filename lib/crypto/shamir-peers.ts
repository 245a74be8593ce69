import type * as ShamirLibrary from 'shamir-secret-sharing';
import { optionalPeer } from '../core/optional-peer';

/**
 * `shamir-secret-sharing` (audited by Cure53 and Zellic), loaded when a split is first made or
 * combined: `import 'keystage'` never loads it, and a service that never splits need not
 * install it.
 * @throws ConfigurationError when the package is not installed.
 * @example
 * const shares = await shamirLibrary().split(key, 5, 3);
 */
export function shamirLibrary(): typeof ShamirLibrary {
  return optionalPeer<typeof ShamirLibrary>('shamir-secret-sharing', { needs: 'Shamir split knowledge' });
}
