import { fullJitterMs } from '../core/jitter';
import { AuditUnavailableError, KeystageError } from '../errors';
import { silentLogger, type Logger } from '../observability';
import { AuditChain, type ChainHead, type SealedAuditEvent } from './audit-chain';
import type { AuditEntry, AuditSinkStats } from './audit-event';
import { CheckpointCadence } from './checkpoint-cadence';
import { pseudonymiser } from './pseudonymise';
import {
  positiveInteger,
  type AuditSinkOptions,
  type AuditTransport,
  type WriteOutcome,
} from './sink-options';
import { IsoTimestamps } from './timestamp';

/** An event waiting for its batch; a fail-closed one carries its caller's promise's settlers. */
interface Pending {
  readonly entry: AuditEntry;
  readonly ticket: number;
  readonly resolve: (() => void) | undefined;
  readonly reject: ((error: unknown) => void) | undefined;
  readonly checkpoint: boolean;
}

/** Waiting fail-open events that start a batch without waiting for the interval. */
const BATCH_TRIGGER = 1000;
/** The most events sealed and handed to the destination at once (PutLogEvents' count limit). */
const MAX_TAKE = 10_000;
const RETRY_BASE_MS = 200;
const RETRY_MAX_MS = 30_000;

/**
 * The part every keystage sink shares: a bounded buffer, the stream's hash chain,
 * pseudonymisation, signed checkpoints, and group commit. Events are sealed (chained) when
 * their batch is taken, in arrival order, so the read path only queues an object; one batch
 * is in flight at a time and everything that arrives meanwhile goes in the next, so
 * concurrent fail-closed reads share one write. A batch that fails is taken out of the chain
 * again (the next one reuses its positions): fail-closed events in it fail their reads,
 * fail-open ones are retried after a backoff with full jitter.
 * @example
 * // A sink of your own over another destination:
 * const stream = new AuditStream({ name: 'Kafka', maxEventBytes: 1_000_000, write: sendBatch }, options);
 * const sink: AuditSink = { record: (entry, ack) => stream.record(entry, ack), flush: () => stream.flush() };
 */
export class AuditStream {
  readonly #transport: AuditTransport;
  readonly #logger: Logger;
  readonly #maxBuffered: number;
  readonly #intervalMs: number;
  readonly #hide: ((entry: AuditEntry) => AuditEntry) | undefined;
  readonly #cadence: CheckpointCadence | undefined;
  readonly #timestamps = new IsoTimestamps();
  readonly #now: () => number;
  readonly #chain = new AuditChain();

  #pending: Pending[] = [];
  #inFlight: readonly Pending[] = [];
  #urgent = 0;
  #flushing = 0;
  #writing: Promise<boolean> | undefined;
  #immediate = false;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #retryDelayMs = 0;
  #tickets = 0;
  #state: 'open' | 'closing' | 'closed' = 'open';
  #opened = false;
  #closing: Promise<void> | undefined;

  #durable: ChainHead = this.#chain.head;
  #checkpointTimer: NodeJS.Timeout | undefined;

  #recorded = 0;
  #written = 0;
  #dropped = 0;
  #checkpointsWritten = 0;
  #burst = 0;

