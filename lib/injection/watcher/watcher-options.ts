import type { Principal } from '../../client/access';
import { checkPrincipal } from '../../client/principal-check';
import { MAX_TIMER_MS, validateDurationMs } from '../../core';
import { ValidationError, show } from '../../errors';
import { silentLogger, type Logger } from '../../observability';
import { systemWatcherClock, type WatcherClock } from './watcher-clock';

export interface RotationWatcherOptions {
  /**
   * How often each watched secret is polled with DescribeSecret, at least 1 s. One poll per
   * secret per interval, however many listeners watch it.
   * @default 60_000
   */
  readonly intervalMs?: number;
  /**
   * Spread of each wait, as a fraction of `intervalMs`: every wait is drawn from
   * `intervalMs × [1 - jitter, 1 + jitter]`, so many processes started together drift apart
   * while the average stays one poll per interval. From 0 to 0.5.
   * @default 0.1
   */
  readonly jitter?: number;
  /**
   * The longest wait after failed polls: after the k-th failure in a row the next poll waits
   * between half and all of `min(maxBackoffMs, intervalMs × 2^k)`, and at least the
   * `retryAfterMs` a throttling error names. At least `intervalMs`.
   * @default 900_000 (15 minutes)
   */
  readonly maxBackoffMs?: number;
  /**
   * `reportAuthFailure` makes at most one DescribeSecret per secret in this window; reports
   * inside it share that refresh's answer. 0 coalesces only reports that overlap a refresh.
   * @default 5_000
   */
  readonly forcedRefreshMs?: number;
  /**
   * Time and sleeps. @default - real time, with unref'd timers that `close()` clears
   */
  readonly clock?: WatcherClock;
  /** Who the polls run as, for the client's access policy and audit trail. @default - the client's principal */
  readonly principal?: Principal;
  /** Where polls, changes and failures are logged (ids, versions and codes only). @default silentLogger */
  readonly logger?: Logger;
  /**
   * Told of every failed poll (the watcher then backs off and carries on) and every listener
   * that threw or rejected (the others still run).
   * @default - logged as a warning only
   */
  readonly onError?: (error: unknown, secretId: string) => void;
}

/** The options, checked, with their defaults. */
export interface WatcherSettings {
  readonly intervalMs: number;
  readonly jitter: number;
  readonly maxBackoffMs: number;
  readonly forcedRefreshMs: number;
  readonly clock: WatcherClock;
  readonly principal: Principal | undefined;
  readonly logger: Logger;
  readonly onError: ((error: unknown, secretId: string) => void) | undefined;
}

const KNOWN: ReadonlySet<string> = new Set<keyof RotationWatcherOptions>([
  'intervalMs',
  'jitter',
  'maxBackoffMs',
  'forcedRefreshMs',
  'clock',
  'principal',
  'logger',
  'onError',
]);

const MIN_INTERVAL_MS = 1000;

function hasMethods(value: unknown, names: readonly string[]): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function')
  );
}

/** Checks the options before the watcher starts anything. */
export function watcherSettings(options: unknown): WatcherSettings {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError('options', `RotationWatcher options must be an object, got ${show(options)}.`);
  }
  const given = options as RotationWatcherOptions;
  for (const key of Object.keys(given)) {
    if (!KNOWN.has(key)) {
      throw new ValidationError(
        key,
        `${show(key)} is not a RotationWatcher option: it takes ${[...KNOWN].join(', ')}.`,
      );
    }
  }
  const intervalMs =
    given.intervalMs === undefined ? 60_000 : validateDurationMs(given.intervalMs, 'intervalMs');
  if (intervalMs < MIN_INTERVAL_MS) {
    throw new ValidationError(
      'intervalMs',
      `intervalMs must be at least ${MIN_INTERVAL_MS} (one DescribeSecret per secret per interval), got ${intervalMs}.`,
    );
  }
  const jitter = given.jitter ?? 0.1;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 0.5)) {
    throw new ValidationError('jitter', `jitter must be a fraction from 0 to 0.5, got ${show(jitter)}.`);
  }
  const maxBackoffMs =
    given.maxBackoffMs === undefined
      ? Math.max(900_000, intervalMs)
      : validateDurationMs(given.maxBackoffMs, 'maxBackoffMs');
  if (maxBackoffMs < intervalMs) {
    throw new ValidationError(
      'maxBackoffMs',
      `maxBackoffMs must be at least intervalMs (${intervalMs}), got ${maxBackoffMs}.`,
    );
  }
  const forcedRefreshMs = given.forcedRefreshMs ?? 5000;
  if (
    typeof forcedRefreshMs !== 'number' ||
    !Number.isFinite(forcedRefreshMs) ||
    forcedRefreshMs < 0 ||
    forcedRefreshMs > MAX_TIMER_MS
  ) {
    throw new ValidationError(
      'forcedRefreshMs',
      `forcedRefreshMs must be a number of milliseconds from 0 to ${MAX_TIMER_MS}, got ${show(forcedRefreshMs)}.`,
    );
  }
  if (given.clock !== undefined && !hasMethods(given.clock, ['now', 'sleep'])) {
    throw new ValidationError('clock', 'clock must be an object with now() and sleep(ms, signal?).');
  }
  if (given.logger !== undefined && !hasMethods(given.logger, ['debug', 'info', 'warn', 'error'])) {
    throw new ValidationError('logger', 'logger must have debug, info, warn and error methods.');
  }
  if (given.onError !== undefined && typeof given.onError !== 'function') {
    throw new ValidationError('onError', `onError must be a function, got ${show(given.onError)}.`);
  }
  return {
    intervalMs,
    jitter,
    maxBackoffMs,
    forcedRefreshMs,
    clock: given.clock ?? systemWatcherClock,
    principal: given.principal === undefined ? undefined : checkPrincipal(given.principal),
    logger: given.logger ?? silentLogger,
    onError: given.onError,
  };
}
