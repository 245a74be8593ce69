import { ValidationError, show } from '../errors';

/**
 * The database secret shape: one rule for what keystage writes (`generateDatabaseCredentials`,
 * the CDK templates) and what it reads (the rotation functions). It is the JSON shape AWS's
 * rotation functions use, plus `ssl`.
 */

/** Database engines, spelled as AWS rotation functions expect in the secret's `engine`. */
export type DatabaseEngine = 'postgres' | 'mysql' | 'mariadb' | 'oracle' | 'sqlserver' | 'redshift';

/** Each engine's standard port: a secret without `port` means this one. */
export const DEFAULT_PORTS: Readonly<Record<DatabaseEngine, number>> = Object.freeze({
  postgres: 5432,
  mysql: 3306,
  mariadb: 3306,
  oracle: 1521,
  sqlserver: 1433,
  redshift: 5439,
});

/** The secret's JSON, as stored. Other keys are allowed and kept by rotation. */
export interface DatabaseSecretJson {
  readonly engine: DatabaseEngine;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** @default - none: the engine's default database for the user */
  readonly dbname?: string;
  /**
   * False to connect without TLS (a private network, a local server); TLS verifies the
   * server's certificate and host name otherwise.
   * @default true
   */
  readonly ssl?: boolean;
  /**
   * ARN of the master secret that manages users, for alternating-users rotation.
   * @default - none (single-user rotation needs none)
   */
  readonly masterarn?: string;
}

/** A database secret as read: defaults applied, every field checked. */
export interface DatabaseSecret {
  readonly engine: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly dbname: string | undefined;
  readonly masterarn: string | undefined;
  readonly ssl: boolean;
  /** The whole object, so a new version keeps fields keystage does not know. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** What a reader of database secrets accepts. */
export interface DatabaseSecretRules {
  /**
   * The `engine` values accepted.
   * @default - every DatabaseEngine
   */
  readonly engines?: readonly string[];
  /**
   * The port of a secret without `port`.
   * @default - the engine's DEFAULT_PORTS entry
   */
  readonly defaultPort?: number;
  /**
   * How messages name the value, e.g. `The AWSPENDING value`.
   * @default 'The database secret'
   */
  readonly subject?: string;
}

const ENGINES = Object.keys(DEFAULT_PORTS) as readonly DatabaseEngine[];

/**
 * Parses and checks a stored database secret. Throws a ValidationError whose `field` is the
 * key that is wrong (`secret` when the text is not a JSON object); messages name the field,
 * never a value of the secret (the received engine name is shown: it is not secret).
 * @example
 * const secret = parseDatabaseSecret(text, { engines: ['postgres'] });
 * connect({ host: secret.host, port: secret.port, ssl: secret.ssl });
 */
export function parseDatabaseSecret(text: string, rules: DatabaseSecretRules = {}): DatabaseSecret {
  const subject = rules.subject ?? 'The database secret';
  const invalid = (field: string, message: string) => new ValidationError(field, `${subject} ${message}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(
      'secret',
      'is not JSON: a database secret is an object with engine, host, username and password.',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('secret', 'is not a JSON object with engine, host, username and password.');
  }
  const fields = parsed as Record<string, unknown>;
  const text_ = (name: string, required: boolean): string | undefined => {
    const value = fields[name];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value === '') throw invalid(name, `needs a non-empty string "${name}".`);
    return value;
  };
  const engine = text_('engine', true)!;
  const engines = rules.engines ?? ENGINES;
  if (!engines.includes(engine)) {
    throw invalid('engine', `has engine ${show(engine)}; expected ${engines.join(' or ')}.`);
  }
  const rawPort = fields.port ?? rules.defaultPort ?? DEFAULT_PORTS[engine as DatabaseEngine];
  const port = typeof rawPort === 'string' && /^\d+$/.test(rawPort) ? Number(rawPort) : rawPort;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw invalid('port', 'has a "port" that is not a TCP port (1..65535).');
  }
  const ssl = fields.ssl ?? true;
  if (typeof ssl !== 'boolean') throw invalid('ssl', 'has an "ssl" that is not true or false.');
  return {
    engine,
    host: text_('host', true)!,
    port,
    username: text_('username', true)!,
    password: text_('password', true)!,
    dbname: text_('dbname', false),
    masterarn: text_('masterarn', false),
    ssl,
    fields,
  };
}
