import type { ChangeListener, RefreshResult, RefreshTrigger } from './secret-change';

/** One `watch` call. */
export interface Subscription {
  /** The id as the caller watched it. */
  readonly id: string;
  readonly listener: ChangeListener;
  /**
   * The AWSCURRENT version this listener was last told of: undefined before the first poll
   * (which then sets it silently), null when the secret had no current version.
   */
  seen: string | null | undefined;
  /** The secret it is attached to (another one when two ids turn out to name one secret). */
  owner: WatchedSecret;
}

/** Refreshes asked for while a poll was under way: all share the one poll that follows. */
export interface FollowUp {
  readonly trigger: RefreshTrigger;
  readonly promise: Promise<RefreshResult>;
  resolve(result: RefreshResult): void;
  reject(error: unknown): void;
}

export function followUp(trigger: RefreshTrigger): FollowUp {
  let resolve!: (result: RefreshResult) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<RefreshResult>((ok, fail) => ((resolve = ok), (reject = fail)));
  // Every caller awaits it; this keeps an unawaited one from being an unhandled rejection.
  promise.catch(() => undefined);
  return { trigger, promise, resolve, reject };
}

/** A secret the watcher polls, under every id it was watched by, and who listens to it. */
export class WatchedSecret {
  readonly ids = new Set<string>();
  readonly subscriptions = new Set<Subscription>();
  arn: string | undefined = undefined;
  name: string | undefined = undefined;
  /** AWSCURRENT as last polled. */
  versionId: string | undefined = undefined;
  /** A poll has answered at least once. */
  observed = false;
  /** When the next scheduled poll is due (the watcher's clock). */
  dueAt: number;
  /** Failed polls in a row. */
  failures = 0;
  inFlight: Promise<RefreshResult> | undefined = undefined;
  followUp: FollowUp | undefined = undefined;
  /** The last refresh `reportAuthFailure` started, for its coalescing window. */
  lastForced: { readonly at: number; readonly result: Promise<RefreshResult> } | undefined = undefined;
  /** Ends the scheduled loop's sleep early (unwatch, close). */
  sleeper: AbortController | undefined = undefined;
  /** False once nobody watches it (or it was merged into `mergedInto`): its loop stops. */
  active = true;
  mergedInto: WatchedSecret | undefined = undefined;
  /** Deliveries of changes, in order. */
  deliveries: Promise<void> = Promise.resolve();

  constructor(
    readonly id: string,
    now: number,
  ) {
    this.ids.add(id);
    this.dueAt = now;
  }

  stop(): void {
    this.active = false;
    this.sleeper?.abort();
  }
}
