import { inspect } from 'node:util';
import { ConflictError, KeystageError, SecretDecodeError } from '../errors';
import { secretIdsFromEvent } from './events';
import { isDatabaseAuthError } from './auth-errors';
import { resolveCacheOptions, type ResolvedCacheOptions, type SecretCacheOptions } from './options';

/** One version of a secret as the service returned it. Immutable: keyed by VersionId. */
export interface FetchedSecret {
  readonly arn: string;
  readonly name: string;
  readonly versionId: string;
  readonly text: string | undefined;
  readonly binary: Uint8Array | undefined;
}

/** Where the cache reads from; SecretsClient provides it over Secrets Manager. */
export interface SecretSource {
  fetch(
    id: string,
    selector: { readonly versionStage?: string; readonly versionId?: string },
  ): Promise<FetchedSecret>;
  fetchMany(ids: readonly string[]): Promise<{
    readonly values: ReadonlyMap<string, FetchedSecret>;
    readonly errors: ReadonlyMap<string, KeystageError>;
  }>;
}

export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly refreshes: number;
  readonly staleServes: number;
  readonly errors: number;
  readonly evictions: number;
  /** Secrets held now. */
  readonly size: number;
}

interface CachedVersion extends FetchedSecret {
  /** Parsed once per version; frozen so callers cannot change what others read. */
  json?: { readonly value: unknown };
}

interface LabelEntry {
  version: CachedVersion;
  refreshAt: number;
  expiresAt: number;
  staleUntil: number;
  refreshing: Promise<CachedVersion> | undefined;
}

/** Everything cached about one secret, shared by its name, full ARN and partial ARN. */
interface Slot {
  readonly arn: string;
  /** Set on every hit; eviction gives such a slot a second chance (CLOCK), so hits stay O(1) and cheap. */
  recent: boolean;
  readonly ids: Set<string>;
  readonly labels: Map<string, LabelEntry>;
  readonly versions: Map<string, CachedVersion>;
}

/**
 * A secret's text parsed as JSON. The parser's own error is not kept: its message quotes
 * the text it rejects, which here is the secret.
 */
