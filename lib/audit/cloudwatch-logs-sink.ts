import type {
  CloudWatchLogsClient,
  CloudWatchLogsClientConfig,
  GetLogEventsCommandOutput,
  InputLogEvent,
  PutLogEventsCommandOutput,
  RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { ValidationError } from '../errors';
import type { ChainHead, SealedAuditEvent } from './audit-chain';
import type { AuditEntry, AuditEvent, AuditSink, AuditSinkStats } from './audit-event';
import { AuditStream } from './audit-stream';
import type { AuditSinkOptions, AuditTransport, WriteOutcome } from './sink-options';
import { canonicalJson, sha256Hex } from './canonical-json';
import { PUT_LOG_EVENTS_LIMITS, fitsOneLogBatch, planLogBatches } from './cloudwatch-logs-batches';
import { cloudWatchLogsSdk, fastJsonProtocol } from './cloudwatch-logs-sdk';
import { DEFAULT_TIMEOUTS, fullJitterMs, timeoutHandler } from '../core';

/** How the sink retries throttling and passing failures of CloudWatch Logs. */
export interface AuditRetryOptions {
  /**
   * Attempts per request, the first included.
   * @default 5
   */
  readonly maxAttempts?: number;
  /**
   * The ceiling of the first retry's delay; it doubles per attempt (full jitter: the delay is
   * uniform between 0 and the ceiling).
   * @default 100
   */
  readonly baseDelayMs?: number;
  /**
   * The largest ceiling.
   * @default 5000
   */
  readonly maxDelayMs?: number;
}

export interface CloudWatchLogsAuditSinkOptions extends AuditSinkOptions {
  /** The log group, e.g. the `AuditLog` construct's (KMS-encrypted, with retention). */
  readonly logGroupName: string;
  /**
   * The log stream. Each stream holds one hash chain, written by one sink at a time; a sink
   * that finds its stream already there continues the chain from the stream's last event.
   * @default - `keystage-audit/YYYY/MM/DD/<random UUID>`: a new stream per sink
   */
  readonly logStreamName?: string;
  /**
   * A ready CloudWatch Logs client. It is used as it is (its own retries add to the sink's).
   * @default - a new client from `clientConfig`, with no retries of its own, 3 s / 5 s
   * timeouts, and the SDK's JSON.stringify codec, which serialises audit lines about twice as fast
   */
  readonly client?: CloudWatchLogsClient;
  /**
   * Configuration for the default client. Not allowed together with `client`.
   * @default - the standard SDK environment: AWS_REGION, credentials chain, AWS_ENDPOINT_URL(_CLOUDWATCH_LOGS)
   */
  readonly clientConfig?: CloudWatchLogsClientConfig;
  /**
   * Create the log group when it does not exist. Without the permission (or with `false`)
   * the group must exist; the stream is created either way, and an existing one is used.
   * @default true
   */
  readonly createLogGroup?: boolean;
  /** @default - 5 attempts, 100 ms doubling to 5 s, full jitter */
  readonly retry?: AuditRetryOptions;
}

/** Errors worth another attempt: throttling, the service's own failures, the network. */
const PASSING = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'InternalServerException',
  'OperationAbortedException',
  'TimeoutError',
  'RequestTimeout',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
]);

function errorName(error: unknown): string | undefined {
  const shaped = error as { name?: unknown; code?: unknown } | null;
  if (typeof shaped?.code === 'string' && PASSING.has(shaped.code)) return shaped.code;
  return typeof shaped?.name === 'string' ? shaped.name : undefined;
}

function isPassing(error: unknown): boolean {
  const name = errorName(error);
  if (name !== undefined && PASSING.has(name)) return true;
  const shaped = error as { $retryable?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  return shaped?.$retryable !== undefined || (shaped?.$metadata?.httpStatusCode ?? 0) >= 500;
}

function isRejected(info: RejectedLogEventsInfo, index: number): boolean {
  return (
    index < (info.tooOldLogEventEndIndex ?? 0) ||
    index < (info.expiredLogEventEndIndex ?? 0) ||
    (info.tooNewLogEventStartIndex !== undefined && index >= info.tooNewLogEventStartIndex)
  );
}

function defaultStreamName(): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return `keystage-audit/${day}/${randomUUID()}`;
}

