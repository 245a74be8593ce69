import { isIP } from 'node:net';
import type { Connection, ConnectionOptions } from 'mysql2/promise';
import { isMysqlAuthError, type DatabaseSecret } from '../../lib/core';
import { RotationFailure } from '../errors';
import type { DatabaseDriver, DatabaseSession } from './driver';
import { mysql2Module } from './driver-modules';
import type { ConnectionSettings } from './secret';
import { unreachable } from './unreachable';

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
 * Rewrites one line of SHOW GRANTS for `source` into the same statement for `target`, or
 * undefined for lines that must not be copied (proxy grants) or do not name `source`.
 * Grants end in ` TO <account>`, default roles in ` FOR <account>`, and MySQL 8's partial
 * revokes (`partial_revokes`) in ` FROM <account>`: a clone without those would hold more
 * than its source.
 */
export function retargetGrant(line: string, source: string, target: string): string | undefined {
  if (/^GRANT PROXY /i.test(line)) return undefined;
  // MariaDB prints the password hash on the USAGE line; the target gets its own password.
  const withoutAuth = line
    .replace(/ IDENTIFIED (BY PASSWORD|VIA|WITH) .*?(?= WITH | REQUIRE |$)/i, '')
    .replace(/ IDENTIFIED BY PASSWORD '[^']*'/i, '');
  for (const keyword of [' TO ', ' FOR ', ' FROM ']) {
    const at = withoutAuth.lastIndexOf(`${keyword}${source}`);
    if (at >= 0) {
      const end = at + keyword.length + source.length;
      return `${withoutAuth.slice(0, at)}${keyword}${target}${withoutAuth.slice(end)}`;
    }
  }
  return undefined;
}

/**
 * The statements that give `target` what the SHOW GRANTS `lines` of `source` say, in their
 * order (grants before the revokes that restrict them). Every line but a proxy grant must
 * be copied: a line in a form this does not know (names quoted otherwise, a new clause)
 * would leave the target without a grant, so it fails with DATABASE_ERROR instead, naming
 * how many lines it could not read (never the lines: they carry password hashes).
 */
export function grantCopies(lines: readonly string[], source: string, target: string): string[] {
  const copies: string[] = [];
  let unread = 0;
  for (const line of lines) {
    const copy = retargetGrant(line, source, target);
    if (copy !== undefined) copies.push(copy);
    else if (!/^GRANT PROXY /i.test(line)) unread += 1;
  }
  if (unread > 0 || copies.length === 0) {
    throw new RotationFailure(
      'DATABASE_ERROR',
      `SHOW GRANTS for the current user gave ${lines.length} line(s), of which ${unread} name it in a form keystage cannot copy; no grant was copied to the alternate user. Check that the server prints accounts as \`user\`@\`host\`.`,
    );
  }
  return copies;
}

/**
 * sql_mode flags under which SHOW GRANTS quotes names with " instead of backticks:
 * ANSI_QUOTES and the combinations that include it (MariaDB lists both the combination and
 * its parts, and setting the combination again would bring ANSI_QUOTES back).
 */
const ANSI_QUOTING = new Set(['ANSI_QUOTES', 'ANSI', 'DB2', 'MAXDB', 'MSSQL', 'ORACLE', 'POSTGRESQL']);

/** `mode` without the flags that change how SHOW GRANTS quotes names. */
export function withoutAnsiQuoting(mode: string): string {
  return mode
    .split(',')
    .filter((flag) => flag !== '' && !ANSI_QUOTING.has(flag.trim().toUpperCase()))
    .join(',');
}

class MysqlSession implements DatabaseSession {
  constructor(
    private readonly connection: Connection,
    private readonly settings: ConnectionSettings,
  ) {}

