import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import {
  MYSQL_LOGIN_REFUSED,
  POSTGRES_LOGIN_REFUSED,
  isMysqlAuthError,
  isPgAuthError,
  optionalPeer,
  type DatabaseSecret,
} from '../../../core';
import { failed, passed, type SecretCheck } from './check-result';

// pg and mysql2 are optional peers, loaded on the first database test: their types are named
// here structurally, so no declaration of keystage names them.

interface PgClient {
  connect(): Promise<unknown>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

interface PgModule {
  readonly Client: new (config: object) => PgClient;
}

interface MysqlConnection {
  query(options: { readonly sql: string; readonly timeout: number }): Promise<unknown>;
  end(): Promise<void>;
  destroy(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

interface Mysql2Module {
  createConnection(options: object): Promise<MysqlConnection>;
}

// Node's certificate and TLS errors and mysql2's HANDSHAKE_SSL_ERROR.
const TLS_REFUSED = /^(ERR_TLS_|ERR_SSL_|HANDSHAKE_|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|HOSTNAME_)/;

interface DriverFacts {
  readonly code: string | undefined;
  readonly errno: number | undefined;
  readonly name: string;
}

/**
 * The facts of a driver error that may be repeated: its code, number and class. Never its
 * message, which can quote the statement, the user or the server's words.
 */
function factsOf(error: unknown): DriverFacts {
  const { code, errno } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    errno?: unknown;
  };
  return {
    code: typeof code === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(code) ? code : undefined,
    errno: typeof errno === 'number' ? errno : undefined,
    name: error instanceof Error ? error.name : typeof error,
  };
}

function connectionFailure(facts: DriverFacts, timeoutMs: number): string {
  if (facts.code !== undefined && TLS_REFUSED.test(facts.code)) {
    return (
      `The TLS connection was refused (${facts.code}): the server's certificate must chain to a CA ` +
      'this process trusts (NODE_EXTRA_CA_CERTS) and name the host in the secret.'
    );
  }
  return `Could not connect within ${timeoutMs} ms (${facts.code ?? facts.name}): check the host, port and network.`;
}

function pgFailure(error: unknown, timeoutMs: number): string {
  const facts = factsOf(error);
  if (isPgAuthError(error)) {
    return `PostgreSQL refused the credentials (SQLSTATE ${facts.code} ${POSTGRES_LOGIN_REFUSED[facts.code!]}).`;
  }
  if (facts.code !== undefined && /^[0-9A-Z]{5}$/.test(facts.code)) {
    return `PostgreSQL refused the login (SQLSTATE ${facts.code}): check dbname and the user's rights.`;
  }
  return connectionFailure(facts, timeoutMs);
}

function mysqlFailure(error: unknown, timeoutMs: number): string {
  const facts = factsOf(error);
  if (isMysqlAuthError(error)) {
    const known = facts.errno === undefined ? undefined : MYSQL_LOGIN_REFUSED[facts.errno];
    return `MySQL refused the credentials (error ${facts.errno ?? facts.code}${known === undefined ? '' : ` ${known}`}).`;
  }
  if (facts.errno !== undefined && facts.errno > 0) {
    return `MySQL refused the login (error ${facts.errno}): check dbname and the user's rights.`;
  }
  return connectionFailure(facts, timeoutMs);
}

/** TLS as the rotation functions use it: the chain against the runtime's CAs, the names against the host. */
function verifiedTls(host: string): object {
  return {
    rejectUnauthorized: true,
    checkServerIdentity: (_name: string, cert: never) => checkServerIdentity(host, cert),
  };
}

async function pgLogin(secret: DatabaseSecret, timeoutMs: number): Promise<SecretCheck> {
  const pg = optionalPeer<PgModule>('pg', { needs: 'Testing a PostgreSQL or Redshift secret' });
  const client = new pg.Client({
    host: secret.host,
    port: secret.port,
    user: secret.username,
    password: secret.password,
    database: secret.dbname ?? (secret.engine === 'redshift' ? 'dev' : 'postgres'),
    ssl: secret.ssl ? verifiedTls(secret.host) : false,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'keystage-test',
  });
  // A connection that fails later must not become an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    return failed('login', pgFailure(error, timeoutMs));
  }
  try {
    await client.query('SELECT 1');
    return passed('login', 'Logged in to PostgreSQL with the credentials and ran SELECT 1.');
  } catch (error) {
    return failed('login', `Logged in, but SELECT 1 failed: ${pgFailure(error, timeoutMs)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function mysqlLogin(secret: DatabaseSecret, timeoutMs: number): Promise<SecretCheck> {
  if (secret.ssl && isIP(secret.host) !== 0) {
    // mysql2 sends no server name for an address, so no certificate could be verified against it.
    return failed(
      'login',
      'The secret asks for TLS ("ssl" is not false) and its host is an IP address, against which mysql2 ' +
        "cannot verify the server's certificate: put the DNS name the certificate names in host, or set " +
        '"ssl": false on a network that needs no TLS. No login was attempted.',
    );
  }
  const mysql = optionalPeer<Mysql2Module>('mysql2/promise', { needs: 'Testing a MySQL or MariaDB secret' });
  let connection: MysqlConnection;
  try {
    connection = await mysql.createConnection({
      host: secret.host,
      port: secret.port,
      user: secret.username,
      password: secret.password,
      connectTimeout: timeoutMs,
      charset: 'utf8mb4',
      ...(secret.dbname === undefined ? {} : { database: secret.dbname }),
      ...(secret.ssl ? { ssl: { rejectUnauthorized: true, verifyIdentity: true } } : {}),
    });
  } catch (error) {
    return failed('login', mysqlFailure(error, timeoutMs));
  }
  connection.on('error', () => undefined);
  try {
    // An expired password connects to a sandbox where every statement fails (1820).
    await connection.query({ sql: 'SELECT 1', timeout: timeoutMs });
    return passed('login', 'Logged in to MySQL with the credentials and ran SELECT 1.');
  } catch (error) {
    return failed('login', `Logged in, but SELECT 1 failed: ${mysqlFailure(error, timeoutMs)}`);
  } finally {
    await connection.end().catch(() => connection.destroy());
  }
}

/**
 * Logs in to the database a secret names, with its credentials, and runs `SELECT 1`:
 * PostgreSQL and Redshift through `pg`, MySQL and MariaDB through `mysql2` (optional peers),
 * with TLS verified unless the secret says `"ssl": false`, as the rotation functions connect.
 * A failure's reason keeps the driver's codes only, never its message.
 */
export async function databaseLogin(secret: DatabaseSecret, timeoutMs: number): Promise<SecretCheck> {
  switch (secret.engine) {
    case 'postgres':
    case 'redshift':
      return pgLogin(secret, timeoutMs);
    case 'mysql':
    case 'mariadb':
      return mysqlLogin(secret, timeoutMs);
    default:
      return failed(
        'login',
        `Not tried: keystage logs in to postgres, redshift, mysql and mariadb, and this is a ${secret.engine} secret.`,
      );
  }
}
