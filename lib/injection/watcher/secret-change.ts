/**
 * Why the watcher looked at a secret when it saw a change: its polling schedule, a pushed
 * rotation event (`handleEvent`, the SQS consumer), a manual `refreshNow`, or a consumer's
 * `reportAuthFailure` after its credentials stopped working.
 */
export type RefreshTrigger = 'schedule' | 'rotation' | 'manual' | 'auth-failure';

/** AWSCURRENT moved to another version. Ids and versions only, never a value. */
export interface SecretChange {
  /** The secret as this listener watched it (after the client's scope resolved a bare name). */
  readonly secretId: string;
  readonly arn: string | undefined;
  readonly name: string | undefined;
  /** The version this listener knew as AWSCURRENT. */
  readonly previousVersionId: string | undefined;
  /** The version AWSCURRENT is on now. */
  readonly versionId: string;
  readonly trigger: RefreshTrigger;
}

/**
 * Told of each change after the client's cache has forgotten the secret, so a read through
 * the client returns the new value. Changes of one secret come one at a time: the next waits
 * until every listener of the last has settled.
 */
export type ChangeListener = (change: SecretChange) => void | Promise<void>;

export interface WatchOptions {
  /**
   * The AWSCURRENT VersionId the caller already holds (read before watching): when the
   * first poll finds another version, that is reported as a change instead of being taken
   * as the starting point.
   * @default - the first poll sets the starting point silently
   */
  readonly knownVersionId?: string;
}

/** What one refresh (`refreshNow`, `reportAuthFailure`) found. */
export interface RefreshResult {
  readonly secretId: string;
  /** AWSCURRENT moved since the poll before. */
  readonly changed: boolean;
  readonly versionId: string | undefined;
  readonly previousVersionId: string | undefined;
}

/** Counters since the watcher was made. */
export interface WatcherStats {
  /** Secrets polled (several ids of one secret count once). */
  readonly watched: number;
  readonly listeners: number;
  /** DescribeSecret calls made. */
  readonly polls: number;
  /** Moves of AWSCURRENT seen. */
  readonly changes: number;
  /** Failed polls. */
  readonly errors: number;
  /** Polls under way now. */
  readonly inFlight: number;
}
