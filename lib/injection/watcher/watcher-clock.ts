import { setTimeout as delay } from 'node:timers/promises';
import { MAX_TIMER_MS } from '../../core';

/**
 * The clock the watcher and the SQS consumer schedule by: keystage's `Clock` whose `sleep`
 * may also end early when `signal` aborts (a `Clock` that ignores the signal works too; then
 * `close()` waits for its sleeps to end). Tests pass a clock they advance by hand.
 */
export interface WatcherClock {
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts; never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Real time. Sleeps are unref'd timers, so a watcher never keeps a process alive, and
 * aborting one clears its timer at once.
 */
export const systemWatcherClock: WatcherClock = Object.freeze({
  now: () => Date.now(),
  sleep: async (ms: number, signal?: AbortSignal) => {
    if (signal?.aborted === true) return;
    try {
      // A Node timer above 2^31-1 ms fires after 1 ms: never ask for one.
      await delay(Math.min(Math.max(ms, 0), MAX_TIMER_MS), undefined, { ref: false, signal });
    } catch (error) {
      if ((error as { name?: unknown }).name !== 'AbortError') throw error;
    }
  },
});
