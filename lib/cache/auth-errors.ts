/**
 * Predicates for `withSecret`: does this error mean the credential was refused, so a
 * rotated secret should be re-read? Only authentication failures qualify; a network error
 * or a syntax error must not trigger a refresh.
 */

interface DriverError {
  readonly code?: unknown;
  readonly errno?: unknown;
}

/**
 * node-postgres (`pg`): SQLSTATE 28P01 invalid_password, 28000 invalid_authorization_specification.
 * @example
 * await cache.withSecret('prod/db', connect, { isAuthError: isPgAuthError });
 */
export function isPgAuthError(error: unknown): boolean {
  const code = (error as DriverError | null)?.code;
  return code === '28P01' || code === '28000';
}

/**
 * mysql2: ER_ACCESS_DENIED_ERROR (1045), ER_DBACCESS_DENIED_ERROR (1044), and the
 * expired-password error ER_MUST_CHANGE_PASSWORD_LOGIN (1862).
 * @example
 * await cache.withSecret('prod/db', connect, { isAuthError: isMysqlAuthError });
 */
export function isMysqlAuthError(error: unknown): boolean {
  const { code, errno } = (error ?? {}) as DriverError;
  return (
    code === 'ER_ACCESS_DENIED_ERROR' ||
    code === 'ER_DBACCESS_DENIED_ERROR' ||
    code === 'ER_MUST_CHANGE_PASSWORD_LOGIN' ||
    errno === 1045 ||
    errno === 1044 ||
    errno === 1862
  );
}

/** Either driver's authentication failure: the default for `withSecret`. */
export function isDatabaseAuthError(error: unknown): boolean {
  return isPgAuthError(error) || isMysqlAuthError(error);
}
