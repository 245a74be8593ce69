import { inspect } from 'node:util';
import { ValidationError, show } from '../errors';
import { generatePassword, type PasswordPolicy } from './password';
// The database secret shape is one rule, in lib/core; re-exported where it always was.
import { DEFAULT_PORTS, type DatabaseEngine, type DatabaseSecretJson } from '../core';
export { DEFAULT_PORTS, type DatabaseEngine, type DatabaseSecretJson };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$.-]*$/;
// Stricter than "no whitespace": names, IPv4 and (bracketed) IPv6 only, so a host can never
// smuggle '/', '@', '?' or ';' into a connection URI or JDBC string built from the secret.
const HOST = /^[A-Za-z0-9.:[\]_-]+$/;

/** What a database credential needs. Every field comes from here, never from `process.env`. */
export interface DatabaseCredentialsInput {
  readonly engine: DatabaseEngine;
  /** Host name or IP address. */
  readonly host: string;
  /**
   * TCP port.
   * @default - the engine's standard port (DEFAULT_PORTS)
   */
  readonly port?: number;
  /**
   * Database name.
   * @default - none (the engine's default database for the user)
   */
  readonly dbname?: string;
  readonly username: string;
  /**
   * How to generate the password.
   * @default - the default PasswordPolicy: 32 characters, safe in URIs, .pgpass, JDBC and shells
   */
  readonly password?: PasswordPolicy;
}

/**
 * A database credential. Logging or serialising it shows everything but the password;
 * `toSecretString()` is the one way to get the JSON to store. The password is also not an
 * enumerable property, so `{ ...credentials }` or `Object.entries` do not copy it out.
 * @example
 * const credentials = generateDatabaseCredentials({ engine: 'postgres', host: 'db.internal', username: 'app' });
 * JSON.stringify(credentials); // {"engine":"postgres",...,"password":"[REDACTED]"}
 * await secrets.put('prod/app/db', credentials.toSecretString());
 */
export class DatabaseCredentials {
  readonly engine: DatabaseEngine;
  readonly host: string;
  readonly port: number;
  readonly dbname: string | undefined;
  readonly username: string;
  // Declared, not initialised, so it can be defined non-enumerable in the constructor.
  declare readonly password: string;

  constructor(fields: DatabaseSecretJson) {
    this.engine = fields.engine;
    this.host = fields.host;
    this.port = fields.port;
    this.dbname = fields.dbname;
    this.username = fields.username;
    Object.defineProperty(this, 'password', { value: fields.password, enumerable: false });
  }

  /** The JSON to store in Secrets Manager, password included. */
  toSecretString(): string {
    return JSON.stringify(this.shape(this.password));
  }

  /** The same shape with the password as `[REDACTED]`, for logs. */
  toJSON(): DatabaseSecretJson {
    return this.shape('[REDACTED]');
  }

  /** Redacted, like `toJSON()`. */
  [inspect.custom](): string {
    return `DatabaseCredentials ${inspect(this.toJSON())}`;
  }

  private shape(password: string): DatabaseSecretJson {
    return {
      engine: this.engine,
      host: this.host,
      port: this.port,
      username: this.username,
      password,
      ...(this.dbname === undefined ? {} : { dbname: this.dbname }),
    };
  }
}

function checkIdentifier(value: unknown, field: string, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 128 || !IDENTIFIER.test(value)) {
    throw new ValidationError(
      field,
      `${field} ${show(value)} must be 1 to 128 characters: a letter or _ first, then letters, digits, _ $ . -`,
    );
  }
  return value;
}

/**
 * A database credential with a newly generated password.
 * @example
 * const credentials = generateDatabaseCredentials({ engine: 'postgres', host: 'db.internal', dbname: 'app', username: 'app' });
 * await secrets.put('prod/app/db', credentials);
 */
export function generateDatabaseCredentials(input: DatabaseCredentialsInput): DatabaseCredentials {
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError('database', 'Database credentials need { engine, host, username }.');
  }
  const engine = input.engine;
  if (typeof engine !== 'string' || !Object.hasOwn(DEFAULT_PORTS, engine)) {
    throw new ValidationError(
      'engine',
      `engine ${show(engine)} is not one of ${Object.keys(DEFAULT_PORTS).join(', ')}.`,
    );
  }
  const host = input.host;
  if (typeof host !== 'string' || host.length === 0 || host.length > 253 || !HOST.test(host)) {
    throw new ValidationError(
      'host',
      `host ${show(host)} must be a host name or IP address: 1 to 253 characters of A-Z a-z 0-9 . : [ ] _ -`,
    );
  }
  const port = input.port ?? DEFAULT_PORTS[engine];
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ValidationError('port', `port must be an integer from 1 to 65535, got ${show(port)}.`);
  }
  const username = checkIdentifier(input.username, 'username', true)!;
  const dbname = checkIdentifier(input.dbname, 'dbname', false);
  const password = generatePassword(input.password);
  return new DatabaseCredentials({
    engine,
    host,
    port,
    username,
    password,
    ...(dbname === undefined ? {} : { dbname }),
  });
}
