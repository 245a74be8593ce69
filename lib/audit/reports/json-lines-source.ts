import { createReadStream } from 'node:fs';
import { ValidationError, show } from '../../errors';
import { parseAuditLine, type AuditRecord } from './audit-record';
import { recordStream, type AuditRecordStream } from './record-stream';

const NEWLINE = 0x0a;

/** Where JSON lines come from: a file to open (again for each pass), or a stream read once. */
export type JsonLinesInput = { readonly path: string } | AsyncIterable<string | Uint8Array>;

export interface JsonLinesOptions {
  /**
   * The longest line kept, in bytes. A longer line is skipped (and counted) without being
   * held in memory, so one runaway line cannot exhaust it.
   * @default 1_048_576 (1 MiB: CloudWatch Logs takes no larger event)
   */
  readonly maxLineBytes?: number;
}

const DEFAULT_MAX_LINE_BYTES = 1_048_576;

/** What {@link splitLines} yields: a line's text, or a marker for a line too long to keep. */
type Line = string | typeof TOO_LONG;
const TOO_LONG: unique symbol = Symbol('too long');

/**
 * The lines of a byte stream, holding at most one line (up to `maxBytes`) at a time.
 * Splitting bytes on `\n` is safe in UTF-8: 0x0A never occurs inside a multi-byte character.
 */
async function* splitLines(
  chunks: AsyncIterable<string | Uint8Array>,
  maxBytes: number,
): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let held = 0;
  // Inside a line already found too long: its bytes are dropped until its newline.
  let dropping = false;
  for await (const chunk of chunks) {
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE, start); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
      const piece = bytes.subarray(start, end);
      start = end + 1;
      if (dropping) {
        dropping = false;
      } else if (held + piece.length > maxBytes) {
        yield TOO_LONG;
      } else {
        yield Buffer.concat([...parts, piece]).toString('utf8');
      }
      parts = [];
      held = 0;
    }
    if (start < bytes.length && !dropping) {
      const rest = bytes.subarray(start);
      if (held + rest.length > maxBytes) {
        dropping = true;
        parts = [];
        held = 0;
        yield TOO_LONG;
      } else {
        // A copy, so the chunk it came from can be collected.
        parts.push(Buffer.from(rest));
        held += rest.length;
      }
    }
  }
  if (!dropping && held > 0) yield Buffer.concat(parts).toString('utf8');
}

function fileChunks(path: string): AsyncIterable<Buffer> {
  const stream = createReadStream(path);
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for await (const chunk of stream) yield chunk as Buffer;
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code;
        if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
          throw new ValidationError(
            'path',
            `The audit log ${show(path)} cannot be read (${String(code)}): check the path and its permissions.`,
            { cause: error },
          );
        }
        throw error;
      } finally {
        stream.destroy();
      }
    },
  };
}

function validateMaxLineBytes(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_LINE_BYTES;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError('maxLineBytes', `maxLineBytes ${show(value)} must be a positive integer.`);
  }
  return value;
}

/**
 * Audit records from JSON lines (what `JsonLinesAuditSink` writes), read line by line in
 * constant memory: one line at a time, at most `maxLineBytes` of it. Blank lines are passed
 * over; any other line that is not an audit event is skipped and counted in `skipped`,
 * never thrown and never echoed. A `path` is opened afresh on each pass; a stream can be
 * read once.
 * @throws ValidationError when `path` cannot be read (while iterating) or an option is invalid.
 * @example
 * const events = jsonLinesEvents({ path: '/var/log/keystage/audit.jsonl' });
 * const metrics = await usageMetrics(events, { secret: 'prod/billing/db', from, to });
 * if (events.skipped > 0) logger.warn('audit log has lines that are not events', { skipped: events.skipped });
 */
export function jsonLinesEvents(input: JsonLinesInput, options: JsonLinesOptions = {}): AuditRecordStream {
  const maxLineBytes = validateMaxLineBytes(options.maxLineBytes);
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError('input', `input ${show(input)} must be { path } or a stream.`);
  }
  if (!(Symbol.asyncIterator in input) && typeof input.path !== 'string') {
    throw new ValidationError('path', `path ${show(input.path)} must be a file path.`);
  }
  const chunks = (): AsyncIterable<string | Uint8Array> =>
    Symbol.asyncIterator in input ? input : fileChunks(input.path);
  return recordStream(async function* (): AsyncGenerator<AuditRecord | undefined> {
    for await (const line of splitLines(chunks(), maxLineBytes)) {
      if (line === TOO_LONG) yield undefined;
      else if (line.trim() !== '') yield parseAuditLine(line);
    }
  });
}