  constructor(transport: AuditTransport, options: AuditSinkOptions = {}) {
    this.#transport = transport;
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
    this.#maxBuffered = positiveInteger(options.maxBufferedEvents, 'maxBufferedEvents', 20_000);
    this.#intervalMs = positiveInteger(options.flushIntervalMs, 'flushIntervalMs', 1000);
    this.#hide = options.pseudonymise === undefined ? undefined : pseudonymiser(options.pseudonymise);
    this.#cadence =
      options.checkpoints === undefined
        ? undefined
        : CheckpointCadence.checked(options.checkpoints, transport.name, this.#logger);
  }

  /** See {@link AuditSink.record}. Never throws: a refusal is a drop, or a rejected promise. */
  record(entry: AuditEntry, acknowledge: boolean): void | Promise<void> {
    this.#recorded++;
    if (this.#state !== 'open') return this.#refuse(acknowledge, 'the sink is closed');
    if (this.#pending.length + this.#inFlight.length >= this.#maxBuffered) {
      return this.#refuse(acknowledge, `its buffer is full (${this.#maxBuffered} events waiting)`);
    }
    if (!acknowledge) {
      this.#enqueue(entry, undefined, undefined, false);
      return undefined;
    }
    return new Promise<void>((resolve, reject) => this.#enqueue(entry, resolve, reject, false));
  }

  /**
   * Writes every event waiting now, ignoring any retry backoff. Rejects with
   * AUDIT_UNAVAILABLE when the destination fails; fail-open events stay buffered for retry.
   */
  async flush(): Promise<void> {
    const target = this.#tickets;
    const done = (): boolean =>
      (this.#inFlight[0]?.ticket ?? Infinity) > target && (this.#pending[0]?.ticket ?? Infinity) > target;
    this.#flushing++;
    try {
      while (!done()) {
        const failed = await this.#drain();
        if (failed && !done()) {
          throw new AuditUnavailableError(
            this.#transport.name,
            `${this.#transport.name} could not write the buffered audit events; they stay buffered and are retried.`,
          );
        }
      }
    } finally {
      this.#flushing--;
    }
  }

  /** Flushes, writes a final checkpoint when events came after the last one, and stops. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  stats(): AuditSinkStats {
    return {
      recorded: this.#recorded,
      written: this.#written,
      dropped: this.#dropped,
      buffered: this.#pending.length + this.#inFlight.length,
      checkpoints: this.#checkpointsWritten,
      checkpointFailures: this.#cadence?.failures ?? 0,
    };
  }

  async #close(): Promise<void> {
    this.#state = 'closing';
    let failure: unknown;
    try {
      await this.flush();
      if (this.#cadence !== undefined && this.#cadence.pending > 0) {
        await this.#cadence.settled();
        await this.#checkpoint();
        await this.flush();
      }
    } catch (error) {
      failure = error;
    } finally {
      this.#state = 'closed';
      clearTimeout(this.#timer);
      clearInterval(this.#checkpointTimer);
      this.#timer = undefined;
      this.#checkpointTimer = undefined;
      await this.#transport.close?.();
    }
    if (failure !== undefined) throw failure;
  }

  #refuse(acknowledge: boolean, why: string): Promise<void> | undefined {
    this.#drop(1, why);
    if (!acknowledge) return undefined;
    return Promise.reject(
      new AuditUnavailableError(
        this.#transport.name,
        `${this.#transport.name} could not take the audit event: ${why}.`,
      ),
    );
  }

  #drop(count: number, why: string): void {
    this.#dropped += count;
    // Once per burst: a sink that is down would otherwise log once per read.
    if (this.#burst === 0)
      this.#logger.warn('audit events dropped', { sink: this.#transport.name, reason: why });
    this.#burst += count;
  }

  #enqueue(
    entry: AuditEntry,
    resolve: Pending['resolve'],
    reject: Pending['reject'],
    checkpoint: boolean,
  ): void {
    this.#pending.push({ entry, ticket: ++this.#tickets, resolve, reject, checkpoint });
    if (resolve !== undefined) this.#urgent++;
    if (this.#cadence !== undefined && this.#checkpointTimer === undefined && this.#state === 'open') {
      this.#checkpointTimer = setInterval(() => {
        if (this.#cadence!.pending > 0) void this.#checkpoint();
      }, this.#cadence.options.everyMs).unref();
    }
    this.#schedule();
  }

  /** Starts a batch now, at the next turn of the event loop, or after the interval. */
  #schedule(): void {
    if (this.#writing !== undefined || this.#state === 'closed') return;
    if (this.#urgent > 0 || this.#flushing > 0 || this.#pending.length >= BATCH_TRIGGER) {
      if (this.#immediate) return;
      this.#immediate = true;
      // Not a microtask: everything recorded in this turn of the event loop joins the batch.
      setImmediate(() => {
        this.#immediate = false;
        void this.#drain();
      });
      return;
    }
    if (this.#timer !== undefined || this.#pending.length === 0) return;
    const delay = this.#failures > 0 ? this.#retryDelayMs : this.#intervalMs;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#drain();
    }, delay).unref();
  }

  /** Runs the write loop (or joins the one running); true when it stopped on a failure. */
  #drain(): Promise<boolean> {
    if (this.#writing !== undefined) return this.#writing;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#writing = this.#loop().finally(() => {
      this.#writing = undefined;
      this.#schedule();
    });
    return this.#writing;
  }

  async #loop(): Promise<boolean> {
    while (this.#pending.length > 0) {
      if (!this.#opened && !(await this.#open())) return true;
      // The whole queue when it fits, without copying it.
      let batch = this.#pending;
      if (batch.length <= MAX_TAKE) this.#pending = [];
      else batch = batch.splice(0, MAX_TAKE);
      this.#inFlight = batch;
      const start = this.#chain.head;
      const sealed: SealedAuditEvent[] = new Array(batch.length);
      let durable = this.#flushing > 0;
      for (let i = 0; i < batch.length; i++) {
        const pending = batch[i]!;
        sealed[i] = this.#seal(pending.entry);
        durable ||= pending.resolve !== undefined;
      }
      let outcome: WriteOutcome;
      try {
        outcome = await this.#transport.write(sealed, durable);
      } catch (error) {
        outcome = { written: 0, rejected: [], error };
      }
      this.#inFlight = [];
      this.#settle(batch, sealed, outcome, start);
      if (outcome.written < batch.length) {
        this.#failures++;
        this.#retryDelayMs = this.#backoff();
        return true;
      }
      this.#failures = 0;
      const more = this.#urgent > 0 || this.#flushing > 0 || this.#pending.length >= BATCH_TRIGGER;
      if (!more) break;
    }
    return false;
  }

  /** Opens the destination; a failure fails what waits fail-closed, as a failed write would. */
  async #open(): Promise<boolean> {
    try {
      const head = await this.#transport.open?.();
      if (head !== undefined) {
        this.#chain.rewind(head);
        this.#durable = head;
      }
      this.#opened = true;
      return true;
    } catch (error) {
      const batch = this.#pending;
      this.#pending = [];
      this.#settle(batch, [], { written: 0, rejected: [], error }, this.#chain.head);
      this.#failures++;
      this.#retryDelayMs = this.#backoff();
      return false;
    }
  }

  #backoff(): number {
    return fullJitterMs(this.#failures, RETRY_BASE_MS, RETRY_MAX_MS);
  }

  #seal(entry: AuditEntry): SealedAuditEvent {
    const hidden = this.#hide === undefined ? entry : this.#hide(entry);
    let sealed = this.#chain.seal(hidden);
    if (sealed.bytes > this.#transport.maxEventBytes) {
      // Only details can grow without bound; the event itself must still be written.
      sealed = this.#chain.seal({ ...hidden, details: { details_omitted: 'too large for the destination' } });
    }
    this.#chain.advance(sealed);
    return sealed;
  }

