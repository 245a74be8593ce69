import { parseDatabaseSecret as parseSecret, type DatabaseSecret } from '../../lib/core';
import { isKeystageError } from '../../lib/errors';
import { RotationFailure } from '../errors';
import { databaseTimeoutsFromEnv, type Environment } from '../config';

/** How long to wait for the database. Both far below the Lambda timeout. */
export interface ConnectionSettings {
  /** @default 5000 (`DB_CONNECT_TIMEOUT_MS`) */
  readonly connectTimeoutMs: number;
  /** @default 10000 (`DB_QUERY_TIMEOUT_MS`) */
  readonly queryTimeoutMs: number;
}

/**
 * The settings from `DB_CONNECT_TIMEOUT_MS` and `DB_QUERY_TIMEOUT_MS`, by the environment contract.
 * @example
 * export const handler = createRotationHandler(
 *   postgresSingleStrategy({ connection: connectionSettingsFromEnv(process.env) }),
 * );
 */
export function connectionSettingsFromEnv(env: Environment): ConnectionSettings {
  return databaseTimeoutsFromEnv(env);
}

/**
 * Parses a stored database secret by keystage's one rule for the shape (lib/core), for a
 * function that rotates `engines`: a value that breaks the rule is an INVALID_SECRET failure
 * whose message names the stage and the field, never a value.
 */
export function parseDatabaseSecret(
  text: string,
  stage: string,
  engines: readonly string[],
  defaultPort: number,
): DatabaseSecret {
  try {
    return parseSecret(text, { engines, defaultPort, subject: `The ${stage} value` });
  } catch (error) {
    if (isKeystageError(error, 'VALIDATION_ERROR'))
      throw new RotationFailure('INVALID_SECRET', error.message);
    throw error;
  }
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
