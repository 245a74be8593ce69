export { SecretCache } from './secret-cache';
export type { CacheStats, FetchedSecret, SecretSource, VersionSelector } from './types';
export type { SecretCacheOptions } from './options';
export { isDatabaseAuthError, isMysqlAuthError, isPgAuthError } from '../core';
export { secretIdsFromEvent } from './events';
