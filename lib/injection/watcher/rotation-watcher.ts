import { inspect } from 'node:util';
import { secretIdsFromEvent } from '../../cache/events';
import type { CallOptions } from '../../client/options';
import { SecretsClient, runOperation } from '../../client/secrets-client';
import { validateSecretId, validateVersionToken } from '../../core';
import { ConflictError, KeystageError, ValidationError, show } from '../../errors';
import { deliverChange } from './change-delivery';
import { describeStages, type SecretStages } from './describe-stages';
import { backoffDelay, jitteredInterval } from './poll-schedule';
import type {
  ChangeListener,
  RefreshResult,
  RefreshTrigger,
  WatchOptions,
  WatcherStats,
} from './secret-change';
import { WatchRegistry } from './watch-registry';
import { followUp, type Subscription, type WatchedSecret } from './watched-secret';
import { watcherSettings, type RotationWatcherOptions, type WatcherSettings } from './watcher-options';

const ignore = (): void => undefined;

function codeOf(error: unknown): string {
  return error instanceof KeystageError ? error.code : 'UNKNOWN';
}

/**
 * Keeps consumers of secrets up to date with rotation: polls each watched secret's staging
 * labels with one DescribeSecret per interval (however many listeners), takes pushed
 * EventBridge events (`handleEvent`, or an `SqsEventConsumer`) to look at once, and refreshes
 * on demand (`refreshNow`) or when a consumer's credentials stop working
 * (`reportAuthFailure`). When AWSCURRENT moves, the client's cache forgets the secret first,
 * then the listeners run, so a read through the client returns the new value.
 *
 * Polls go through the client's pipeline (access policy, rate limits, audit trail: each is a
 * `describe`). Failed polls back off and are reported to `onError`; the watcher carries on.
 * Injectors (files, agent, `keystage run`, workloads) take one watcher so that a process
 * polls each secret once.
 * @example
 * const watcher = new RotationWatcher(secrets, { intervalMs: 60_000 });
 * const stop = watcher.watch('prod/billing/db', async () => pool.reconnect(await secrets.get('prod/billing/db')));
 * export const handler = (event: unknown) => watcher.handleEvent(event); // EventBridge, if you route events
 */
export class RotationWatcher {
  readonly #client: SecretsClient;
  readonly #settings: WatcherSettings;
  readonly #call: CallOptions;
  readonly #registry = new WatchRegistry();
  #closed = false;
  #polls = 0;
  #changes = 0;
  #errors = 0;

  constructor(client: SecretsClient, options: RotationWatcherOptions = {}) {
    if (!(client instanceof SecretsClient)) {
      throw new ValidationError('client', `RotationWatcher needs a SecretsClient, got ${show(client)}.`);
    }
    this.#client = client;
    this.#settings = watcherSettings(options);
    const { principal } = this.#settings;
    this.#call = principal === undefined ? {} : { principal };
  }

