import { randomBytes } from 'node:crypto';
import { createConnection, type Connection } from 'mysql2/promise';
import { Client } from 'pg';
import type { RotationLog } from '../../rotation-lambdas/log';
import type { RotationStrategy, StepContext } from '../../rotation-lambdas/protocol';
import type { RotationSecrets } from '../../rotation-lambdas/secrets';
import { postgresServer } from './scram-postgres';

/** The fields of a database secret a test needs to log in. */
export interface Login {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly dbname?: string;
}

export interface User {
  readonly username: string;
  readonly password: string;
}

/** A database with a master user (manages users, like an RDS master) and an app user. */
export interface DatabaseFixture {
  readonly engine: 'postgres' | 'mariadb';
  readonly host: string;
  readonly port: number;
  readonly dbname: string;
  readonly master: User;
  readonly app: User;
  /** The JSON a secret for `user` holds (TLS off: the local servers have none). */
  secret(user: User, extra?: Record<string, unknown>): string;
  canLogin(user: User): Promise<boolean>;
  /** Runs SQL as `user` in the fixture's database. */
  as(user: User, sql: string): Promise<unknown[]>;
  /** Runs SQL as the server's superuser. */
  admin(sql: string, values?: unknown[]): Promise<unknown[]>;
  /** True when the server has a user (PostgreSQL: a role) of that name. */
  userExists(username: string): Promise<boolean>;
  cleanup(): Promise<void>;
}

const suffix = () => randomBytes(4).toString('hex');
export const password = () => `pw-${randomBytes(12).toString('base64url')}`;

