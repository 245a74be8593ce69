import { inspect } from 'node:util';
import { isDatabaseAuthError, parseSecretJson } from '../core';
import { ConflictError, type KeystageError } from '../errors';
import { newCounters } from './counters';
import { deepFreeze } from './deep-freeze';
import { EntryStore } from './entry-store';
import { recordHit } from './eviction';
import { secretIdsFromEvent } from './events';
import { CachedVersion } from './label-entry';
import { LabelRefresher } from './label-refresher';
import { resolveCacheOptions, type ResolvedCacheOptions, type SecretCacheOptions } from './options';
import type { SecretEntry } from './secret-entry';
import { SingleFlight } from './single-flight';
import type { CacheStats, FetchedSecret, SecretSource, VersionSelector } from './types';

export type { CacheStats, FetchedSecret, SecretSource, VersionSelector } from './types';

const CURRENT = 'AWSCURRENT';

/**
 * A version-aware cache of secret values. Values are kept by VersionId (they never change);
 * only what a label points at expires. See `SecretCacheOptions` for freshness and size;
 * reads of AWSPENDING are kept under their own label and never fill AWSCURRENT.
 *
 * The parts: EntryStore (entries under their id forms, the W-TinyLFU bound, the per-secret
 * invalidation log, the clock), LabelRefresher (refresh-ahead, stale-if-error, backoff),
 * SingleFlight (one call per concurrent miss); this class is the read paths over them.
 * @example
 * const cache = new SecretCache(source, { ttlMs: 60_000 });
 * const password = (await cache.get('prod/app/db')).text;
 */
export class SecretCache {
  readonly #options: ResolvedCacheOptions;
  /** `#options.now`, one property load nearer the hot path. */
  readonly #now: () => number;
  readonly #counters = newCounters();
  readonly #store: EntryStore;
  /** `#store.index.byId`, read directly by the hot path. */
  readonly #byId: ReadonlyMap<string, SecretEntry>;
  readonly #refresher: LabelRefresher;
  /** Cold reads in flight, so concurrent misses make one call. */
  readonly #cold = new SingleFlight<CachedVersion>();
  readonly #forced = new SingleFlight<CachedVersion>();

  constructor(
    private readonly source: SecretSource,
    options?: SecretCacheOptions,
  ) {
    this.#options = resolveCacheOptions(options);
    this.#now = this.#options.now;
    this.#store = new EntryStore(this.#options, this.#counters);
    this.#byId = this.#store.index.byId;
    this.#refresher = new LabelRefresher(source, this.#store, this.#options.randomInt, this.#counters);
  }

  /**
   * A fresh cached version, synchronously, or undefined when the read would need the
   * service. A hit in the last part of the TTL starts the background refresh, as `get` does.
   * @example
   * const cached = cache.peek('prod/app/db', {}); // undefined on a miss
   */
  peek(id: string, selector: VersionSelector): FetchedSecret | undefined {
    const entry = this.#store.index.find(id);
    if (entry === undefined) return undefined;
    const { versionStage, versionId } = selector;
    if (versionId !== undefined) {
      const known = versionStage === undefined ? entry.findVersion(versionId, true) : undefined;
      return known === undefined ? undefined : this.#hit(entry, known);
    }
    const state = this.#refresher.fresh(entry, versionStage ?? CURRENT, selector);
    return state === undefined ? undefined : this.#hit(entry, state.value());
  }

