/**
 * The one list of "the server refused these credentials" errors. `withSecret` uses it to
 * decide that a rotated secret should be re-read (one forced refresh, one retry), and the
 * rotation drivers use it to tell "this version does not log in" (try the next one) from
 * "the database is broken" (fail the step). Two copies drifted once (MySQL 1698 and 1820
 * were in one and not the other), so both sides import these.
 *
 * Only refusals of the credential qualify: a network error, a timeout or a syntax error must
 * not trigger a refresh, and must not make a rotation fall back to another version.
 */

/**
 * PostgreSQL SQLSTATEs (Appendix A, class 28 "Invalid Authorization Specification"; the
 * class has no other codes).
 */
export const POSTGRES_LOGIN_REFUSED: Readonly<Record<string, string>> = Object.freeze({
  // invalid_authorization_specification: no pg_hba.conf entry for the user, database and
  // address, a `reject` entry, or a role that may not log in (NOLOGIN).
  '28000': 'invalid_authorization_specification',
  // invalid_password: password (or SCRAM) authentication failed. PostgreSQL also answers
  // this for an unknown role, so as not to tell which roles exist.
  '28P01': 'invalid_password',
});

/**
 * MySQL and MariaDB server error numbers, with the names MySQL's error reference gives
 * them (mysql2 sets those names as `code`; the number in `errno` is what counts, since a
 * bundled mysql2 may know fewer names).
 */
export const MYSQL_LOGIN_REFUSED: Readonly<Record<number, string>> = Object.freeze({
  // Access denied for user to the database named in the connection: the credential is
  // accepted but may not use that database (an alternate user without its grants).
  1044: 'ER_DBACCESS_DENIED_ERROR',
  // Access denied for user (using password: YES/NO): wrong password or unknown user.
  1045: 'ER_ACCESS_DENIED_ERROR',
  // Access denied for an account that authenticates without a password (unix_socket,
  // auth_socket): the password given is not what the account checks.
  1698: 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  // The password has expired and the session is in sandbox mode: it connects, but every
  // statement except SET PASSWORD fails (disconnect_on_expired_password=OFF).
  1820: 'ER_MUST_CHANGE_PASSWORD',
  // The password has expired and the server refuses the login (a client that does not
  // announce CAN_HANDLE_EXPIRED_PASSWORDS, such as mysql2, with the default settings).
  1862: 'ER_MUST_CHANGE_PASSWORD_LOGIN',
  // MySQL: the account is locked (ALTER USER ... ACCOUNT LOCK).
  3118: 'ER_ACCOUNT_HAS_BEEN_LOCKED',
  // MySQL 8.0.19+: the account is blocked after FAILED_LOGIN_ATTEMPTS wrong passwords
  // (PASSWORD_LOCK_TIME), which an app still using a rotated-out password can cause.
  3955: 'ER_USER_ACCESS_DENIED_FOR_USER_ACCOUNT_BLOCKED_BY_PASSWORD_LOCK',
  // MariaDB 10.4.3+: the account is locked. (MySQL uses 4151 for a bulk-load parse error,
  // which a login never returns; inside withSecret it costs at most one extra refresh.)
  4151: 'ER_ACCOUNT_HAS_BEEN_LOCKED',
});

const MYSQL_LOGIN_REFUSED_NAMES: ReadonlySet<string> = new Set(Object.values(MYSQL_LOGIN_REFUSED));

interface DriverError {
  readonly code?: unknown;
  readonly errno?: unknown;
}

const fieldsOf = (error: unknown): DriverError =>
  typeof error === 'object' && error !== null ? (error as DriverError) : {};

/**
 * True when a node-postgres (`pg`) error says the server refused the credentials
 * (SQLSTATE 28000 or 28P01, see {@link POSTGRES_LOGIN_REFUSED}).
 * @example
 * await cache.withSecret('prod/db', connect, { isAuthError: isPgAuthError });
 */
export function isPgAuthError(error: unknown): boolean {
  const { code } = fieldsOf(error);
  return typeof code === 'string' && Object.hasOwn(POSTGRES_LOGIN_REFUSED, code);
}

/**
 * True when a mysql2 (or MariaDB connector) error says the server refused the credentials:
 * its `errno`, or its `code` name, is in {@link MYSQL_LOGIN_REFUSED}.
 * @example
 * await cache.withSecret('prod/db', connect, { isAuthError: isMysqlAuthError });
 */
export function isMysqlAuthError(error: unknown): boolean {
  const { code, errno } = fieldsOf(error);
  return (
    (typeof errno === 'number' && Object.hasOwn(MYSQL_LOGIN_REFUSED, errno)) ||
    (typeof code === 'string' && MYSQL_LOGIN_REFUSED_NAMES.has(code))
  );
}

/**
 * Either driver's credential refusal: the default `isAuthError` of `withSecret`.
 * @example
 * if (isDatabaseAuthError(error)) await cache.invalidate('prod/db');
 */
export function isDatabaseAuthError(error: unknown): boolean {
  return isPgAuthError(error) || isMysqlAuthError(error);
}