function positive(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(field, `${field} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}

class LogStreamTransport implements AuditTransport {
  readonly name: string;
  readonly maxEventBytes = 1_048_576 - PUT_LOG_EVENTS_LIMITS.eventOverheadBytes;
  readonly #group: string;
  readonly #stream: string;
  readonly #createGroup: boolean;
  readonly #client: () => CloudWatchLogsClient;
  readonly #attempts: number;
  readonly #baseMs: number;
  readonly #maxMs: number;
  /** CloudWatch wants each batch in time order; a clock that steps back must not break that. */
  #lastTime = 0;
  /** The client the sink made itself (none when one was passed): its to destroy on close. */
  #own: CloudWatchLogsClient | undefined;

  constructor(options: CloudWatchLogsAuditSinkOptions) {
    this.#group = options.logGroupName;
    this.#stream = options.logStreamName ?? defaultStreamName();
    this.#createGroup = options.createLogGroup ?? true;
    this.name = `CloudWatchLogsAuditSink(${this.#group}:${this.#stream})`;
    this.#attempts = positive(options.retry?.maxAttempts, 'retry.maxAttempts', 5);
    this.#baseMs = positive(options.retry?.baseDelayMs, 'retry.baseDelayMs', 100);
    this.#maxMs = positive(options.retry?.maxDelayMs, 'retry.maxDelayMs', 5000);
    // Loaded with the first sink, not with keystage: a missing package is said at once.
    cloudWatchLogsSdk();
    let client = options.client;
    const config = options.clientConfig;
    this.#client = () => {
      if (client !== undefined) return client;
      client = this.#own = new (cloudWatchLogsSdk().CloudWatchLogsClient)({
        // The sink's own backoff is the one in force; SDK retries on top would multiply it.
        maxAttempts: 1,
        // Every fail-closed read waits on a PutLogEvents: its serialising is on their path.
        ...fastJsonProtocol(),
        ...config,
        requestHandler: config?.requestHandler ?? timeoutHandler(DEFAULT_TIMEOUTS),
      });
      return client;
    };
  }

  /** After the last write: a client the sink made goes, with its sockets; one passed in stays. */
  async close(): Promise<void> {
    this.#own?.destroy();
    this.#own = undefined;
  }

  get logStreamName(): string {
    return this.#stream;
  }

  /** Creates the stream (and the group, when allowed); an existing stream's chain is continued. */
  async open(): Promise<ChainHead | undefined> {
    const sdk = cloudWatchLogsSdk();
    const ids = { logGroupName: this.#group, logStreamName: this.#stream };
    try {
      await this.#send(() => new sdk.CreateLogStreamCommand(ids));
      return undefined;
    } catch (error) {
      const name = errorName(error);
      if (name === 'ResourceAlreadyExistsException') return this.#lastHead();
      if (name === 'AccessDeniedException') return this.#lastHead();
      if (name !== 'ResourceNotFoundException' || !this.#createGroup) throw error;
    }
    try {
      await this.#send(() => new sdk.CreateLogGroupCommand({ logGroupName: this.#group }));
    } catch (error) {
      if (errorName(error) !== 'ResourceAlreadyExistsException') throw error;
    }
    try {
      await this.#send(() => new sdk.CreateLogStreamCommand(ids));
      return undefined;
    } catch (error) {
      if (errorName(error) === 'ResourceAlreadyExistsException') return this.#lastHead();
      throw error;
    }
  }

  async write(events: readonly SealedAuditEvent[]): Promise<WriteOutcome> {
    const logEvents: InputLogEvent[] = new Array(events.length);
    let bytes = 0;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      this.#lastTime = Math.max(this.#lastTime, event.time);
      logEvents[i] = { timestamp: this.#lastTime, message: event.line };
      bytes += event.bytes;
    }
    const batches = this.#batches(logEvents, events, bytes);
    let written = 0;
    const rejected: number[] = [];
    for (const batch of batches) {
      try {
        const output = await this.#put(batch);
        const info = output.rejectedLogEventsInfo;
        if (info !== undefined) {
          for (let i = 0; i < batch.length; i++) if (isRejected(info, i)) rejected.push(written + i);
        }
        written += batch.length;
      } catch (error) {
        return { written, rejected, error };
      }
    }
    return { written, rejected };
  }

  /** The requests `logEvents` need: usually one, which needs no plan and no copies. */
  #batches(
    logEvents: InputLogEvent[],
    events: readonly SealedAuditEvent[],
    bytes: number,
  ): InputLogEvent[][] {
    if (logEvents.length === 0) return [];
    const span = logEvents.at(-1)!.timestamp! - logEvents[0]!.timestamp!;
    if (fitsOneLogBatch(logEvents.length, bytes, span)) return [logEvents];
    const planned = planLogBatches(
      events.map((event, i) => ({ timestamp: logEvents[i]!.timestamp!, bytes: event.bytes })),
    );
    const batches: InputLogEvent[][] = [];
    let start = 0;
    for (const batch of planned) batches.push(logEvents.slice(start, (start += batch.length)));
    return batches;
  }

  async #put(logEvents: InputLogEvent[]): Promise<PutLogEventsCommandOutput> {
    const sdk = cloudWatchLogsSdk();
    const input = { logGroupName: this.#group, logStreamName: this.#stream, logEvents };
    try {
      return await this.#send<PutLogEventsCommandOutput>(() => new sdk.PutLogEventsCommand(input));
    } catch (error) {
      // The stream was deleted under the sink: make it again, once.
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
      await this.open();
      return this.#send<PutLogEventsCommandOutput>(() => new sdk.PutLogEventsCommand(input));
    }
  }

  /** Where an existing stream's chain ends: its last event. */
  async #lastHead(): Promise<ChainHead | undefined> {
    const sdk = cloudWatchLogsSdk();
    const output = await this.#send<GetLogEventsCommandOutput>(
      () =>
        new sdk.GetLogEventsCommand({
          logGroupName: this.#group,
          logStreamName: this.#stream,
          startFromHead: false,
          limit: 1,
        }),
    );
    const message = output.events?.at(-1)?.message;
    if (message === undefined) return undefined;
    try {
      const event = JSON.parse(message) as AuditEvent;
      return typeof event.seq === 'number'
        ? { seq: event.seq, hash: sha256Hex(canonicalJson(event)) }
        : undefined;
    } catch {
      return undefined;
    }
  }

  /** One request, retried while it fails with throttling or a passing error, with full jitter. */
  async #send<T>(command: () => object): Promise<T> {
    // Every command goes through here; the SDK's per-command overloads are not needed for that.
    const client = this.#client() as unknown as { send(command: object): Promise<unknown> };
    for (let attempt = 1; ; attempt++) {
      try {
        return (await client.send(command())) as T;
      } catch (error) {
        if (attempt >= this.#attempts || !isPassing(error)) throw error;
        const delay = fullJitterMs(attempt, this.#baseMs, this.#maxMs);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}

/**
 * Audit events to a CloudWatch Logs stream, batched with PutLogEvents within AWS's limits
 * (10,000 events, 1,048,576 bytes counting 26 per event, 24 hours, in time order). It
 * creates the stream (and the group, when allowed), retries throttling with backoff and
 * full jitter, keeps a bounded buffer, hash-chains the events and, with `checkpoints`,
 * signs the chain head with a KMS key. Fail-open events are written every
 * `flushIntervalMs` or 1,000 events; fail-closed ones at once, concurrent ones in one
 * PutLogEvents (group commit). Call `close()` at shutdown: it writes what is buffered.
 * @example
 * const audit = new CloudWatchLogsAuditSink({
 *   logGroupName: '/keystage/audit',
 *   checkpoints: { key: kmsMacCheckpoints({ keyId: auditKeyArn }) },
 * });
 * const secrets = new SecretsClient({ audit, principal });
 * process.on('SIGTERM', () => void audit.close());
 */
export class CloudWatchLogsAuditSink implements AuditSink {
  readonly #stream: AuditStream;
  readonly #transport: LogStreamTransport;

  constructor(options: CloudWatchLogsAuditSinkOptions) {
    if (typeof options?.logGroupName !== 'string' || options.logGroupName === '') {
      throw new ValidationError('logGroupName', 'CloudWatchLogsAuditSink needs a logGroupName.');
    }
    if (
      options.logStreamName !== undefined &&
      (typeof options.logStreamName !== 'string' || options.logStreamName === '')
    ) {
      throw new ValidationError('logStreamName', 'logStreamName must be a non-empty string.');
    }
    if (options.client !== undefined && options.clientConfig !== undefined) {
      throw new ValidationError(
        'clientConfig',
        'Pass either client (a CloudWatchLogsClient) or clientConfig, not both.',
      );
    }
    this.#transport = new LogStreamTransport(options);
    this.#stream = new AuditStream(this.#transport, options);
  }

  /** The stream this sink writes its chain to. */
  get logStreamName(): string {
    return this.#transport.logStreamName;
  }

  record(entry: AuditEntry, acknowledge: boolean): void | Promise<void> {
    return this.#stream.record(entry, acknowledge);
  }

  flush(): Promise<void> {
    return this.#stream.flush();
  }

  close(): Promise<void> {
    return this.#stream.close();
  }

  stats(): AuditSinkStats {
    return this.#stream.stats();
  }

  /** Configuration only: a sink holds no secret, but its pseudonymisation key is one. */
  [inspect.custom](): string {
    return `CloudWatchLogsAuditSink { logStreamName: ${JSON.stringify(this.logStreamName)} }`;
  }

  toJSON(): { logStreamName: string } {
    return { logStreamName: this.logStreamName };
  }
}
