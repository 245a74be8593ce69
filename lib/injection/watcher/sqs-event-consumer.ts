import type * as SqsSdk from '@aws-sdk/client-sqs';
import type { Message, SQSClient, SQSClientConfig } from '@aws-sdk/client-sqs';
import { inspect } from 'node:util';
import { optionalPeer, toKeystageError, validateInteger } from '../../core';
import { ConflictError, KeystageError, SecretDecodeError, ValidationError, show } from '../../errors';
import { silentLogger, type Logger } from '../../observability';
import { backoffDelay } from './poll-schedule';
import type { RotationWatcher } from './rotation-watcher';
import { systemWatcherClock, type WatcherClock } from './watcher-clock';

/** `@aws-sdk/client-sqs`, loaded on first use (an optional peer). */
function sqsSdk(): typeof SqsSdk {
  return optionalPeer<typeof SqsSdk>('@aws-sdk/client-sqs', {
    needs: 'Taking rotation events from an SQS queue',
    otherwise: 'or pass events to RotationWatcher.handleEvent yourself (a Lambda target)',
  });
}

export interface SqsEventConsumerOptions {
  /** The queue an EventBridge rule for Secrets Manager events targets (directly, or through SNS). */
  readonly queueUrl: string;
  /**
   * A ready SQS client. Not allowed together with `sqsConfig`.
   * @default - a new SQSClient from `sqsConfig`
   */
  readonly sqs?: SQSClient;
  /** Configuration for the default client. @default - the standard SDK environment */
  readonly sqsConfig?: SQSClientConfig;
  /** ReceiveMessage's long-poll wait, 0..20 s. @default 20 */
  readonly waitTimeSeconds?: number;
  /** Messages per ReceiveMessage, 1..10. @default 10 */
  readonly maxMessages?: number;
  /** How long a received message stays hidden from other consumers, 0..43200 s. @default - the queue's setting */
  readonly visibilityTimeoutSeconds?: number;
  /** Backoff between failed receives. @default - real time */
  readonly clock?: WatcherClock;
  /** Where failed receives, unreadable messages and failed deletes are logged (codes only). @default silentLogger */
  readonly logger?: Logger;
  /** Told of each such failure; the consumer carries on. @default - logged only */
  readonly onError?: (error: unknown) => void;
}

/** Counters since the consumer was made. */
export interface SqsConsumerStats {
  readonly receives: number;
  readonly messages: number;
  /** Messages handled and deleted. */
  readonly deleted: number;
  /** Messages left on the queue (unreadable, or their refresh failed) for another try or the dead-letter queue. */
  readonly kept: number;
  readonly errors: number;
}

const KNOWN: ReadonlySet<string> = new Set<keyof SqsEventConsumerOptions>([
  'queueUrl',
  'sqs',
  'sqsConfig',
  'waitTimeSeconds',
  'maxMessages',
  'visibilityTimeoutSeconds',
  'clock',
  'logger',
  'onError',
]);

/** What the retries between failed receives are measured in. */
const RECEIVE_RETRY_MS = 1000;
const MAX_RECEIVE_RETRY_MS = 60_000;

function codeOf(error: unknown): string {
  return error instanceof KeystageError ? error.code : 'UNKNOWN';
}

/**
 * The event a message carries: the body itself (an EventBridge target), or the `Message`
 * of an SNS notification (a topic between the rule and the queue, without raw delivery).
 * @throws SecretDecodeError when the body is not JSON (the body is not quoted)
 * @example
 * await watcher.handleEvent(eventFromMessageBody(record.body)); // an SQS-triggered Lambda
 */
export function eventFromMessageBody(body: string | undefined): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch (error) {
    throw new SecretDecodeError('An SQS message body is not JSON: it cannot be a Secrets Manager event.', {
      cause: error instanceof SyntaxError ? undefined : error,
    });
  }
  const envelope = parsed as { Type?: unknown; Message?: unknown } | null;
  if (envelope?.Type === 'Notification' && typeof envelope.Message === 'string') {
    return eventFromMessageBody(envelope.Message);
  }
  return parsed;
}

/** Resolves or rejects with `promise`, or rejects as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}

/**
 * Takes Secrets Manager events from an SQS queue (an EventBridge rule's target) and hands
 * each to a RotationWatcher: ReceiveMessage long polls (20 s), `watcher.handleEvent` for
 * each message, DeleteMessage once it was handled. A message that is not JSON, or whose
 * refresh failed, stays on the queue: it comes back after its visibility timeout, and the
 * queue's redrive policy ends a poison message's tries. Failed receives back off.
 * @example
 * const queue = new SqsEventConsumer(watcher, { queueUrl: process.env.ROTATION_QUEUE_URL! });
 * queue.start();
 * process.on('SIGTERM', () => void queue.stop());
 */
export class SqsEventConsumer {
  readonly #watcher: RotationWatcher;
  readonly #queueUrl: string;
  readonly #client: () => SQSClient;
  readonly #waitTimeSeconds: number;
  readonly #maxMessages: number;
  readonly #visibilityTimeoutSeconds: number | undefined;
  readonly #clock: WatcherClock;
  readonly #logger: Logger;
  readonly #onError: ((error: unknown) => void) | undefined;
  #running: { readonly stop: AbortController; readonly done: Promise<void> } | undefined = undefined;
  #receives = 0;
  #messages = 0;
  #deleted = 0;
  #kept = 0;
  #errors = 0;

