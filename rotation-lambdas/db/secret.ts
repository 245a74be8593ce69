import { RotationFailure } from '../errors';
import { millisecondsFromEnv, type Environment } from '../config';

/**
 * A database secret, in the JSON shape AWS's rotation functions use, plus `ssl` (TLS is
 * required unless a secret says `"ssl": false`) and `masterarn` for alternating users.
 */
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

/** How long to wait for the database. Both far below the Lambda timeout. */
export interface ConnectionSettings {
  /** @default 5000 (`DB_CONNECT_TIMEOUT_MS`) */
  readonly connectTimeoutMs: number;
  /** @default 10000 (`DB_QUERY_TIMEOUT_MS`) */
  readonly queryTimeoutMs: number;
}

export function connectionSettingsFromEnv(env: Environment): ConnectionSettings {
  return {
    connectTimeoutMs: millisecondsFromEnv(env, 'DB_CONNECT_TIMEOUT_MS', 5_000),
    queryTimeoutMs: millisecondsFromEnv(env, 'DB_QUERY_TIMEOUT_MS', 10_000),
  };
}

const invalid = (stage: string, message: string) =>
  new RotationFailure('INVALID_SECRET', `The ${stage} value ${message}`);

/** Parses and checks a stored database secret; messages name the field, never the value. */
export function parseDatabaseSecret(
  text: string,
  stage: string,
  engines: readonly string[],
  defaultPort: number,
): DatabaseSecret {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(
      stage,
      'is not JSON: a database secret is an object with engine, host, username and password.',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid(stage, 'is not a JSON object with engine, host, username and password.');
  }
  const fields = parsed as Record<string, unknown>;
  const text_ = (name: string, required: boolean): string | undefined => {
    const value = fields[name];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value === '')
      throw invalid(stage, `needs a non-empty string "${name}".`);
    return value;
  };
  const engine = text_('engine', true)!;
  if (!engines.includes(engine)) {
    throw invalid(
      stage,
      `has engine ${JSON.stringify(engine)}; this function rotates ${engines.join(' or ')}.`,
    );
  }
  const rawPort = fields.port ?? defaultPort;
  const port = typeof rawPort === 'string' && /^\d+$/.test(rawPort) ? Number(rawPort) : rawPort;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw invalid(stage, 'has a "port" that is not a TCP port (1..65535).');
  }
  const ssl = fields.ssl ?? true;
  if (typeof ssl !== 'boolean') throw invalid(stage, 'has an "ssl" that is not true or false.');
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

/** True when two secrets name the same user on the same server. */
export function sameIdentity(a: DatabaseSecret, b: DatabaseSecret): boolean {
  return a.username === b.username && a.host === b.host && a.port === b.port;
}

export const CLONE_SUFFIX = '_clone';

/** Truncates to `limit` UTF-8 bytes without splitting a character. */
function truncateBytes(text: string, limit: number): string {
  let out = '';
  let size = 0;
  for (const ch of text) {
    size += Buffer.byteLength(ch);
    if (size > limit) break;
    out += ch;
  }
  return out;
}

/**
 * The alternate user of `base`: `<base>_clone`, with `base` cut so the name fits the
 * engine's limit (`limitBytes`: 63 for PostgreSQL, 32 for MySQL).
 */
export function cloneName(base: string, limitBytes: number): string {
  return truncateBytes(base, limitBytes - CLONE_SUFFIX.length) + CLONE_SUFFIX;
}

/**
 * The base user and the user the next version logs in as. The clone of a long name is
 * truncated, so going back to the base uses AWSPREVIOUS (which holds the other user after
 * every rotation) and falls back to removing the suffix.
 */
export function alternation(
  current: string,
  previous: string | undefined,
  limitBytes: number,
): { base: string; next: string } {
  if (previous !== undefined && cloneName(previous, limitBytes) === current)
    return { base: previous, next: previous };
  if (current.endsWith(CLONE_SUFFIX) && current.length > CLONE_SUFFIX.length) {
    // A clone at the length limit may have a longer base; only AWSPREVIOUS can tell.
    if (Buffer.byteLength(current) >= limitBytes) {
      throw new RotationFailure(
        'INVALID_SECRET',
        `The current user is a clone at the engine's name limit and AWSPREVIOUS does not name its base user; put the base user's name in AWSPREVIOUS or shorten it.`,
      );
    }
    const base = current.slice(0, -CLONE_SUFFIX.length);
    return { base, next: base };
  }
  return { base: current, next: cloneName(current, limitBytes) };
}
