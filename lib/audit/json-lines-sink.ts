import { open, type FileHandle } from 'node:fs/promises';
import { inspect } from 'node:util';
import { ValidationError } from '../errors';
import type { ChainHead, SealedAuditEvent } from './audit-chain';
import type { AuditEntry, AuditEvent, AuditSink, AuditSinkStats } from './audit-event';
import { AuditStream } from './audit-stream';
import type { AuditSinkOptions, AuditTransport, WriteOutcome } from './sink-options';
import { canonicalJson, sha256Hex } from './canonical-json';

/** Where a JSON lines sink writes: a file it appends to, or a stream. */
export interface JsonLinesAuditSinkOptions extends AuditSinkOptions {
  /**
   * A file to append to, created with mode 0600. An existing trail is continued: the first
   * event written follows the file's last event in the chain. Synced (fsync) before a
   * fail-closed read is answered and on every flush. Exactly one of `file` and `stream`.
   * @default - none: `stream` is required
   */
  readonly file?: string;
  /**
   * A stream to write lines to (`process.stdout` for a container's log collector, a socket).
   * Its own chain starts at seq 1. Exactly one of `file` and `stream`.
   * @default - none: `file` is required
   */
  readonly stream?: NodeJS.WritableStream;
}

/** How much of a file's end is read to find its last event (events are far smaller). */
const TAIL_BYTES = 2 * 1_048_576;

/** The chain head a file's last complete line leaves, and whether the file ends mid-line. */
async function tailOf(handle: FileHandle): Promise<{ head: ChainHead | undefined; torn: boolean }> {
  const { size } = await handle.stat();
  if (size === 0) return { head: undefined, torn: false };
  const length = Math.min(size, TAIL_BYTES);
  const buffer = Buffer.alloc(length);
  await handle.read(buffer, 0, length, size - length);
  const text = buffer.toString('utf8');
  const torn = !text.endsWith('\n');
  const lines = text.split('\n');
  // A line cut by a crash is not an event: the chain continues from the last whole one.
  for (let i = lines.length - (torn ? 2 : 1); i >= 0; i--) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      const event = JSON.parse(line) as AuditEvent;
      if (typeof event.seq === 'number')
        return { head: { seq: event.seq, hash: sha256Hex(canonicalJson(event)) }, torn };
    } catch {
      // Not an event (the start of a long line cut off by the tail, or foreign text): look further up.
    }
  }
  return { head: undefined, torn };
}

/** The events' lines, each ending in a newline, as one flat string (no rope of thousands of pieces). */
function linesText(events: readonly SealedAuditEvent[]): string {
  const lines: string[] = new Array(events.length + 1);
  for (let i = 0; i < events.length; i++) lines[i] = events[i]!.line;
  lines[events.length] = '';
  return lines.join('\n');
}

class FileTransport implements AuditTransport {
  readonly name: string;
  readonly maxEventBytes = 1_048_576;
  readonly #path: string;
  #handle: FileHandle | undefined;
  #torn = false;

  constructor(path: string) {
    this.#path = path;
    this.name = `JsonLinesAuditSink(${path})`;
  }

  async open(): Promise<ChainHead | undefined> {
    this.#handle = await open(this.#path, 'a+', 0o600);
    const tail = await tailOf(this.#handle);
    this.#torn = tail.torn;
    return tail.head;
  }

  async write(events: readonly SealedAuditEvent[], durable: boolean): Promise<WriteOutcome> {
    const handle = this.#handle!;
    const data = Buffer.from((this.#torn ? '\n' : '') + linesText(events), 'utf8');
    try {
      // An append-mode handle writes at the end whatever the position; a short write continues.
      for (let offset = 0; offset < data.length;) {
        offset += (await handle.write(data, offset, data.length - offset)).bytesWritten;
      }
      this.#torn = false;
      if (durable) await handle.datasync();
      return { written: events.length, rejected: [] };
    } catch (error) {
      return { written: 0, rejected: [], error };
    }
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle === undefined) return;
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }
}

class StreamTransport implements AuditTransport {
  readonly name = 'JsonLinesAuditSink(stream)';
  readonly maxEventBytes = 1_048_576;
  readonly #stream: NodeJS.WritableStream;

  constructor(stream: NodeJS.WritableStream) {
    this.#stream = stream;
  }

  write(events: readonly SealedAuditEvent[]): Promise<WriteOutcome> {
    const text = linesText(events);
    return new Promise((resolve) => {
      // The callback comes once the stream has handed the data on, or with its error.
      this.#stream.write(text, (error?: Error | null) =>
        resolve(error ? { written: 0, rejected: [], error } : { written: events.length, rejected: [] }),
      );
    });
  }
}

/**
 * Audit events as JSON lines (one canonical JSON event per line) in a file or on a stream:
 * for a container's log collector, a SIEM agent that tails a file, or the local endpoint's
 * tour. Same chain, checkpoints, pseudonymisation, buffer and fail-open / fail-closed
 * behaviour as the CloudWatch Logs sink.
 * @example
 * const audit = new JsonLinesAuditSink({ file: '/var/log/keystage/audit.jsonl' });
 * const secrets = new SecretsClient({ audit });
 * // at shutdown
 * await audit.close();
 */
export class JsonLinesAuditSink implements AuditSink {
  readonly #stream: AuditStream;

  constructor(options: JsonLinesAuditSinkOptions) {
    const { file, stream } = options ?? {};
    if ((file === undefined) === (stream === undefined)) {
      throw new ValidationError('file', 'JsonLinesAuditSink needs exactly one of file (a path) and stream.');
    }
    if (file !== undefined && (typeof file !== 'string' || file === '')) {
      throw new ValidationError('file', 'file must be a non-empty path.');
    }
    if (stream !== undefined && typeof stream?.write !== 'function') {
      throw new ValidationError('stream', 'stream must be a writable stream (with write(chunk, callback)).');
    }
    this.#stream = new AuditStream(
      file === undefined ? new StreamTransport(stream!) : new FileTransport(file),
      options,
    );
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
    return 'JsonLinesAuditSink {}';
  }

  toJSON(): Record<string, never> {
    return {};
  }
}