  /**
   * Like `peek`, for string values: the text as a settled promise shared by every hit, or
   * undefined when the read needs the service or the value is binary.
   * @example
   * const password = await (cache.peekText('prod/app/db', {}) ?? readThroughTheService());
   */
  peekText(id: string, selector: VersionSelector): Promise<string> | undefined {
    if (selector.versionId === undefined && selector.versionStage === undefined) {
      // The hot path: AWSCURRENT, fresh and not yet due for refresh-ahead. One map lookup,
      // a clock read, two counter updates; after close() the index is empty, so no check.
      const entry = this.#byId.get(id);
      const settled = entry?.settled;
      if (settled !== undefined && this.#now() - this.#store.base < entry!.refreshAt) {
        this.#counters.hits++;
        recordHit(entry!);
        return settled;
      }
    }
    const { versionStage, versionId } = selector;
    if (versionId !== undefined) {
      const version = this.peek(id, selector) as CachedVersion | undefined;
      if (version?.text === undefined) return undefined;
      return (version.settledText ??= Promise.resolve(version.text));
    }
    const entry = this.#store.index.find(id);
    const state =
      entry === undefined ? undefined : this.#refresher.fresh(entry, versionStage ?? CURRENT, selector);
    const settled = state?.settledText();
    return settled === undefined ? undefined : this.#hit(entry!, settled);
  }

