import { KeystageError } from '../errors';
import { Refresh } from './backoff';
import type { CacheCounters } from './counters';
import type { EntryStore } from './entry-store';
import type { CachedVersion, LabelState } from './label-entry';
import type { SecretEntry } from './secret-entry';
import type { SecretSource, VersionSelector } from './types';

/** Throttling, 5xx, network: worth serving the last good value through. */
function isPassing(error: unknown): boolean {
  return error instanceof KeystageError && error.retryable;
}

/**
 * Keeps cached labels fresh: refresh-ahead in the last part of the TTL, one refresh per label
 * at a time, stale-if-error up to maxStale for passing failures, and backoff with full jitter
 * between failed refreshes (see backoff.ts), so a throttled backend is not asked on every read.
 */
export class LabelRefresher {
  constructor(
    private readonly source: SecretSource,
    private readonly store: EntryStore,
    private readonly randomInt: (max: number) => number,
    private readonly counters: CacheCounters,
  ) {}

  /** The label's state if it is fresh, starting the refresh-ahead when it is due. */
  fresh(entry: SecretEntry, label: string, selector: VersionSelector): LabelState | undefined {
    const state = entry.label(label);
    if (state === undefined) return undefined;
    const time = this.store.time();
    if (time >= this.store.expiresAt(state)) return undefined;
    if (time >= state.refreshAt) this.refreshAhead(entry, label, state, selector, time);
    return state;
  }

  /** A fresh hit in the refresh-ahead window: one background refresh, unless backing off. */
  refreshAhead(
    entry: SecretEntry,
    label: string,
    state: LabelState,
    selector: VersionSelector,
    time: number,
  ): void {
    if (state.refresh === undefined || state.refresh.mayStart(time))
      this.#inBackground(entry, label, state, selector);
  }

  /**
   * A read of an expired label. After a passing failure it is answered stale at once (and
   * refreshed in the background when the backoff allows); otherwise it waits for the refresh,
   * and is answered stale if that fails for a passing reason within maxStale.
   */
  async expired(
    entry: SecretEntry,
    label: string,
    state: LabelState,
    selector: VersionSelector,
  ): Promise<CachedVersion> {
    const time = this.store.time();
    const refresh = state.refresh;
    if (refresh?.servesStale === true && time < this.store.staleUntil(state)) {
      if (refresh.mayStart(time)) this.#inBackground(entry, label, state, selector);
      this.counters.staleServes++;
      return state.value();
    }
    try {
      const version = await this.#refresh(entry, label, state, selector);
      this.counters.misses++;
      return version;
    } catch (error) {
      this.counters.errors++;
      // Only a passing failure may be papered over, and only for a while: a secret that is
      // gone, denied or revoked must stop being served at once.
      if (
        isPassing(error) &&
        this.store.time() < this.store.staleUntil(state) &&
        entry.label(label) === state
      ) {
        this.counters.staleServes++;
        return state.value();
      }
      throw error;
    }
  }

  /** One refresh per label at a time; a failure sets the label's backoff. */
  #refresh(
    entry: SecretEntry,
    label: string,
    state: LabelState,
    selector: VersionSelector,
  ): Promise<CachedVersion> {
    const refresh = (state.refresh ??= new Refresh());
    if (refresh.promise !== undefined) return refresh.promise as Promise<CachedVersion>;
    this.counters.refreshes++;
    const epoch = this.store.epoch();
    const promise: Promise<CachedVersion> = this.source
      .fetch(entry.arn, selector)
      .then(
        (fetched) => this.store.keep(entry.arn, label, fetched, epoch),
        (error: unknown) => {
          refresh.failed(this.store.time(), this.randomInt, isPassing(error));
          throw error;
        },
      )
      .finally(() => {
        if (refresh.promise === promise) refresh.promise = undefined;
      });
    refresh.promise = promise;
    return promise;
  }

  #inBackground(entry: SecretEntry, label: string, state: LabelState, selector: VersionSelector): void {
    if (this.store.closed) return;
    const started = this.#refresh(entry, label, state, selector);
    const refresh = state.refresh;
    started.catch((error: unknown) => {
      this.counters.errors++;
      if (this.store.time() < this.store.expiresAt(state)) return; // still fresh: it serves until expiry
      // Serving stale: a passing failure keeps it going; anything else ends it at once.
      if (!isPassing(error) && state.refresh === refresh && entry.label(label) === state)
        entry.deleteLabel(label);
    });
  }
}
