/**
 * Structured JSON log lines, one per event, to stdout (CloudWatch Logs in Lambda). Fields
 * are ids, steps, stages, reasons and durations: callers never pass a value, and `fail`
 * logs an error's name, code and message only (messages here never carry values either).
 */
export interface RotationLog {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

export type LogSink = (line: string) => void;

const stdout: LogSink = (line) => void process.stdout.write(`${line}\n`);

/** A log that writes JSON lines with `base` fields (secret id, token, step) on each. */
export function jsonLog(base: Readonly<Record<string, unknown>>, sink: LogSink = stdout): RotationLog {
  const write = (level: string) => (message: string, fields?: Readonly<Record<string, unknown>>) =>
    sink(JSON.stringify({ time: new Date().toISOString(), level, message, ...base, ...fields }));
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

/** Log-safe fields of an error: never the cause chain's payloads. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: typeof error };
  const { code, reason, errno } = error as { code?: unknown; reason?: unknown; errno?: unknown };
  return {
    error: error.name,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(typeof reason === 'string' ? { reason } : {}),
    ...(typeof errno === 'number' ? { errno } : {}),
    errorMessage: error.message,
  };
}