export function parseSecretJson(version: FetchedSecret): unknown {
  if (version.text === undefined) {
    throw new SecretDecodeError(
      `Secret ${JSON.stringify(version.name)} holds binary data: read it with getBinary().`,
      {
        secretId: version.name,
      },
    );
  }
  try {
    return JSON.parse(version.text);
  } catch {
    throw new SecretDecodeError(
      `Secret ${JSON.stringify(version.name)} is not valid JSON (${version.text.length} characters): ` +
        'read it with get() or fix the stored value.',
      { secretId: version.name },
    );
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * A version-aware cache of secret values. See `SecretCacheOptions` for freshness; reads of
 * AWSPENDING are kept under their own label and never fill AWSCURRENT.
 * @example
 * const cache = new SecretCache(source, { ttlMs: 60_000 });
 * const password = (await cache.get('prod/app/db')).text;
 */
export class SecretCache {
  readonly #options: ResolvedCacheOptions;
  /** Least recently used first. */
  readonly #slots = new Map<string, Slot>();
  /** Every id form seen (name, ARN, partial ARN) -> its secret's slot. */
  readonly #byId = new Map<string, Slot>();
  /** Cold reads in flight, so concurrent misses make one call. */
  readonly #cold = new Map<string, Promise<CachedVersion>>();
  readonly #forced = new Map<string, Promise<CachedVersion>>();
  #stats = { hits: 0, misses: 0, refreshes: 0, staleServes: 0, errors: 0, evictions: 0 };
  #closed = false;

  constructor(
    private readonly source: SecretSource,
    options?: SecretCacheOptions,
  ) {
    this.#options = resolveCacheOptions(options);
  }

  /**
   * A fresh cached version, synchronously, or undefined when the read would need the
   * service. The hot path: one or two map lookups and a clock read. A hit in the last part
   * of the TTL starts the background refresh, as `get` does.
   */
  peek(
    id: string,
    selector: { readonly versionStage?: string; readonly versionId?: string },
  ): FetchedSecret | undefined {
    const slot = this.#byId.get(id);
    if (slot === undefined || this.#closed) return undefined;
    const { versionStage, versionId } = selector;
    if (versionId !== undefined) {
      const known = versionStage === undefined ? slot.versions.get(versionId) : undefined;
      return known === undefined ? undefined : this.#hit(slot, known);
    }
    const label = versionStage ?? 'AWSCURRENT';
    const entry = slot.labels.get(label);
    if (entry === undefined) return undefined;
    const now = this.#options.now();
    if (now >= entry.expiresAt) return undefined;
    if (now >= entry.refreshAt && entry.refreshing === undefined)
      this.#refreshInBackground(slot, label, entry, selector);
    return this.#hit(slot, entry.version);
  }

  /** The version a read selects: a label (AWSCURRENT by default) or an exact VersionId. */
  async get(
    id: string,
    selector: { readonly versionStage?: string; readonly versionId?: string } = {},
  ): Promise<FetchedSecret> {
    if (this.#closed)
      throw new ConflictError('The secret cache was closed: create a new one to read through.');
    const { versionStage, versionId } = selector;
    const slot = this.#byId.get(id);
    if (versionId !== undefined && versionStage === undefined) {
      const known = slot?.versions.get(versionId);
      if (known !== undefined) return this.#hit(slot!, known);
      return this.#coldRead(id, `v:${versionId}`, selector);
    }
    const label = versionId === undefined ? (versionStage ?? 'AWSCURRENT') : `${versionStage}@${versionId}`;
    const entry = slot?.labels.get(label);
    if (entry === undefined) return this.#coldRead(id, label, selector);
    const now = this.#options.now();
    if (now < entry.expiresAt) {
      if (now >= entry.refreshAt && entry.refreshing === undefined)
        this.#refreshInBackground(slot!, label, entry, selector);
      return this.#hit(slot!, entry.version);
    }
    return this.#expiredRead(slot!, label, entry, selector);
  }

  /** The value parsed as JSON, parsed once per version and frozen. */
  json(version: FetchedSecret): unknown {
    const cached = version as CachedVersion;
    if (cached.json === undefined) cached.json = { value: deepFreeze(parseSecretJson(version)) };
    return cached.json.value;
  }

  /**
   * Fills the cache for many secrets with BatchGetSecretValue (20 per call); ids already
   * fresh are not asked for. Returns the per-id errors.
   */
  async prefetch(ids: readonly string[]): Promise<ReadonlyMap<string, KeystageError>> {
    const now = this.#options.now();
    const wanted = ids.filter((id) => {
      const entry = this.#byId.get(id)?.labels.get('AWSCURRENT');
      return entry === undefined || now >= entry.expiresAt;
    });
    if (wanted.length === 0) return new Map();
    const { values, errors } = await this.source.fetchMany(wanted);
    for (const [id, fetched] of values) this.#store(id, 'AWSCURRENT', fetched);
    return errors;
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
    return fn(await this.#forceRefresh(id, options.versionStage ?? 'AWSCURRENT', first.versionId));
  }

  /** Forgets one secret (all its labels and versions, under every id form). */
  invalidate(id: string): boolean {
    const slot = this.#byId.get(id) ?? this.#findByArn(id);
    if (slot === undefined) return false;
    this.#drop(slot);
    return true;
  }

  /** Invalidates the secrets an EventBridge event is about; returns how many were cached. */
  handleEvent(event: unknown): number {
    return secretIdsFromEvent(event).filter((id) => this.invalidate(id)).length;
  }

  clear(): void {
    this.#slots.clear();
    this.#byId.clear();
  }

  stats(): CacheStats {
    return { ...this.#stats, size: this.#slots.size };
  }

  /** Stops background refreshes and empties the cache. There are no timers to clear. */
  close(): void {
    this.#closed = true;
    this.clear();
  }

  /** Counters only: a cache never shows the values it holds. */
  toJSON(): CacheStats {
    return this.stats();
  }

  [inspect.custom](): string {
    return `SecretCache ${inspect(this.stats())}`;
  }

  #hit(slot: Slot, version: CachedVersion): CachedVersion {
    this.#stats.hits++;
    slot.recent = true;
    return version;
  }

  #coldRead(
    id: string,
    label: string,
    selector: { versionStage?: string; versionId?: string },
  ): Promise<CachedVersion> {
    const key = `${label}\u0000${id}`;
    const inFlight = this.#cold.get(key);
    if (inFlight !== undefined) return inFlight;
    this.#stats.misses++;
    const read = this.source
      .fetch(id, selector)
      .then((fetched) => this.#store(id, label, fetched))
      .catch((error: unknown) => {
        this.#stats.errors++;
        throw error;
      })
      .finally(() => this.#cold.delete(key));
    this.#cold.set(key, read);
    return read;
  }

  #refresh(slot: Slot, label: string, entry: LabelEntry, selector: object): Promise<CachedVersion> {
    if (entry.refreshing !== undefined) return entry.refreshing;
    this.#stats.refreshes++;
    const id = slot.arn;
    entry.refreshing = this.source
      .fetch(id, selector)
      .then((fetched) => (this.#closed ? (fetched as CachedVersion) : this.#store(id, label, fetched)))
      .finally(() => {
        entry.refreshing = undefined;
      });
    return entry.refreshing;
  }

  #refreshInBackground(slot: Slot, label: string, entry: LabelEntry, selector: object): void {
    if (this.#closed) return;
    this.#refresh(slot, label, entry, selector).catch(() => {
      // The entry keeps serving until it expires; the next read after that retries.
      this.#stats.errors++;
    });
  }

  async #expiredRead(slot: Slot, label: string, entry: LabelEntry, selector: object): Promise<CachedVersion> {
    try {
      const version = await this.#refresh(slot, label, entry, selector);
      this.#stats.misses++;
      return version;
    } catch (error) {
      this.#stats.errors++;
      // Only a passing failure may be papered over, and only for a while: a secret that is
      // gone, denied or revoked must stop being served at once.
      const passing = error instanceof KeystageError && error.retryable;
      if (passing && this.#options.now() < entry.staleUntil && slot.labels.get(label) === entry) {
        this.#stats.staleServes++;
        return entry.version;
      }
      throw error;
    }
  }

  #forceRefresh(id: string, label: string, staleVersionId: string): Promise<CachedVersion> {
    const slot = this.#byId.get(id);
    const entry = slot?.labels.get(label);
    if (entry !== undefined && entry.version.versionId !== staleVersionId)
      return Promise.resolve(entry.version);
    const key = `${slot?.arn ?? id}\u0000${label}\u0000${staleVersionId}`;
    const inFlight = this.#forced.get(key);
    if (inFlight !== undefined) return inFlight;
    this.#stats.refreshes++;
    const read = this.source
      .fetch(id, label === 'AWSCURRENT' ? {} : { versionStage: label })
      .then((fetched) => this.#store(id, label, fetched))
      .finally(() => this.#forced.delete(key));
    this.#forced.set(key, read);
    return read;
  }

  #store(id: string, label: string, fetched: FetchedSecret): CachedVersion {
    if (this.#closed) return fetched;
    let slot = this.#slots.get(fetched.arn);
    if (slot === undefined) {
      slot = { arn: fetched.arn, recent: false, ids: new Set(), labels: new Map(), versions: new Map() };
      this.#slots.set(fetched.arn, slot);
      this.#evictBeyondLimit();
    }
    for (const form of [id, fetched.name, fetched.arn, fetched.arn.slice(0, -7)]) {
      const previous = this.#byId.get(form);
      if (previous !== undefined && previous !== slot) previous.ids.delete(form);
      this.#byId.set(form, slot);
      slot.ids.add(form);
    }
    const version = slot.versions.get(fetched.versionId) ?? { ...fetched };
    slot.versions.set(version.versionId, version);
    if (!label.startsWith('v:')) {
      const now = this.#options.now();
      const { ttlMs, refreshAheadMs, maxStaleMs } = this.#options;
      // A fresh entry: the refresh that produced it (if any) belonged to the one it replaces.
      slot.labels.set(label, {
        version,
        refreshAt: now + ttlMs - refreshAheadMs,
        expiresAt: now + ttlMs,
        staleUntil: now + ttlMs + maxStaleMs,
        refreshing: undefined,
      });
      this.#pruneVersions(slot);
    }
    return version;
  }

  /** Versions no label points at are kept only while few, so one hot secret stays small. */
  #pruneVersions(slot: Slot): void {
    if (slot.versions.size <= 8) return;
    const live = new Set([...slot.labels.values()].map((entry) => entry.version.versionId));
    for (const versionId of slot.versions.keys()) {
      if (slot.versions.size <= 8) break;
      if (!live.has(versionId)) slot.versions.delete(versionId);
    }
  }

  #evictBeyondLimit(): void {
    while (this.#slots.size > this.#options.maxEntries) {
      const oldest = this.#slots.values().next().value as Slot;
      if (oldest.recent) {
        // Used since it was last considered: move it to the back instead.
        oldest.recent = false;
        this.#slots.delete(oldest.arn);
        this.#slots.set(oldest.arn, oldest);
        continue;
      }
      this.#drop(oldest);
      this.#stats.evictions++;
    }
  }

  #drop(slot: Slot): void {
    this.#slots.delete(slot.arn);
    for (const form of slot.ids) if (this.#byId.get(form) === slot) this.#byId.delete(form);
  }

  #findByArn(id: string): Slot | undefined {
    for (const slot of this.#slots.values()) {
      if (slot.arn === id || slot.arn.slice(0, -7) === id) return slot;
    }
    return undefined;
  }
}
