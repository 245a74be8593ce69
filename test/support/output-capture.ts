import { format } from 'node:util';
import type { AuditEntry, AuditSink } from '../../lib/audit/audit-event';
import type { Logger } from '../../lib/observability/logger';

/**
 * Captures everything a piece of code could show to a person: writes to stdout and stderr,
 * console calls, logger calls and audit events. `text()` is all of it as one string, to
 * search for values that must never appear.
 */
export class OutputCapture {
  private readonly chunks: string[] = [];
  readonly events: AuditEntry[] = [];
  private restore: Array<() => void> = [];

  readonly logger: Logger = {
    debug: (message, fields) => this.push('debug', message, fields),
    info: (message, fields) => this.push('info', message, fields),
    warn: (message, fields) => this.push('warn', message, fields),
    error: (message, fields) => this.push('error', message, fields),
  };

  readonly audit: AuditSink = {
    record: (event) => {
      this.events.push(event);
      this.chunks.push(JSON.stringify(event));
    },
  };

  start(): void {
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        this.chunks.push(String(chunk));
        return original(chunk as string, ...(rest as []));
      }) as typeof stream.write;
      this.restore.push(() => {
        stream.write = original;
      });
    }
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const spy = jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        this.chunks.push(format(...args));
      });
      this.restore.push(() => spy.mockRestore());
    }
  }

  stop(): void {
    for (const undo of this.restore.reverse()) undo();
    this.restore = [];
  }

  /** Adds text a test produced itself (an error's message, an inspected object). */
  add(text: string): void {
    this.chunks.push(text);
  }

  text(): string {
    return this.chunks.join('\n');
  }

  private push(level: string, message: string, fields?: Readonly<Record<string, unknown>>): void {
    this.chunks.push(`${level} ${message} ${format('%o', fields ?? {})}`);
  }
}