  constructor(watcher: RotationWatcher, options: SqsEventConsumerOptions) {
    if (typeof watcher !== 'object' || watcher === null || typeof watcher.handleEvent !== 'function') {
      throw new ValidationError('watcher', `SqsEventConsumer needs a RotationWatcher, got ${show(watcher)}.`);
    }
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new ValidationError('options', 'SqsEventConsumer options must be an object with queueUrl.');
    }
    for (const key of Object.keys(options)) {
      if (!KNOWN.has(key)) {
        throw new ValidationError(
          key,
          `${show(key)} is not an SqsEventConsumer option: it takes ${[...KNOWN].join(', ')}.`,
        );
      }
    }
    const { queueUrl, sqs, sqsConfig } = options;
    if (typeof queueUrl !== 'string' || !/^https?:\/\/\S+$/.test(queueUrl)) {
      throw new ValidationError(
        'queueUrl',
        `queueUrl must be the queue's URL (https://sqs.<region>.amazonaws.com/<account>/<name>), got ${show(queueUrl)}.`,
      );
    }
    if (sqs !== undefined && sqsConfig !== undefined) {
      throw new ValidationError('sqsConfig', 'Pass either sqs (an SQSClient) or sqsConfig, not both.');
    }
    if (sqs !== undefined && typeof (sqs as { send?: unknown }).send !== 'function') {
      throw new ValidationError('sqs', `sqs must be an SQSClient, got ${show(sqs)}.`);
    }
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw new ValidationError('onError', `onError must be a function, got ${show(options.onError)}.`);
    }
    this.#watcher = watcher;
    this.#queueUrl = queueUrl;
    this.#waitTimeSeconds =
      options.waitTimeSeconds === undefined
        ? 20
        : validateInteger(options.waitTimeSeconds, 'waitTimeSeconds', 0, 20);
    this.#maxMessages =
      options.maxMessages === undefined ? 10 : validateInteger(options.maxMessages, 'maxMessages', 1, 10);
    this.#visibilityTimeoutSeconds =
      options.visibilityTimeoutSeconds === undefined
        ? undefined
        : validateInteger(options.visibilityTimeoutSeconds, 'visibilityTimeoutSeconds', 0, 43_200);
    this.#clock = options.clock ?? systemWatcherClock;
    this.#logger = options.logger ?? silentLogger;
    this.#onError = options.onError;
    let client = sqs;
    this.#client = () => (client ??= new (sqsSdk().SQSClient)(sqsConfig ?? {}));
  }

  /**
   * Starts receiving (the SQS SDK is loaded now). Calling it while running does nothing.
   * @example
   * queue.start();
   */
  start(): void {
    if (this.#running !== undefined) return;
    const client = this.#client();
    const stop = new AbortController();
    this.#running = { stop, done: this.#loop(client, stop.signal) };
  }

  /**
   * Stops: the receive under way is abandoned (its messages, if any arrive, stay on the
   * queue), messages being handled finish. Resolves when the loop has ended.
   * @example
   * await queue.stop();
   */
  async stop(): Promise<void> {
    const running = this.#running;
    if (running === undefined) return;
    this.#running = undefined;
    running.stop.abort(new ConflictError('The SQS event consumer was stopped.'));
    await running.done;
  }

  /**
   * Counters since the consumer was made.
   * @example
   * const { deleted, kept } = queue.stats();
   */
  stats(): SqsConsumerStats {
    return {
      receives: this.#receives,
      messages: this.#messages,
      deleted: this.#deleted,
      kept: this.#kept,
      errors: this.#errors,
    };
  }

  toJSON(): SqsConsumerStats {
    return this.stats();
  }

  [inspect.custom](): string {
    return `SqsEventConsumer ${inspect(this.stats())}`;
  }

  async #loop(client: SQSClient, signal: AbortSignal): Promise<void> {
    const { ReceiveMessageCommand } = sqsSdk();
    let failures = 0;
    while (!signal.aborted) {
      let messages: Message[];
      try {
        this.#receives++;
        const output = await abortable(
          client.send(
            new ReceiveMessageCommand({
              QueueUrl: this.#queueUrl,
              WaitTimeSeconds: this.#waitTimeSeconds,
              MaxNumberOfMessages: this.#maxMessages,
              ...(this.#visibilityTimeoutSeconds === undefined
                ? {}
                : { VisibilityTimeout: this.#visibilityTimeoutSeconds }),
            }),
            { abortSignal: signal },
          ),
          signal,
        );
        messages = output.Messages ?? [];
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        failures++;
        this.#report(toKeystageError(error, { operation: 'ReceiveMessage' }), 'SQS receive failed');
        await this.#clock.sleep(
          backoffDelay(failures, RECEIVE_RETRY_MS, MAX_RECEIVE_RETRY_MS, error),
          signal,
        );
        continue;
      }
      this.#messages += messages.length;
      await Promise.all(messages.map((message) => this.#handle(client, message)));
    }
  }

  /** One message: its event to the watcher, then deleted; kept on the queue if either fails. */
  async #handle(client: SQSClient, message: Message): Promise<void> {
    try {
      await this.#watcher.handleEvent(eventFromMessageBody(message.Body));
    } catch (error) {
      this.#kept++;
      this.#report(error, 'rotation event not handled; the message stays on the queue');
      return;
    }
    const { DeleteMessageCommand } = sqsSdk();
    try {
      await client.send(
        new DeleteMessageCommand({ QueueUrl: this.#queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      this.#deleted++;
    } catch (error) {
      this.#report(toKeystageError(error, { operation: 'DeleteMessage' }), 'SQS delete failed');
    }
  }

  #report(error: unknown, message: string): void {
    this.#errors++;
    this.#logger.warn(message, { queueUrl: this.#queueUrl, code: codeOf(error) });
    if (this.#onError === undefined) return;
    try {
      this.#onError(error);
    } catch (thrown) {
      this.#logger.error('SqsEventConsumer onError threw', { code: codeOf(thrown) });
    }
  }
}
