import { createConnection, type Connection, type ConnectionOptions } from 'mysql2/promise';
import { RotationFailure } from '../errors';
import type { DatabaseDriver, DatabaseSession } from './driver';
import type { ConnectionSettings, DatabaseSecret } from './secret';

/**
 * Server errors that mean "these credentials do not log in": access denied (1045, 1698),
 * no access to the secret's database (1044), password expired (1820, 1862), account
 * locked (3118, MariaDB 4151).
 */
const LOGIN_REFUSED = new Set([1044, 1045, 1698, 1820, 1862, 3118, 4151]);

/** A string literal for `sql_mode`: quotes doubled, and backslashes too unless the server treats them as plain. */
export function quoteString(value: string, noBackslashEscapes: boolean): string {
  if (value.includes('\u0000'))
    throw new RotationFailure('INVALID_SECRET', 'A password may not contain NUL.');
  const escaped = noBackslashEscapes ? value : value.replace(/\\/g, '\\\\');
  return `'${escaped.replace(/'/g, "''")}'`;
}

/** An identifier in backticks, backticks doubled. */
export function quoteIdentifier(value: string): string {
  return `\`${value.replace(/`/g, '``')}\``;
}

function statementFailed(what: string, error: unknown): RotationFailure {
  // The server's message can quote the statement (and so a password); keep the numbers.
  const errno = (error as { errno?: unknown }).errno;
  return new RotationFailure(
    'DATABASE_ERROR',
    `MySQL refused to ${what}${typeof errno === 'number' ? ` (error ${errno})` : ''}.`,
    { cause: error },
  );
}

/**
 * Rewrites one line of SHOW GRANTS for `source` into the same grant for `target`, or
 * undefined for lines that must not be copied (proxy grants, password clauses alone).
 */
export function retargetGrant(line: string, source: string, target: string): string | undefined {
  if (/^GRANT PROXY /i.test(line)) return undefined;
  // MariaDB prints the password hash on the USAGE line; the target gets its own password.
  const withoutAuth = line
    .replace(/ IDENTIFIED (BY PASSWORD|VIA|WITH) .*?(?= WITH | REQUIRE |$)/i, '')
    .replace(/ IDENTIFIED BY PASSWORD '[^']*'/i, '');
  for (const keyword of [' TO ', ' FOR ']) {
    const at = withoutAuth.lastIndexOf(`${keyword}${source}`);
    if (at >= 0) {
      const end = at + keyword.length + source.length;
      return `${withoutAuth.slice(0, at)}${keyword}${target}${withoutAuth.slice(end)}`;
    }
  }
  return undefined;
}

class MysqlSession implements DatabaseSession {
  constructor(
    private readonly connection: Connection,
    private readonly timeoutMs: number,
  ) {}

  private async run(
    what: string,
    sql: string,
    values: unknown[] = [],
  ): Promise<Array<Record<string, unknown>>> {
    try {
      const [rows] = await this.connection.query({ sql, values, timeout: this.timeoutMs });
      return Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [];
    } catch (error) {
      throw statementFailed(what, error);
    }
  }

  private async noBackslashEscapes(): Promise<boolean> {
    const rows = await this.run('read sql_mode', 'SELECT @@SESSION.sql_mode AS mode');
    return String(rows[0]?.mode ?? '').includes('NO_BACKSLASH_ESCAPES');
  }

  async setOwnPassword(password: string): Promise<void> {
    // The server takes no placeholder in IDENTIFIED BY, so the literal is quoted for the session's sql_mode.
    const literal = quoteString(password, await this.noBackslashEscapes());
    // A user may change its own password without privileges only in each server's own form:
    // MariaDB's SET PASSWORD (ALTER USER needs CREATE USER there), MySQL 8's ALTER USER USER().
    const [row] = await this.run('read the server version', 'SELECT VERSION() AS version');
    const statement = String(row?.version).includes('MariaDB')
      ? `SET PASSWORD = PASSWORD(${literal})`
      : `ALTER USER USER() IDENTIFIED BY ${literal}`;
    await this.run('change the password', statement);
  }

