export { SecretCache } from './secret-cache';
export type { CacheStats, FetchedSecret, SecretSource } from './secret-cache';
export type { SecretCacheOptions } from './options';
export { isDatabaseAuthError, isMysqlAuthError, isPgAuthError } from './auth-errors';
export { secretIdsFromEvent } from './events';