  #settle(
    batch: readonly Pending[],
    sealed: readonly SealedAuditEvent[],
    outcome: WriteOutcome,
    start: ChainHead,
  ): void {
    const rejected = outcome.rejected.length === 0 ? undefined : new Set(outcome.rejected);
    const written = Math.min(outcome.written, batch.length);
    let stored = 0;
    let last = -1;
    for (let i = 0; i < written; i++) {
      const pending = batch[i]!;
      if (rejected?.has(i) === true) {
        this.#drop(1, 'the destination rejected it (too old or too new)');
        this.#urgent -= pending.resolve === undefined ? 0 : 1;
        pending.reject?.(
          new AuditUnavailableError(
            this.#transport.name,
            `${this.#transport.name} rejected the audit event.`,
          ),
        );
        continue;
      }
      stored++;
      last = i;
      if (pending.checkpoint) {
        this.#checkpointsWritten++;
      } else {
        this.#written++;
        this.#cadence?.counted();
      }
      if (pending.resolve !== undefined) {
        this.#urgent--;
        pending.resolve();
      }
    }
    if (last >= 0) this.#durable = { seq: sealed[last]!.seq, hash: sealed[last]!.hash };
    if (written === batch.length) {
      if (this.#burst > 0 && stored > 0) {
        this.#logger.warn('audit sink writing again', { sink: this.#transport.name, dropped: this.#burst });
        this.#burst = 0;
      }
      if (this.#cadence?.due === true) {
        void this.#checkpoint();
      }
      return;
    }

    // The rest never reached the destination: out of the chain again, so nothing is missing.
    this.#chain.rewind(
      written === 0 ? start : { seq: sealed[written - 1]!.seq, hash: sealed[written - 1]!.hash },
    );
    const error = outcome.error;
    if (this.#failures === 0) {
      this.#logger.error('audit write failed', {
        sink: this.#transport.name,
        events: batch.length - written,
        code:
          error instanceof KeystageError
            ? error.code
            : ((error as { name?: unknown } | null)?.name ?? 'UNKNOWN'),
      });
    }
    const retry: Pending[] = [];
    for (let i = written; i < batch.length; i++) {
      const pending = batch[i]!;
      if (pending.reject === undefined) {
        retry.push(pending);
        continue;
      }
      // A fail-closed read fails instead: its event is not kept for a later write.
      this.#urgent--;
      this.#drop(1, 'the destination failed');
      pending.reject(
        new AuditUnavailableError(
          this.#transport.name,
          `${this.#transport.name} did not accept the audit event, so the call's answer is withheld (auditFailClosed).`,
          { cause: error },
        ),
      );
    }
    this.#pending = retry.concat(this.#pending);
  }

  /** Signs the durable head and queues the checkpoint; a failure is retried at the next one. */
  #checkpoint(): Promise<void> {
    if (this.#cadence === undefined) return Promise.resolve();
    return this.#cadence.sign(this.#durable, this.#timestamps.format(this.#now()), (entry) =>
      this.#enqueue(entry, undefined, undefined, true),
    );
  }
}
