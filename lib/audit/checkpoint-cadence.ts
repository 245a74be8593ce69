import { KeystageError, ValidationError } from '../errors';
import type { Logger } from '../observability';
import type { ChainHead } from './audit-chain';
import type { AuditEntry } from './audit-event';
import { checkpointEntry, checkpointMessage } from './checkpoint';
import { positiveInteger, type AuditCheckpointOptions } from './sink-options';

/**
 * When a sink signs its chain head, and the signing itself: every `everyEvents` written
 * events or `everyMs`, one signature at a time. A signature that fails is retried at the
 * next checkpoint, covering the events of both.
 */
export class CheckpointCadence {
  #since = 0;
  #signing: Promise<void> | undefined;
  #failing = false;
  /** Checkpoints that could not be signed. */
  failures = 0;

  constructor(
    readonly options: Required<AuditCheckpointOptions>,
    private readonly sinkName: string,
    private readonly logger: Logger,
  ) {}

  /** From a sink's `checkpoints` option, checked (a ValidationError names the field). */
  static checked(options: AuditCheckpointOptions, sinkName: string, logger: Logger): CheckpointCadence {
    if (typeof options.key?.sign !== 'function' || typeof options.key.keyId !== 'string') {
      throw new ValidationError(
        'checkpoints.key',
        'checkpoints.key must sign checkpoints: use kmsMacCheckpoints, kmsDataKeyCheckpoints or hmacCheckpoints.',
      );
    }
    return new CheckpointCadence(
      {
        key: options.key,
        everyEvents: positiveInteger(options.everyEvents, 'checkpoints.everyEvents', 1000),
        everyMs: positiveInteger(options.everyMs, 'checkpoints.everyMs', 60_000),
      },
      sinkName,
      logger,
    );
  }

  /** Events written since the last signed checkpoint. */
  get pending(): number {
    return this.#since;
  }

  /** One more event is durable. */
  counted(): void {
    this.#since++;
  }

  get due(): boolean {
    return this.#since >= this.options.everyEvents;
  }

  /** Resolves when no signature is under way. */
  settled(): Promise<void> {
    return this.#signing ?? Promise.resolve();
  }

  /** Signs `head` over the events since the last checkpoint and hands the checkpoint to `enqueue`. */
  sign(head: ChainHead, timestamp: string, enqueue: (entry: AuditEntry) => void): Promise<void> {
    if (this.#signing !== undefined) return this.#signing;
    const events = this.#since;
    if (events === 0) return Promise.resolve();
    this.#since = 0;
    const { key } = this.options;
    this.#signing = key
      .sign(checkpointMessage(head, key.keyId))
      .then(
        (signed) => {
          this.#failing = false;
          enqueue(checkpointEntry(timestamp, head, key.keyId, signed, events));
        },
        (error: unknown) => {
          this.#since += events;
          this.failures++;
          if (!this.#failing) {
            this.logger.warn('audit checkpoint not signed', {
              sink: this.sinkName,
              keyId: key.keyId,
              code: error instanceof KeystageError ? error.code : 'UNKNOWN',
            });
          }
          this.#failing = true;
        },
      )
      .finally(() => {
        this.#signing = undefined;
      });
    return this.#signing;
  }
}