  private async hostOf(user: string): Promise<string> {
    const rows = await this.run('look up the user', 'SELECT Host AS host FROM mysql.user WHERE User = ?', [
      user,
    ]);
    const hosts = rows.map((row) => String(row.host));
    if (hosts.length === 1) return hosts[0]!;
    if (hosts.includes('%')) return '%';
    throw new RotationFailure(
      'INVALID_SECRET',
      hosts.length === 0
        ? `The database has no user ${JSON.stringify(user)}.`
        : `User ${JSON.stringify(user)} exists for several hosts and none is '%'; keystage cannot tell which account the app uses.`,
    );
  }

  async prepareAlternate({
    source,
    user,
    password,
  }: {
    base: string;
    source: string;
    user: string;
    password: string;
  }): Promise<void> {
    const host = await this.hostOf(source);
    const account = (name: string) => `${quoteIdentifier(name)}@${quoteIdentifier(host)}`;
    const literal = quoteString(password, await this.noBackslashEscapes());
    await this.run(
      'create the alternate user',
      `CREATE USER IF NOT EXISTS ${account(user)} IDENTIFIED BY ${literal}`,
    );
    // MySQL has no owners: both users work with the same objects when they hold the same
    // grants. Copy the current user's grants (only ever adding), so a grant made to either
    // user between rotations reaches both.
    const grants = await this.run('read the current grants', `SHOW GRANTS FOR ${account(source)}`);
    for (const row of grants) {
      const line = String(Object.values(row)[0]);
      const copy = retargetGrant(line, account(source), account(user));
      if (copy !== undefined) await this.run('copy a grant', copy);
    }
    await this.run(
      'set the alternate password',
      `ALTER USER ${account(user)} IDENTIFIED BY ${literal} ACCOUNT UNLOCK`,
    );
  }

  async check(): Promise<void> {
    await this.run('run the test query', 'SELECT CURRENT_USER() AS acting, DATABASE() AS db');
  }

  async close(): Promise<void> {
    await this.connection.end();
  }
}

/** MySQL 8 and MariaDB over `mysql2`: TLS verified against the system CAs unless the secret says `"ssl": false`. */
export const mysqlDriver: DatabaseDriver = {
  engines: ['mysql', 'mariadb'],
  defaultPort: 3306,
  // MySQL 5.7+ allows 32 characters, MariaDB 80; 32 fits both.
  nameLimit: 32,
  async login(secret: DatabaseSecret, settings: ConnectionSettings): Promise<DatabaseSession | undefined> {
    const options: ConnectionOptions = {
      host: secret.host,
      port: secret.port,
      user: secret.username,
      password: secret.password,
      connectTimeout: settings.connectTimeoutMs,
      charset: 'utf8mb4',
      ...(secret.dbname === undefined ? {} : { database: secret.dbname }),
      ...(secret.ssl ? { ssl: { rejectUnauthorized: true } } : {}),
    };
    let connection: Connection;
    try {
      connection = await createConnection(options);
    } catch (error) {
      const errno = (error as { errno?: unknown }).errno;
      if (typeof errno === 'number' && LOGIN_REFUSED.has(errno)) return undefined;
      if (typeof errno === 'number' && errno > 0) {
        throw new RotationFailure('DATABASE_ERROR', `MySQL refused the connection (error ${errno}).`, {
          cause: error,
        });
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new RotationFailure(
        'DATABASE_UNREACHABLE',
        `Could not connect to MySQL at ${secret.host}:${secret.port} within ${settings.connectTimeoutMs} ms: ${reason}`,
        { cause: error },
      );
    }
    connection.on('error', () => undefined);
    return new MysqlSession(connection, settings.queryTimeoutMs);
  },
};