async function pgQuery(login: Login, sql: string, values: unknown[] = []): Promise<unknown[]> {
  const client = new Client({
    host: login.host,
    port: login.port,
    user: login.username,
    password: login.password,
    database: login.dbname ?? 'postgres',
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as unknown[];
  } finally {
    await client.end();
  }
}

export async function postgresFixture(prefix: string): Promise<DatabaseFixture> {
  const server = postgresServer();
  const id = `${prefix}_${suffix()}`;
  const dbname = `ks_${id}`;
  const master: User = { username: `${id}_master`, password: password() };
  const app: User = { username: `${id}_app`, password: password() };
  const superuser: Login = {
    host: server.host,
    port: server.port,
    username: server.user,
    password: server.password,
  };
  const admin = (sql: string, values?: unknown[]) => pgQuery({ ...superuser, dbname }, sql, values);
  await pgQuery(superuser, `CREATE DATABASE "${dbname}"`);
  // The master is no superuser: CREATEROLE, member of the app role (as an RDS master that
  // created it would be), which is all alternating users need.
  await admin(`CREATE ROLE "${master.username}" LOGIN CREATEROLE PASSWORD '${master.password}'`);
  await admin(`CREATE ROLE "${app.username}" LOGIN PASSWORD '${app.password}'`);
  await admin(`GRANT "${app.username}" TO "${master.username}" WITH ADMIN OPTION`);
  await admin(`GRANT CREATE ON SCHEMA public TO "${app.username}"`);
  await admin(`CREATE TABLE app_owned (id int primary key, note text)`);
  await admin(`ALTER TABLE app_owned OWNER TO "${app.username}"`);
  const login = (user: User): Login => ({ host: server.host, port: server.port, dbname, ...user });
  return {
    engine: 'postgres',
    host: server.host,
    port: server.port,
    dbname,
    master,
    app,
    secret: (user, extra = {}) =>
      JSON.stringify({
        engine: 'postgres',
        host: server.host,
        port: server.port,
        dbname,
        ssl: false,
        ...user,
        ...extra,
      }),
    canLogin: async (user) => {
      try {
        await pgQuery(login(user), 'SELECT 1');
        return true;
      } catch (error) {
        if (/^28/.test(String((error as { code?: unknown }).code))) return false;
        throw error;
      }
    },
    as: (user, sql) => pgQuery(login(user), sql),
    admin,
    userExists: async (username) =>
      (await admin('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])).length > 0,
    cleanup: async () => {
      await pgQuery(superuser, `DROP DATABASE IF EXISTS "${dbname}" WITH (FORCE)`);
      const roles = (await pgQuery(superuser, 'SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [
        `${id}%`,
      ])) as Array<{ rolname: string }>;
      // Roles own nothing once the database is gone; members go before the roles they belong to.
      for (const { rolname } of roles.sort((a, b) => b.rolname.length - a.rolname.length)) {
        await pgQuery(superuser, `DROP ROLE IF EXISTS "${rolname}"`);
      }
    },
  };
}

const MYSQL: Login = {
  host: process.env.MYSQL_HOST ?? '127.0.0.1',
  port: Number(process.env.MYSQL_PORT ?? 3306),
  username: process.env.MYSQL_USER ?? 'root',
  password: process.env.MYSQL_PASSWORD ?? '',
};

async function mysqlQuery(login: Login, sql: string, values: unknown[] = []): Promise<unknown[]> {
  const connection: Connection = await createConnection({
    host: login.host,
    port: login.port,
    user: login.username,
    password: login.password,
    ...(login.dbname === undefined ? {} : { database: login.dbname }),
  });
  try {
    const [rows] = await connection.query(sql, values);
    return Array.isArray(rows) ? (rows as unknown[]) : [];
  } finally {
    await connection.end();
  }
}

export async function mysqlFixture(prefix: string): Promise<DatabaseFixture> {
  // User names stay within 32 characters even with `_clone`.
  const id = `${prefix.slice(0, 8)}${suffix()}`;
  const dbname = `ks_${id}`;
  const master: User = { username: `${id}_m`, password: password() };
  const app: User = { username: `${id}_a`, password: password() };
  const admin = (sql: string, values?: unknown[]) => mysqlQuery(MYSQL, sql, values);
  await admin(`CREATE DATABASE \`${dbname}\``);
  await admin(`CREATE USER '${master.username}'@'%' IDENTIFIED BY '${master.password}'`);
  await admin(`GRANT ALL ON *.* TO '${master.username}'@'%' WITH GRANT OPTION`);
  await admin(`CREATE USER '${app.username}'@'%' IDENTIFIED BY '${app.password}'`);
  await admin(`GRANT SELECT, INSERT, UPDATE, DELETE, CREATE ON \`${dbname}\`.* TO '${app.username}'@'%'`);
  await admin(`CREATE TABLE \`${dbname}\`.app_owned (id int primary key, note text)`);
  const login = (user: User): Login => ({ ...MYSQL, dbname, ...user });
  return {
    engine: 'mariadb',
    host: MYSQL.host,
    port: MYSQL.port,
    dbname,
    master,
    app,
    secret: (user, extra = {}) =>
      JSON.stringify({
        engine: 'mariadb',
        host: MYSQL.host,
        port: MYSQL.port,
        dbname,
        ssl: false,
        ...user,
        ...extra,
      }),
    canLogin: async (user) => {
      try {
        await mysqlQuery(login(user), 'SELECT 1');
        return true;
      } catch (error) {
        if ([1044, 1045, 1698].includes(Number((error as { errno?: unknown }).errno))) return false;
        throw error;
      }
    },
    as: (user, sql) => mysqlQuery(login(user), sql),
    admin,
    userExists: async (username) =>
      (await admin('SELECT 1 FROM mysql.user WHERE User = ?', [username])).length > 0,
    cleanup: async () => {
      await admin(`DROP DATABASE IF EXISTS \`${dbname}\``);
      const users = (await admin('SELECT User AS user, Host AS host FROM mysql.user WHERE User LIKE ?', [
        `${id}%`,
      ])) as Array<{ user: string; host: string }>;
      // MariaDB lists roles with an empty host; DROP USER passes over them without a word.
      for (const { user, host } of users)
        await admin(
          host === '' ? `DROP ROLE IF EXISTS \`${user}\`` : `DROP USER IF EXISTS '${user}'@'${host}'`,
        );
    },
  };
}

/** A step context for calling strategies directly: logs kept, master secrets served from a map. */
export function stepContext(
  masters: Record<string, string> = {},
  previous?: string,
): StepContext & { lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (message: string, fields?: object) =>
    lines.push(JSON.stringify({ level, message, ...fields }));
  const log: RotationLog = { info: write('info'), warn: write('warn'), error: write('error') };
  const secrets = {
    value: async (id: string, selector: { versionStage: string }) =>
      selector.versionStage === 'AWSPREVIOUS' ? previous : masters[id],
    required: async (id: string) => {
      const value = masters[id];
      if (value === undefined) throw new Error(`no master secret ${id}`);
      return value;
    },
  } as unknown as RotationSecrets;
  return {
    secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:test-AbCdEf',
    token: 't',
    log,
    secrets,
    lines,
  };
}

/** What Secrets Manager holds of a secret between rotations. */
export interface RotationState {
  readonly current: string;
  readonly previous: string | undefined;
}

/**
 * One full rotation as the protocol would run it (createSecret's value, setSecret,
 * testSecret), then finishSecret's label move: the pending value becomes AWSCURRENT.
 */
export async function rotate(
  strategy: RotationStrategy,
  state: RotationState,
  masters: Record<string, string>,
): Promise<RotationState & { lines: string[] }> {
  const context = stepContext(masters, state.previous);
  const pending = await strategy.createValue(state.current, context);
  const values = { current: state.current, pending, previous: state.previous };
  await strategy.setSecret(values, context);
  await strategy.testSecret(values, context);
  return { current: pending, previous: state.current, lines: context.lines };
}
