/** The counters behind `SecretCache.stats()`, shared by the parts of the cache that move them. */
export interface CacheCounters {
  hits: number;
  misses: number;
  refreshes: number;
  staleServes: number;
  errors: number;
  evictions: number;
}

export function newCounters(): CacheCounters {
  return { hits: 0, misses: 0, refreshes: 0, staleServes: 0, errors: 0, evictions: 0 };
}
