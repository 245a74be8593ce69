import type { CacheCounters } from './counters';
import { EvictionPolicy, recordHit } from './eviction';
import { FrequencySketch, hashKey } from './frequency-sketch';
import { InvalidationLog } from './invalidation-log';
import { CachedVersion, smallInteger, type LabelState } from './label-entry';
import type { ResolvedCacheOptions } from './options';
import { SecretEntry } from './secret-entry';
import { secretFamily } from './secret-ids';
import { SlotIndex } from './slot-index';
import type { FetchedSecret } from './types';

const CURRENT = 'AWSCURRENT';
/**
 * Entries keep cache times (ms since `base`) as small integers, which V8 stores in the
 * object; a double would cost a 16-byte box per entry. Past this the base moves forward.
 */
const REBASE_AFTER_MS = 2 ** 30;

/**
 * Where the cache keeps what it read: the entries under their id forms (SlotIndex), the
 * bound on how many (EvictionPolicy), which reads may no longer be kept (InvalidationLog),
 * and the cache's clock.
 */
export class EntryStore {
  /** Read directly by the hot path (SecretCache.peekText). */
  readonly index = new SlotIndex();
  /** Cache time 0, in the clock's milliseconds; see REBASE_AFTER_MS. Read by the hot path. */
  base: number;
  closed = false;
  readonly #options: ResolvedCacheOptions;
  readonly #seed: number;
  readonly #policy: EvictionPolicy<SecretEntry>;
  readonly #log = new InvalidationLog();

  constructor(options: ResolvedCacheOptions, counters: CacheCounters) {
    this.#options = options;
    this.base = options.now();
    this.#seed = options.randomInt(2 ** 32);
    this.#policy = new EvictionPolicy<SecretEntry>(
      options.maxEntries,
      new FrequencySketch(options.maxEntries),
      (entry) => {
        this.index.forget(entry);
        counters.evictions++;
      },
    );
  }

  /** Secrets held. */
  get size(): number {
    return this.#policy.size;
  }

  /** Milliseconds since `base`. */
  time(): number {
    return this.#options.now() - this.base;
  }

  expiresAt(state: LabelState): number {
    return state.refreshAt + this.#options.refreshAheadMs;
  }

  staleUntil(state: LabelState): number {
    return state.refreshAt + this.#options.refreshAheadMs + this.#options.maxStaleMs;
  }

  /** A token for `keep`, taken before a read starts (see InvalidationLog). */
  epoch(): number {
    return this.#log.token();
  }

  /**
   * Keeps what a read fetched, unless the cache was closed or the secret invalidated since the
   * read started (`epoch`): then the answer is returned to its callers only.
   */
  keep(id: string, label: string, fetched: FetchedSecret, epoch: number): CachedVersion {
    if (
      this.closed ||
      this.#log.overtaken(secretFamily(id), epoch) ||
      this.#log.overtaken(secretFamily(fetched.arn), epoch)
    )
      return new CachedVersion(fetched.arn, fetched.name, fetched.versionId, fetched.text, fetched.binary);
    let entry = this.index.entryFor(id, fetched.arn);
    const isNew = entry === undefined;
    entry ??= new SecretEntry(fetched.arn, hashKey(secretFamily(fetched.arn), this.#seed));
    this.index.learn(id, entry);
    entry.noteName(fetched.name);
    let time = this.time();
    if (time > REBASE_AFTER_MS) {
      this.#rebase(time);
      time = 0;
    }
    const refreshAt = smallInteger(time + this.#options.ttlMs - this.#options.refreshAheadMs);
    const known = entry.findVersion(fetched.versionId, false);
    let answer: CachedVersion;
    if (label === CURRENT) {
      // AWSCURRENT is kept inline, without a version object; the answer gets one of its own.
      entry.setCurrent(fetched, known, refreshAt);
      answer = entry.version ?? answerFor(entry, fetched);
    } else {
      answer = known ?? entry.findVersion(fetched.versionId, true) ?? answerFor(entry, fetched);
      if (label.startsWith('v:')) entry.keepVersion(answer);
      else entry.setLabel(label, answer, refreshAt);
    }
    if (isNew) this.#policy.add(entry);
    else recordHit(entry);
    return answer;
  }

  /** Forgets one secret under every id form; reads of it in flight will not be kept. */
  invalidate(id: string): boolean {
    // Logged even when nothing is cached: a first read of this secret may be in flight.
    const family = secretFamily(id);
    this.#log.invalidate(family);
    const entry = this.index.find(id);
    if (entry === undefined) return false;
    const own = secretFamily(entry.arn);
    if (own !== family) this.#log.invalidate(own);
    this.#policy.remove(entry);
    this.index.forget(entry);
    return true;
  }

  /** Forgets every secret; reads in flight will not be kept. */
  clear(): void {
    this.#log.invalidateAll();
    this.index.clear();
    this.#policy.clear();
  }

  /** Moves cache time 0 to now, so entries' times stay small integers. */
  #rebase(by: number): void {
    this.base += by;
    for (const entry of this.#policy) {
      for (const state of entry.labelStates()) {
        state.refreshAt = smallInteger(state.refreshAt - by);
        if (state.refresh !== undefined) state.refresh.retryAt -= by;
      }
    }
  }
}

/** A version object for an answer, sharing the strings the entry holds. */
function answerFor(entry: SecretEntry, fetched: FetchedSecret): CachedVersion {
  const versionId = entry.versionId === fetched.versionId ? entry.versionId : fetched.versionId;
  return new CachedVersion(entry.arn, fetched.name, versionId, fetched.text, fetched.binary);
}