  /**
   * Calls `listener` each time AWSCURRENT of the secret moves, from the next poll on (the
   * first poll, made at once, sets the starting point unless `knownVersionId` is given).
   * Returns the function that stops this listener; the secret's polling stops with its
   * last listener.
   * @example
   * const unsubscribe = watcher.watch('prod/billing/db', (change) => log.info('rotated', { version: change.versionId }));
   */
  watch(id: string, listener: ChangeListener, options: WatchOptions = {}): () => void {
    this.#open();
    const secretId = this.#resolve(id, 'id');
    if (typeof listener !== 'function') {
      throw new ValidationError('listener', `listener must be a function, got ${show(listener)}.`);
    }
    const known = this.#knownVersion(options);
    const { secret, fresh } = this.#registry.open(secretId, this.#settings.clock.now());
    // A listener added to a secret already polled starts from what the watcher knows, so a
    // move before the next poll still reaches it.
    const seen = known ?? (secret.observed ? (secret.versionId ?? null) : undefined);
    const subscription: Subscription = { id: secretId, listener, seen, owner: secret };
    secret.subscriptions.add(subscription);
    if (fresh) void this.#schedule(secret);
    else if (known !== undefined && secret.observed && known !== secret.versionId) {
      // It already knows something newer than this caller does: look again now, not in an interval.
      this.#refresh(secret, 'schedule').catch(ignore);
    }
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.#registry.remove(subscription);
    };
  }

  /**
   * The AWSCURRENT VersionId once the secret has been polled (at once when it already was).
   * A failed first poll rejects with its error.
   * @example
   * const versionId = await watcher.ready('prod/billing/db');
   */
  async ready(id: string): Promise<string | undefined> {
    const secret = this.#watched(id);
    if (secret.observed) return secret.versionId;
    return (await (secret.inFlight ?? this.#refresh(secret, 'schedule'))).versionId;
  }

  /**
   * AWSCURRENT's VersionId as last polled; undefined before the first answer or for an id
   * not watched.
   * @example
   * const versionId = watcher.versionOf('prod/billing/db');
   */
  versionOf(id: string): string | undefined {
    const secret = typeof id === 'string' ? this.#registry.get(this.#client.resolveId(id)) : undefined;
    return secret?.versionId;
  }

  /**
   * A manual refresh: one DescribeSecret now (shared with any other refresh asked for while
   * a poll is under way), the listeners told if AWSCURRENT moved. Rejects with
   * VALIDATION_ERROR for an id nobody watches, and with the poll's error if it fails.
   * @example
   * const { changed } = await watcher.refreshNow('prod/billing/db');
   */
  async refreshNow(id: string): Promise<RefreshResult> {
    return this.#refresh(this.#watched(id), 'manual');
  }

  /**
   * For a health check or a connection pool whose login with the secret just failed: one
   * forced refresh, coalesced (reports while it is under way, and within `forcedRefreshMs`
   * of its start, share its answer), the listeners told if AWSCURRENT moved.
   * @example
   * pool.on('error', (error) => { if (isPgAuthError(error)) void watcher.reportAuthFailure('prod/billing/db'); });
   */
  async reportAuthFailure(id: string): Promise<RefreshResult> {
    const secret = this.#watched(id);
    const now = this.#settings.clock.now();
    const last = secret.lastForced;
    if (last !== undefined && now - last.at < this.#settings.forcedRefreshMs) return last.result;
    const result = this.#refresh(secret, 'auth-failure');
    secret.lastForced = { at: now, result };
    // Shared with later reports; only the first caller sees a failure through its own await.
    result.catch(ignore);
    return result;
  }

  /**
   * Takes an EventBridge event about Secrets Manager, as a Lambda or an SQS queue receives
   * it: the native `Secret Label Updated`, and the CloudTrail events for writes and
   * rotations (`UpdateSecretVersionStage`, `PutSecretValue`, `RotationSucceeded`...; both
   * `arn` and `aRN` spellings). The client's cache forgets every secret the event names;
   * each watched one is polled at once. Resolves to how many watched secrets were refreshed;
   * rejects if one of those polls failed (after all of them settled), so a queue keeps the
   * message for another try. Other events are ignored (0).
   * @example
   * export const handler = async (event: unknown) => { await watcher.handleEvent(event); };
   */
  async handleEvent(event: unknown): Promise<number> {
    const ids = secretIdsFromEvent(event);
    if (ids.length === 0) return 0;
    this.#client.cache?.handleEvent(event);
    if (this.#closed) return 0;
    const targets = this.#registry.namedBy(ids);
    const outcomes = await Promise.allSettled(targets.map((secret) => this.#refresh(secret, 'rotation')));
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return targets.length;
  }

  /**
   * Resolves once no poll is under way (and the listeners of what they found have settled).
   * @example
   * await watcher.settled();
   */
  async settled(): Promise<void> {
    for (;;) {
      const pending = [...this.#registry.secrets()].flatMap((secret) =>
        secret.inFlight === undefined ? [] : [secret.inFlight],
      );
      if (pending.length === 0) return;
      await Promise.allSettled(pending);
    }
  }

  /**
   * Counters since the watcher was made.
   * @example
   * const { polls, changes } = watcher.stats();
   */
  stats(): WatcherStats {
    const secrets = [...this.#registry.secrets()];
    return {
      watched: secrets.length,
      listeners: secrets.reduce((sum, secret) => sum + secret.subscriptions.size, 0),
      polls: this.#polls,
      changes: this.#changes,
      errors: this.#errors,
      inFlight: secrets.filter((secret) => secret.inFlight !== undefined).length,
    };
  }

  /**
   * Stops every poll and drops every listener; sleeping timers are cleared. A poll under way
   * finishes but tells no one. Safe to repeat.
   * @example
   * process.on('SIGTERM', () => watcher.close());
   */
  close(): void {
    this.#closed = true;
    this.#registry.clear();
  }

  /** Counters only. */
  toJSON(): WatcherStats {
    return this.stats();
  }

  [inspect.custom](): string {
    return `RotationWatcher ${inspect(this.stats())}`;
  }

  #open(): void {
    if (this.#closed) throw new ConflictError('The rotation watcher was closed: create a new one to watch.');
  }

  #resolve(id: unknown, field: string): string {
    return validateSecretId(this.#client.resolveId(validateSecretId(id, field)), field);
  }

  #knownVersion(options: unknown): string | undefined {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new ValidationError('options', `watch options must be an object, got ${show(options)}.`);
    }
    for (const key of Object.keys(options)) {
      if (key !== 'knownVersionId') {
        throw new ValidationError(
          key,
          `${show(key)} is not an option of watch: it takes { knownVersionId }.`,
        );
      }
    }
    const { knownVersionId } = options as WatchOptions;
    return knownVersionId === undefined ? undefined : validateVersionToken(knownVersionId, 'knownVersionId');
  }

  #watched(id: string): WatchedSecret {
    this.#open();
    const secretId = this.#resolve(id, 'secretId');
    const secret = this.#registry.get(secretId);
    if (secret === undefined) {
      throw new ValidationError(
        'secretId',
        `${show(secretId)} is not watched by this RotationWatcher: watch(id, listener) first.`,
      );
    }
    return secret;
  }

  /** The scheduled polls of one secret, until nobody watches it. */
  async #schedule(secret: WatchedSecret): Promise<void> {
    const { clock } = this.#settings;
    try {
      while (secret.active && !this.#closed) {
        const wait = secret.dueAt - clock.now();
        if (wait > 0) {
          secret.sleeper = new AbortController();
          await clock.sleep(wait, secret.sleeper.signal);
          secret.sleeper = undefined;
          continue;
        }
        // A refresh under way counts as this poll: its answer moves dueAt on.
        await (secret.inFlight ?? this.#refresh(secret, 'schedule')).catch(ignore);
      }
    } catch (error) {
      // Only a clock whose sleep rejects gets here: say so rather than stop in silence.
      secret.stop();
      this.#report(error, secret.id, 'rotation watcher stopped polling: the clock failed');
    }
  }

  /** A refresh: a poll now, or, with one under way, the single poll that follows it. */
  #refresh(secret: WatchedSecret, trigger: RefreshTrigger): Promise<RefreshResult> {
    if (secret.mergedInto !== undefined) return this.#refresh(secret.mergedInto, trigger);
    if (secret.inFlight !== undefined) {
      secret.followUp ??= followUp(trigger);
      return secret.followUp.promise;
    }
    const poll = this.#poll(secret, trigger);
    secret.inFlight = poll;
    const settle = (): void => this.#settle(secret, poll);
    poll.then(settle, settle);
    return poll;
  }

  #settle(secret: WatchedSecret, poll: Promise<RefreshResult>): void {
    if (secret.inFlight === poll) secret.inFlight = undefined;
    const next = secret.followUp;
    if (next === undefined) return;
    secret.followUp = undefined;
    const into = secret.mergedInto;
    if (into !== undefined) this.#refresh(into, next.trigger).then(next.resolve, next.reject);
    else if (secret.active && !this.#closed)
      this.#refresh(secret, next.trigger).then(next.resolve, next.reject);
    else next.reject(new ConflictError(`${show(secret.id)} is no longer watched: the refresh was not made.`));
  }

  /** One DescribeSecret, then the change (if any) delivered. */
  async #poll(secret: WatchedSecret, trigger: RefreshTrigger): Promise<RefreshResult> {
    const { clock, intervalMs, jitter, maxBackoffMs } = this.#settings;
    const started = clock.now();
    const due = secret.dueAt;
    let stages: SecretStages;
    try {
      this.#polls++;
      stages = await runOperation(this.#client, describeStages, [secret.id, this.#call], this.#call);
    } catch (error) {
      this.#errors++;
      secret.failures++;
      secret.dueAt = clock.now() + backoffDelay(secret.failures, intervalMs, maxBackoffMs, error);
      this.#report(error, secret.id, 'rotation watcher poll failed');
      throw error;
    }
    secret.failures = 0;
    // The schedule keeps its own rate (a late tick does not push later ones back); a refresh
    // out of schedule starts a new interval, since it has just looked.
    const next = jitteredInterval(intervalMs, jitter);
    secret.dueAt = trigger === 'schedule' && due <= started ? due + next : started + next;
    const owner = this.#registry.described(secret, stages.arn, stages.name);
    const previousVersionId = owner.versionId;
    const changed = owner.observed && stages.currentVersionId !== previousVersionId;
    owner.versionId = stages.currentVersionId;
    owner.observed = true;
    if (changed) {
      this.#changes++;
      this.#settings.logger.info('secret rotated', {
        secretId: owner.id,
        versionId: stages.currentVersionId ?? null,
        previousVersionId: previousVersionId ?? null,
        trigger,
      });
    }
    await deliverChange(owner, trigger, changed, this.#client.cache, (error, id) =>
      this.#report(error, id, 'rotation watcher listener failed'),
    );
    return { secretId: owner.id, changed, versionId: stages.currentVersionId, previousVersionId };
  }

  /** Failures are logged by code (never a message: a listener's could hold anything) and passed on. */
  #report(error: unknown, secretId: string, message: string): void {
    const { logger, onError } = this.#settings;
    logger.warn(message, { secretId, code: codeOf(error) });
    if (onError === undefined) return;
    try {
      onError(error, secretId);
    } catch (thrown) {
      logger.error('rotation watcher onError threw', { secretId, code: codeOf(thrown) });
    }
  }
}
