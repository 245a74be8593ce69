import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { checkServerIdentity } from 'node:tls';
import type { Client, ClientConfig } from 'pg';
import { isPgAuthError, type DatabaseSecret } from '../../lib/core';
import { RotationFailure } from '../errors';
import type { DatabaseDriver, DatabaseSession } from './driver';
import { pgModule } from './driver-modules';
import type { ConnectionSettings } from './secret';
import { unreachable } from './unreachable';

const SCRAM_ITERATIONS = 4096;

/**
 * A SCRAM-SHA-256 verifier for `password` (RFC 5802/7677, PostgreSQL's stored format).
 * ALTER ROLE stores it as is, so the plaintext never travels in a statement and never
 * reaches the server's statement log. keystage passwords are ASCII, where SASLprep is the
 * identity.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, SCRAM_ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

function statementFailed(what: string, error: unknown): RotationFailure {
  // A driver message can quote the statement; keep only the SQLSTATE.
  const code = (error as { code?: unknown }).code;
  return new RotationFailure(
    'DATABASE_ERROR',
    `PostgreSQL refused to ${what}${typeof code === 'string' ? ` (SQLSTATE ${code})` : ''}.`,
    { cause: error },
  );
}

const escapeIdentifier = (name: string) => pgModule().escapeIdentifier(name);
const escapeLiteral = (text: string) => pgModule().escapeLiteral(text);

class PostgresSession implements DatabaseSession {
  constructor(private readonly client: Client) {}

  private async run(
    what: string,
    sql: string,
    params: unknown[] = [],
  ): Promise<Array<Record<string, unknown>>> {
    try {
      return (await this.client.query(sql, params)).rows as Array<Record<string, unknown>>;
    } catch (error) {
      throw statementFailed(what, error);
    }
  }

  async setOwnPassword(password: string): Promise<void> {
    await this.run(
      'change the password',
      `ALTER ROLE CURRENT_USER WITH PASSWORD ${escapeLiteral(scramVerifier(password))}`,
    );
  }

  async prepareAlternate({
    base,
    user,
    password,
  }: {
    base: string;
    user: string;
    password: string;
  }): Promise<void> {
    if (user !== base) {
      const exists = await this.run('look up the role', 'SELECT 1 FROM pg_roles WHERE rolname = $1', [user]);
      if (exists.length === 0)
        await this.run('create the alternate role', `CREATE ROLE ${escapeIdentifier(user)} LOGIN`);
      // The clone acts as the base user: it holds the base's privileges (present and
      // future grants alike) and everything it creates is owned by the base, so either
      // user can use what the other made.
      const member = await this.run(
        'check role membership',
        'SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE r.rolname = $1 AND u.rolname = $2',
        [base, user],
      );
      if (member.length === 0)
        await this.run('grant the base role', `GRANT ${escapeIdentifier(base)} TO ${escapeIdentifier(user)}`);
      await this.run(
        'set the default role',
        `ALTER ROLE ${escapeIdentifier(user)} SET role = ${escapeLiteral(base)}`,
      );
    }
    await this.run(
      'set the alternate password',
      `ALTER ROLE ${escapeIdentifier(user)} WITH LOGIN PASSWORD ${escapeLiteral(scramVerifier(password))}`,
    );
  }

  async check({ actsAs }: { actsAs?: string }): Promise<void> {
    const rows = await this.run(
      'run the test query',
      'SELECT current_user AS acting, current_database() AS db',
    );
    const acting = rows[0]?.acting;
    if (actsAs !== undefined && acting !== actsAs) {
      throw new RotationFailure(
        'TEST_FAILED',
        `The pending user acts as ${JSON.stringify(acting)}, not as ${JSON.stringify(actsAs)}: what it creates would not be shared.`,
      );
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/**
 * TLS that verifies the certificate chain against the runtime's CAs (Node's bundle plus
 * NODE_EXTRA_CA_CERTS, which the CDK construct sets to the Lambda runtime's RDS bundle) and the
 * certificate's names against the secret's host. pg passes these options to tls.connect;
 * the identity check is spelled out so it holds for an IP address too, whatever the pg
 * version (a tls.connect without `host` or `servername` checks the name "localhost").
 */
function verifiedTls(host: string): NonNullable<ClientConfig['ssl']> {
  return { rejectUnauthorized: true, checkServerIdentity: (_name, cert) => checkServerIdentity(host, cert) };
}

/** PostgreSQL over `pg`: TLS verified (chain and host name) unless the secret says `"ssl": false`. */
export const postgresDriver: DatabaseDriver = {
  engines: ['postgres'],
  defaultPort: 5432,
  nameLimit: 63,
  async login(secret: DatabaseSecret, settings: ConnectionSettings): Promise<DatabaseSession | undefined> {
    const config: ClientConfig = {
      host: secret.host,
      port: secret.port,
      user: secret.username,
      password: secret.password,
      database: secret.dbname ?? 'postgres',
      ssl: secret.ssl ? verifiedTls(secret.host) : false,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      query_timeout: settings.queryTimeoutMs,
      statement_timeout: settings.queryTimeoutMs,
      application_name: 'keystage-rotation',
    };
    const client = new (pgModule().Client)(config);
    // A connection that dies later (server restart) must not crash the function.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return new PostgresSession(client);
    } catch (error) {
      await client.end().catch(() => undefined);
      if (isPgAuthError(error)) return undefined;
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
        throw new RotationFailure('DATABASE_ERROR', `PostgreSQL refused the connection (SQLSTATE ${code}).`, {
          cause: error,
        });
      }
      throw unreachable('PostgreSQL', secret, settings, error);
    }
  },
};