  private async run(
    what: string,
    sql: string,
    values: unknown[] = [],
  ): Promise<Array<Record<string, unknown>>> {
    try {
      const [rows] = await this.connection.query({ sql, values, timeout: this.settings.queryTimeoutMs });
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
    await this.quoteNamesWithBackticks();
    const grants = await this.run('read the current grants', `SHOW GRANTS FOR ${account(source)}`);
    const lines = grants.map((row) => String(Object.values(row)[0]));
    for (const copy of grantCopies(lines, account(source), account(user))) {
      await this.run('copy a grant', copy);
    }
    await this.run(
      'set the alternate password',
      `ALTER USER ${account(user)} IDENTIFIED BY ${literal} ACCOUNT UNLOCK`,
    );
  }

  /**
   * SHOW GRANTS quotes names as the session's sql_mode says: with ANSI_QUOTES (or ANSI,
   * ORACLE...) in "double quotes", with sql_quote_show_create=0 not at all. retargetGrant
   * reads backticks, so the master session drops those settings first.
   */
  private async quoteNamesWithBackticks(): Promise<void> {
    const [row] = await this.run('read sql_mode', 'SELECT @@SESSION.sql_mode AS mode');
    await this.run('set sql_mode', 'SET SESSION sql_mode = ?, SESSION sql_quote_show_create = 1', [
      withoutAnsiQuoting(String(row?.mode ?? '')),
    ]);
  }

  /**
   * What the logged-in user may do, from information_schema (each user sees its own rows):
   * global, database, table and column privileges and roles, each as a statement-like text
   * without the user's name, so two users' lists compare. Routine privileges are not there.
   */
  private async privileges(): Promise<Set<string>> {
    const [who] = await this.run('read the current user', 'SELECT CURRENT_USER() AS account');
    const account = String(who?.account);
    const at = account.lastIndexOf('@');
    // information_schema's GRANTEE form; a user that may read mysql.* sees everyone's rows.
    const grantee = `'${account.slice(0, at)}'@'${account.slice(at + 1)}'`;
    const rows = await this.run(
      'read the privileges',
      `SELECT '' AS db, '' AS tbl, '' AS col, PRIVILEGE_TYPE AS what, IS_GRANTABLE AS grantable
         FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?
       UNION ALL SELECT TABLE_SCHEMA, '', '', PRIVILEGE_TYPE, IS_GRANTABLE
         FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?
       UNION ALL SELECT TABLE_SCHEMA, TABLE_NAME, '', PRIVILEGE_TYPE, IS_GRANTABLE
         FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ?
       UNION ALL SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, PRIVILEGE_TYPE, IS_GRANTABLE
         FROM information_schema.COLUMN_PRIVILEGES WHERE GRANTEE = ?`,
      [grantee, grantee, grantee, grantee],
    );
    const roles = await this.run(
      'read the roles',
      'SELECT ROLE_NAME AS role, IS_GRANTABLE AS grantable, IS_DEFAULT AS isDefault FROM information_schema.APPLICABLE_ROLES',
    );
    const held = new Set<string>();
    const add = (text: string, grantable: unknown) => {
      held.add(text);
      // WITH GRANT OPTION covers the same privilege without it.
      if (String(grantable).toUpperCase() === 'YES') held.add(`${text} WITH GRANT OPTION`);
    };
    for (const { db, tbl, col, what, grantable } of rows) {
      const on =
        db === ''
          ? '*.*'
          : `${quoteIdentifier(String(db))}.${tbl === '' ? '*' : quoteIdentifier(String(tbl))}`;
      add(`${String(what)}${col === '' ? '' : ` (${quoteIdentifier(String(col))})`} ON ${on}`, grantable);
    }
    for (const { role, grantable, isDefault } of roles) {
      const name = quoteIdentifier(String(role));
      add(`ROLE ${name}`, grantable);
      if (String(isDefault).toUpperCase() === 'YES') held.add(`DEFAULT ROLE ${name}`);
    }
    return held;
  }

  async check({ accessOf }: { actsAs?: string; accessOf?: DatabaseSecret }): Promise<void> {
    await this.run('run the test query', 'SELECT CURRENT_USER() AS acting, DATABASE() AS db');
    if (accessOf === undefined) return;
    // MySQL has no role membership that makes one user act as another: the alternate holds
    // the current user's access only if the grants were all copied. Compare what each holds.
    const reference = await login(accessOf, this.settings);
    if (reference === undefined) {
      throw new RotationFailure(
        'TEST_FAILED',
        'AWSCURRENT no longer logs in, so the pending user cannot be shown to hold its privileges; AWSCURRENT is unchanged. Set its password by hand and rotate again.',
      );
    }
    let needed: Set<string>;
    try {
      needed = await reference.privileges();
    } finally {
      await reference.close().catch(() => undefined);
    }
    const held = await this.privileges();
    const missing = [...needed].filter((privilege) => !held.has(privilege)).sort();
    if (missing.length > 0) {
      throw new RotationFailure(
        'TEST_FAILED',
        `The pending user lacks ${missing.length} privilege(s) the current user holds, e.g. ${missing.slice(0, 3).join('; ')}: its grants were not all copied. AWSCURRENT is unchanged.`,
      );
    }
  }

  async close(): Promise<void> {
    await this.connection.end();
  }
}

async function login(
  secret: DatabaseSecret,
  settings: ConnectionSettings,
): Promise<MysqlSession | undefined> {
  if (secret.ssl && isIP(secret.host) !== 0) {
    // mysql2 sends no server name for an address, and Node then checks the certificate
    // against the name "localhost": any certificate for localhost would pass, and one made
    // for the address never does. Refused before connecting, so no password is sent.
    throw new RotationFailure(
      'INVALID_SECRET',
      `The secret's "host" is an IP address (${secret.host}), against which mysql2 cannot verify the server's TLS certificate; put the server's DNS name (the one its certificate names) in "host", or set "ssl": false on a network where TLS is not needed.`,
    );
  }
  const options: ConnectionOptions = {
    host: secret.host,
    port: secret.port,
    user: secret.username,
    password: secret.password,
    connectTimeout: settings.connectTimeoutMs,
    charset: 'utf8mb4',
    ...(secret.dbname === undefined ? {} : { database: secret.dbname }),
    // The chain against the runtime's CAs (Node's bundle plus NODE_EXTRA_CA_CERTS) and, with
    // verifyIdentity, the certificate's names against the host: mysql2 checks no name without it.
    ...(secret.ssl ? { ssl: { rejectUnauthorized: true, verifyIdentity: true } } : {}),
  };
  const { createConnection } = mysql2Module();
  let connection: Connection;
  try {
    connection = await createConnection(options);
  } catch (error) {
    if (isMysqlAuthError(error)) return undefined;
    const errno = (error as { errno?: unknown }).errno;
    if (typeof errno === 'number' && errno > 0) {
      throw new RotationFailure('DATABASE_ERROR', `MySQL refused the connection (error ${errno}).`, {
        cause: error,
      });
    }
    throw unreachable('MySQL', secret, settings, error);
  }
  connection.on('error', () => undefined);
  try {
    // An expired password logs in to a sandbox where every statement fails (1820): for a
    // rotation that credential does not log in either.
    await connection.query({ sql: 'SELECT 1', timeout: settings.queryTimeoutMs });
  } catch (error) {
    connection.destroy();
    if (isMysqlAuthError(error)) return undefined;
    throw statementFailed('run a first statement', error);
  }
  return new MysqlSession(connection, settings);
}

/**
 * MySQL 8 and MariaDB over `mysql2`: TLS verified (chain and host name; the host must then be a
 * DNS name) unless the secret says `"ssl": false`.
 */
export const mysqlDriver: DatabaseDriver = {
  engines: ['mysql', 'mariadb'],
  defaultPort: 3306,
  // MySQL 5.7+ allows 32 characters, MariaDB 80; 32 fits both.
  nameLimit: 32,
  login,
};
