/**
 * The logger keystage writes through. Structured: a message plus fields. keystage never
 * passes a secret value in either; field values are ids, counts, stages and error codes.
 * Shaped to fit pino, Powertools Logger or console-like objects with a small adapter.
 * @example
 * const logger: Logger = {
 *   debug: (msg, fields) => pino.debug(fields, msg),
 *   info: (msg, fields) => pino.info(fields, msg),
 *   warn: (msg, fields) => pino.warn(fields, msg),
 *   error: (msg, fields) => pino.error(fields, msg),
 * };
 */
export interface Logger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/**
 * A logger that drops everything: the default, so a library never prints on its own.
 * @example
 * const secrets = new SecretsClient({ logger: verbose ? pinoAdapter : silentLogger });
 */
export const silentLogger: Logger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});