  /**
   * The version a read selects: a label (AWSCURRENT by default) or an exact VersionId.
   * @example
   * const previous = await cache.get('prod/app/db', { versionStage: 'AWSPREVIOUS' });
   */
  async get(id: string, selector: VersionSelector = {}): Promise<FetchedSecret> {
    if (this.#store.closed)
      throw new ConflictError('The secret cache was closed: create a new one to read through.');
    const { versionStage, versionId } = selector;
    const entry = this.#store.index.find(id);
    if (versionId !== undefined && versionStage === undefined) {
      const known = entry?.findVersion(versionId, true);
      if (known !== undefined) return this.#hit(entry!, known);
      return this.#coldRead(id, `v:${versionId}`, selector);
    }
    const label = versionId === undefined ? (versionStage ?? CURRENT) : `${versionStage}@${versionId}`;
    const state = entry?.label(label);
    if (state === undefined) return this.#coldRead(id, label, selector);
    const time = this.#store.time();
    if (time < this.#store.expiresAt(state)) {
      if (time >= state.refreshAt) this.#refresher.refreshAhead(entry!, label, state, selector, time);
      return this.#hit(entry!, state.value());
    }
    return this.#refresher.expired(entry!, label, state, selector);
  }

  /**
   * The value parsed as JSON, parsed once per version object and frozen.
   * @example
   * const { password } = cache.json(await cache.get('prod/app/db')) as { password: string };
   */
  json(version: FetchedSecret): unknown {
    if (!(version instanceof CachedVersion)) return deepFreeze(parseSecretJson(version));
    version.json ??= { value: deepFreeze(parseSecretJson(version)) };
    return version.json.value;
  }

  /**
   * Fills the cache for many secrets with BatchGetSecretValue (20 per call); ids already
   * fresh are not asked for. Returns the per-id errors.
   * @example
   * const errors = await cache.prefetch(['prod/app/db', 'prod/app/stripe']);
   */
  async prefetch(ids: readonly string[]): Promise<ReadonlyMap<string, KeystageError>> {
    const time = this.#store.time();
    const wanted = ids.filter((id) => {
      const state = this.#store.index.find(id)?.label(CURRENT);
      return state === undefined || time >= this.#store.expiresAt(state);
    });
    if (wanted.length === 0) return new Map();
    const epoch = this.epoch();
    const { values, errors } = await this.source.fetchMany(wanted);
    this.remember(values, epoch);
    return errors;
  }

  /**
   * Keeps AWSCURRENT versions read elsewhere (SecretsClient.getMany), except those of
   * secrets invalidated since `epoch` (from `epoch()`, taken before the read started).
   * @example
   * const epoch = cache.epoch();
   * cache.remember(await readMany(ids), epoch);
   */
  remember(values: ReadonlyMap<string, FetchedSecret>, epoch: number): void {
    for (const [id, fetched] of values) {
      // An answer without an ARN or VersionId cannot be keyed safely: leave it to a later read.
      if (fetched.arn !== '' && fetched.versionId !== '') this.#store.keep(id, CURRENT, fetched, epoch);
    }
  }

  /**
   * A token for `remember`, taken before a read starts: invalidations after it keep that
   * read's answers for the invalidated secrets (and only those) out of the cache.
   * @example
   * const epoch = cache.epoch();
   */
  epoch(): number {
    return this.#store.epoch();
  }

  /**
   * Runs `fn` with the secret's value. If `fn` fails with an authentication error (the
   * secret was rotated under us), the secret is re-read once (one read shared by every
   * caller that saw the same old version) and `fn` is retried once; a second failure surfaces.
   * @example
   * const rows = await cache.withSecret('prod/app/db', (v) => query(JSON.parse(v.text!)), { isAuthError: isPgAuthError });
   */
  async withSecret<T>(
    id: string,
    fn: (secret: FetchedSecret) => Promise<T>,
    options: { readonly isAuthError?: (error: unknown) => boolean; readonly versionStage?: string } = {},
  ): Promise<T> {
    const isAuthError = options.isAuthError ?? isDatabaseAuthError;
    const selector = options.versionStage === undefined ? {} : { versionStage: options.versionStage };
    const first = await this.get(id, selector);
    try {
      return await fn(first);
    } catch (error) {
      if (!isAuthError(error)) throw error;
    }
    return fn(await this.#forceRefresh(id, options.versionStage ?? CURRENT, first.versionId));
  }

  /**
   * Forgets one secret (all its labels and versions, under every id form). A read of it in
   * flight is answered but not kept; reads of other secrets are not affected.
   * @example
   * cache.invalidate('prod/app/db');
   */
  invalidate(id: string): boolean {
    return this.#store.invalidate(id);
  }

  /**
   * Invalidates the secrets an EventBridge event is about; returns how many were cached.
   * @example
   * export const handler = (event: unknown) => secrets.cache?.handleEvent(event);
   */
  handleEvent(event: unknown): number {
    return secretIdsFromEvent(event).filter((id) => this.invalidate(id)).length;
  }

  /**
   * Forgets every secret; reads in flight are answered but not kept.
   * @example
   * cache.clear();
   */
  clear(): void {
    this.#store.clear();
  }

  /**
   * Counters since the cache was made, and the number of secrets held.
   * @example
   * const { hits, misses } = cache.stats();
   */
  stats(): CacheStats {
    return { ...this.#counters, size: this.#store.size };
  }

  /**
   * Stops background refreshes and empties the cache. There are no timers to clear.
   * @example
   * cache.close();
   */
  close(): void {
    this.#store.closed = true;
    this.clear();
  }

  /** Counters only: a cache never shows the values it holds. */
  toJSON(): CacheStats {
    return this.stats();
  }

  [inspect.custom](): string {
    return `SecretCache ${inspect(this.stats())}`;
  }

  #hit<T>(entry: SecretEntry, answer: T): T {
    this.#counters.hits++;
    recordHit(entry);
    return answer;
  }

  #coldRead(id: string, label: string, selector: VersionSelector): Promise<CachedVersion> {
    return this.#cold.run(`${label}\u0000${id}`, () => {
      this.#counters.misses++;
      const epoch = this.epoch();
      return this.source.fetch(id, selector).then(
        (fetched) => this.#store.keep(id, label, fetched, epoch),
        (error: unknown) => {
          this.#counters.errors++;
          throw error;
        },
      );
    });
  }

  /** withSecret's re-read: one per secret, label and stale version, however many callers. */
  #forceRefresh(id: string, label: string, staleVersionId: string): Promise<CachedVersion> {
    const entry = this.#store.index.find(id);
    const state = entry?.label(label);
    if (state !== undefined && state.versionId !== staleVersionId) return Promise.resolve(state.value());
    return this.#forced.run(`${entry?.arn ?? id}\u0000${label}\u0000${staleVersionId}`, () => {
      this.#counters.refreshes++;
      const epoch = this.epoch();
      return this.source
        .fetch(id, label === CURRENT ? {} : { versionStage: label })
        .then((fetched) => this.#store.keep(id, label, fetched, epoch));
    });
  }
}
