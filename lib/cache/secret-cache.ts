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
  /**
   * The string value as one settled promise, shared by every hit: awaiting a settled
   * promise costs a microtask, where making a new one per read also costs an allocation.
   */
  settledText?: Promise<string>;
}

interface LabelEntry {
  version: CachedVersion;
  refreshAt: number;
  expiresAt: number;
  staleUntil: number;
  refreshing: Promise<CachedVersion> | undefined;
  /** When a refresh after expiry last failed with a passing error: from then on, serve stale at once. */
  failedAt: number | undefined;
}

/**
 * While an expired entry is served stale, how often a read may start a background refresh.
 * Reads in between are answered at once, so a throttled backend costs callers no latency.
 */
const STALE_RETRY_MS = 1000;

/** Everything cached about one secret, shared by its name, full ARN and partial ARN. */
interface Slot {
  readonly arn: string;
  /** Set on every hit; eviction gives such a slot a second chance (CLOCK), so hits stay O(1) and cheap. */
  recent: boolean;
  readonly ids: Set<string>;
  readonly labels: Map<string, LabelEntry>;
  /** `labels.get('AWSCURRENT')`, kept beside it: the label nearly every read asks for. */
  current: LabelEntry | undefined;
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

/** A secret ARN without the `-` and six characters Secrets Manager appends to the name. */
function partialArn(arn: string): string | undefined {
  return /^arn:[^:]+:secretsmanager:.*-[A-Za-z0-9]{6}$/.test(arn) ? arn.slice(0, -7) : undefined;
}

/** Throttling, 5xx, network: worth serving the last good value through. */
function isPassing(error: unknown): boolean {
  return error instanceof KeystageError && error.retryable;
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
  /** `#options.now`, one property load nearer the hot path. */
  readonly #now: () => number;
  /** Least recently used first. */
  readonly #slots = new Map<string, Slot>();
  /** Every id form seen (name, ARN, partial ARN) -> its secret's slot. */
  readonly #byId = new Map<string, Slot>();
  /** Cold reads in flight, so concurrent misses make one call. */
  readonly #cold = new Map<string, Promise<CachedVersion>>();
  readonly #forced = new Map<string, Promise<CachedVersion>>();
  #stats = { hits: 0, misses: 0, refreshes: 0, staleServes: 0, errors: 0, evictions: 0 };
  #closed = false;
  /**
   * Bumped by every invalidation. A read that started before one may have fetched what the
   * invalidation was about (a rotation, a write through this client), so its answer is
   * returned to its callers but not kept.
   */
  #epoch = 0;

  constructor(
    private readonly source: SecretSource,
    options?: SecretCacheOptions,
  ) {
    this.#options = resolveCacheOptions(options);
    this.#now = this.#options.now;
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

  /**
   * Like `peek`, for string values: the text as a settled promise shared by every hit, or
   * undefined when the read needs the service or the value is binary.
   */
  peekText(
    id: string,
    selector: { readonly versionStage?: string; readonly versionId?: string },
  ): Promise<string> | undefined {
    if (selector.versionId === undefined && selector.versionStage === undefined) {
      // The hot path: AWSCURRENT, fresh and not yet due for refresh-ahead.
      const slot = this.#byId.get(id);
      const entry = slot?.current;
      if (entry?.version.settledText !== undefined && this.#now() < entry.refreshAt && !this.#closed) {
        this.#stats.hits++;
        slot!.recent = true;
        return entry.version.settledText;
      }
    }
    const version = this.peek(id, selector) as CachedVersion | undefined;
    if (version?.text === undefined) return undefined;
    return (version.settledText ??= Promise.resolve(version.text));
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
    const epoch = this.#epoch;
    const { values, errors } = await this.source.fetchMany(wanted);
    this.remember(values, epoch);
    return errors;
  }

  /**
   * Keeps AWSCURRENT versions read elsewhere (SecretsClient.getMany), unless the cache was
   * invalidated since `epoch` (from `epoch()`, taken before the read started).
   */
  remember(values: ReadonlyMap<string, FetchedSecret>, epoch: number): void {
    for (const [id, fetched] of values) {
      // An answer without an ARN or VersionId cannot be keyed safely: leave it to a later read.
      if (fetched.arn !== '' && fetched.versionId !== '') this.#store(id, 'AWSCURRENT', fetched, epoch);
    }
  }

  /** The invalidation counter, to pass to `remember` for a read about to start. */
  epoch(): number {
    return this.#epoch;
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
    // Bumped even when nothing is cached: a first read of this secret may be in flight.
    this.#epoch++;
    const slot = this.#byId.get(id) ?? this.#findByArn(id);
    if (slot === undefined) return false;
    this.#drop(slot);
    return true;
  }

  /** Invalidates the secrets an EventBridge event is about; returns how many were cached. */
  handleEvent(event: unknown): number {
    return secretIdsFromEvent(event).filter((id) => this.invalidate(id)).length;
  }

  /** Forgets every secret; reads in flight are answered but not kept. */
  clear(): void {
    this.#epoch++;
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
    const epoch = this.#epoch;
    const read = this.source
      .fetch(id, selector)
      .then((fetched) => this.#store(id, label, fetched, epoch))
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
    const epoch = this.#epoch;
    entry.refreshing = this.source
      .fetch(id, selector)
      .then((fetched) => this.#store(id, label, fetched, epoch))
      .finally(() => {
        entry.refreshing = undefined;
      });
    return entry.refreshing;
  }

  #refreshInBackground(slot: Slot, label: string, entry: LabelEntry, selector: object): void {
    if (this.#closed) return;
    this.#refresh(slot, label, entry, selector).catch((error: unknown) => {
      this.#stats.errors++;
      if (this.#options.now() < entry.expiresAt) return; // still fresh: it serves until expiry
      // Serving stale: a passing failure keeps it going; anything else ends it at once.
      if (isPassing(error)) entry.failedAt = this.#options.now();
      else if (slot.labels.get(label) === entry) this.#deleteLabel(slot, label);
    });
  }

  async #expiredRead(slot: Slot, label: string, entry: LabelEntry, selector: object): Promise<CachedVersion> {
    const now = this.#options.now();
    if (entry.failedAt !== undefined && now < entry.staleUntil) {
      // A refresh already failed for a passing reason: answer now, retry now and then.
      if (now >= entry.failedAt + STALE_RETRY_MS && entry.refreshing === undefined) {
        entry.failedAt = now;
        this.#refreshInBackground(slot, label, entry, selector);
      }
      this.#stats.staleServes++;
      return entry.version;
    }
    try {
      const version = await this.#refresh(slot, label, entry, selector);
      this.#stats.misses++;
      return version;
    } catch (error) {
      this.#stats.errors++;
      // Only a passing failure may be papered over, and only for a while: a secret that is
      // gone, denied or revoked must stop being served at once.
      if (isPassing(error) && this.#options.now() < entry.staleUntil && slot.labels.get(label) === entry) {
        entry.failedAt ??= this.#options.now();
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
    const epoch = this.#epoch;
    const read = this.source
      .fetch(id, label === 'AWSCURRENT' ? {} : { versionStage: label })
      .then((fetched) => this.#store(id, label, fetched, epoch))
      .finally(() => this.#forced.delete(key));
    this.#forced.set(key, read);
    return read;
  }

  #store(id: string, label: string, fetched: FetchedSecret, epoch: number): CachedVersion {
    if (this.#closed || epoch !== this.#epoch) return fetched;
    let slot = this.#slots.get(fetched.arn);
    if (slot === undefined) {
      slot = {
        arn: fetched.arn,
        recent: false,
        ids: new Set(),
        labels: new Map(),
        current: undefined,
        versions: new Map(),
      };
      this.#slots.set(fetched.arn, slot);
      this.#evictBeyondLimit();
    }
    for (const form of [id, fetched.name, fetched.arn, partialArn(fetched.arn)]) {
      if (form === undefined) continue;
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
      const entry: LabelEntry = {
        version,
        refreshAt: now + ttlMs - refreshAheadMs,
        expiresAt: now + ttlMs,
        staleUntil: now + ttlMs + maxStaleMs,
        refreshing: undefined,
        failedAt: undefined,
      };
      slot.labels.set(label, entry);
      if (label === 'AWSCURRENT') slot.current = entry;
      this.#pruneVersions(slot);
    }
    return version;
  }

  #deleteLabel(slot: Slot, label: string): void {
    slot.labels.delete(label);
    if (label === 'AWSCURRENT') slot.current = undefined;
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
    if (!id.startsWith('arn:')) return undefined;
    for (const slot of this.#slots.values()) {
      if (slot.arn === id || partialArn(slot.arn) === id) return slot;
    }
    return undefined;
  }
}
