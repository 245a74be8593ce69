import type * as EncryptionSdk from '@aws-crypto/client-node';
import { MAX_TIMER_MS } from '../core';
import type { CacheCounts, CheckedCacheOptions } from './envelope-cache';

// The SDK's types stay in this internal file: the public declarations never name an optional peer.

type Sdk = typeof EncryptionSdk;
type NodeKeyring = InstanceType<Sdk['KmsKeyringNode']>;
type NodeCache = ConstructorParameters<Sdk['NodeCachingMaterialsManager']>[0]['cache'];

/**
 * A caching materials manager over `keyring`, and its lookup counts. The counts come from
 * the cache the manager consults: it deletes the key of every lookup that found nothing
 * usable (absent or past a limit) before asking the keyring, so misses are deletions.
 * @example
 * const { manager, counts } = cachingMaterials(encryptionSdk(), keyring, checkDataKeyCacheOptions(limits));
 */
export function cachingMaterials(
  sdk: Sdk,
  keyring: NodeKeyring,
  options: CheckedCacheOptions,
): { readonly manager: InstanceType<Sdk['NodeCachingMaterialsManager']>; counts(): CacheCounts } {
  // The SDK re-arms an unref'd pruning timer at this period; expiry itself is checked on
  // every lookup, so the timer is set as far out as Node allows and never fires in practice.
  const inner: NodeCache = sdk.getLocalCryptographicMaterialsCache(options.capacity, MAX_TIMER_MS);
  let lookups = 0;
  let misses = 0;
  const cache: NodeCache = {
    putEncryptionMaterial: (key, material, length, maxAge) =>
      inner.putEncryptionMaterial(key, material, length, maxAge),
    putDecryptionMaterial: (key, material, maxAge) => inner.putDecryptionMaterial(key, material, maxAge),
    putBranchKeyMaterial: (key, material, maxAge) => inner.putBranchKeyMaterial(key, material, maxAge),
    getEncryptionMaterial: (key, length) => (lookups++, inner.getEncryptionMaterial(key, length)),
    getDecryptionMaterial: (key) => (lookups++, inner.getDecryptionMaterial(key)),
    getBranchKeyMaterial: (key) => inner.getBranchKeyMaterial(key),
    del: (key) => (misses++, inner.del(key)),
  };
  const manager = new sdk.NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache,
    maxAge: options.maxAgeMs,
    maxMessagesEncrypted: options.maxMessagesEncrypted,
    maxBytesEncrypted: options.maxBytesEncrypted,
  });
  return { manager, counts: () => ({ hits: lookups - misses, misses }) };
}
