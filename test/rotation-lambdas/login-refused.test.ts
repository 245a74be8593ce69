import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { isDatabaseAuthError } from '../../lib/cache';
import { MYSQL_LOGIN_REFUSED, POSTGRES_LOGIN_REFUSED } from '../../lib/core';
import { mysqlSingleStrategy, postgresSingleStrategy, type RotationStrategy } from '../../rotation-lambdas';
import {
  mysqlFixture,
  postgresFixture,
  stepContext,
  type DatabaseFixture,
  type User,
} from '../support/db-fixtures';

// One list of login-refused errors (lib/core/auth-errors.ts) serves withSecret, which re-reads a
// rotated secret on such an error (isDatabaseAuthError is its default), and the rotation
// drivers, which then try the next version instead of failing. Each refusal below is produced
// by the real server and must be one for both; an error that is not a refusal is one for neither.

const connection = { connectTimeoutMs: 2_000, queryTimeoutMs: 5_000 };
const pw = () => `pw-${randomBytes(9).toString('hex')}`;

interface Refusal {
  /** The credential (and database) to log in with. */
  readonly user: User;
  readonly extra?: Record<string, unknown>;
}

interface Engine {
  readonly name: string;
  readonly fixture: () => Promise<DatabaseFixture>;
  readonly strategy: () => RotationStrategy;
  /** The driver's own error for logging in with `user` (and running a first statement). */
  readonly driverError: (db: DatabaseFixture, login: Refusal) => Promise<unknown>;
  /** Users are named with the fixture's prefix, so its cleanup removes them. */
  readonly prefix: (db: DatabaseFixture) => string;
  readonly refusals: ReadonlyArray<
    readonly [
      what: string,
      codes: readonly (string | number)[],
      arrange: (db: DatabaseFixture, name: string) => Promise<Refusal>,
    ]
  >;
  readonly notRefused: (db: DatabaseFixture) => Refusal;
}

const failure = async (attempt: () => Promise<unknown>): Promise<unknown> => {
  try {
    await attempt();
  } catch (error) {
    return error;
  }
  throw new Error('expected the login to fail');
};

const ENGINES: readonly Engine[] = [
  {
    name: 'PostgreSQL',
    fixture: () => postgresFixture('ksrefused'),
    strategy: () => postgresSingleStrategy({ connection }),
    prefix: (db) => db.master.username.replace(/_master$/, ''),
    driverError: (db, { user, extra }) =>
      failure(async () => {
        const client = new Client({
          host: db.host,
          port: db.port,
          user: user.username,
          password: user.password,
          database: (extra?.dbname as string | undefined) ?? db.dbname,
        });
        client.on('error', () => undefined);
        try {
          await client.connect();
        } finally {
          await client.end().catch(() => undefined);
        }
      }),
    refusals: [
      ['a wrong password (28P01)', ['28P01'], async (db) => ({ user: { ...db.app, password: pw() } })],
      [
        'a role that may not log in (28000)',
        ['28000'],
        async (db, name) => {
          const user = { username: name, password: pw() };
          await db.admin(`CREATE ROLE "${name}" NOLOGIN PASSWORD '${user.password}'`);
          return { user };
        },
      ],
      [
        'an expired password (28P01)',
        ['28P01'],
        async (db, name) => {
          const user = { username: name, password: pw() };
          await db.admin(`CREATE ROLE "${name}" LOGIN PASSWORD '${user.password}' VALID UNTIL '2000-01-01'`);
          return { user };
        },
      ],
    ],
    notRefused: (db) => ({ user: db.app, extra: { dbname: `${db.dbname}_missing` } }),
  },
  {
    name: 'MariaDB',
    fixture: () => mysqlFixture('ksrefused'),
    strategy: () => mysqlSingleStrategy({ connection }),
    prefix: (db) => db.master.username.replace(/_m$/, ''),
    driverError: (db, { user, extra }) =>
      failure(async () => {
        const opened = await createConnection({
          host: db.host,
          port: db.port,
          user: user.username,
          password: user.password,
          database: (extra?.dbname as string | undefined) ?? db.dbname,
        });
        try {
          // An expired password connects to a sandbox; its first statement is refused.
          await opened.query('SELECT 1');
        } finally {
          opened.destroy();
        }
      }),
    refusals: [
      ['a wrong password (1045)', [1045], async (db) => ({ user: { ...db.app, password: pw() } })],
      [
        "no access to the secret's database (1044)",
        [1044],
        async (db, name) => {
          const user = { username: name, password: pw() };
          await db.admin(`CREATE USER '${name}'@'%' IDENTIFIED BY '${user.password}'`);
          return { user };
        },
      ],
      [
        'an account that checks no password, such as unix_socket (1698)',
        [1698],
        async (db, name) => {
          await db.admin(`CREATE USER '${name}'@'%' IDENTIFIED VIA unix_socket`);
          return { user: { username: name, password: pw() } };
        },
      ],
      [
        'a locked account (MariaDB 4151)',
        [4151],
        async (db, name) => {
          const user = { username: name, password: pw() };
          await db.admin(`CREATE USER '${name}'@'%' IDENTIFIED BY '${user.password}' ACCOUNT LOCK`);
          await db.admin(`GRANT SELECT ON \`${db.dbname}\`.* TO '${name}'@'%'`);
          return { user };
        },
      ],
      [
        'an expired password (1820 in the sandbox, 1862 when the server disconnects)',
        [1820, 1862],
        async (db, name) => {
          const user = { username: name, password: pw() };
          await db.admin(`CREATE USER '${name}'@'%' IDENTIFIED BY '${user.password}' PASSWORD EXPIRE`);
          await db.admin(`GRANT SELECT ON \`${db.dbname}\`.* TO '${name}'@'%'`);
          return { user };
        },
      ],
    ],
    // The master may see every database, so a missing one is ER_BAD_DB_ERROR, not access denied.
    notRefused: (db) => ({ user: db.master, extra: { dbname: `${db.dbname}_missing` } }),
  },
];

describe.each(ENGINES)('$name', (engine) => {
  let db: DatabaseFixture;
  let made = 0;
  beforeAll(async () => {
    db = await engine.fixture();
  });
  afterAll(async () => {
    await db.cleanup();
  });
  const testSecret = ({ user, extra }: Refusal) => {
    const value = db.secret(user, extra);
    return engine
      .strategy()
      .testSecret({ current: value, pending: value, previous: undefined }, stepContext());
  };

  it.each(engine.refusals)(
    '%s is a refused login for withSecret and for the rotation driver alike',
    async (_what, codes, arrange) => {
      const login = await arrange(db, `${engine.prefix(db)}_r${made++}`);
      const error = (await engine.driverError(db, login)) as { code?: unknown; errno?: unknown };
      expect(codes).toContain(typeof codes[0] === 'number' ? error.errno : error.code);
      expect(isDatabaseAuthError(error)).toBe(true);
      // The driver's login reports "does not log in", which testSecret words as a refusal.
      await expect(testSecret(login)).rejects.toMatchObject({
        reason: 'TEST_FAILED',
        message: expect.stringContaining('refuses the pending credentials') as unknown,
      });
    },
  );

  it('a missing database is a refused login for neither', async () => {
    const login = engine.notRefused(db);
    const error = await engine.driverError(db, login);
    expect(isDatabaseAuthError(error)).toBe(false);
    await expect(testSecret(login)).rejects.toMatchObject({ reason: 'DATABASE_ERROR' });
  });
});

describe('the login-refused list', () => {
  it('holds both class-28 SQLSTATEs and the access-denied, expired and locked MySQL/MariaDB numbers', () => {
    expect(Object.keys(POSTGRES_LOGIN_REFUSED).sort()).toEqual(['28000', '28P01']);
    expect(Object.keys(MYSQL_LOGIN_REFUSED).map(Number)).toEqual(
      expect.arrayContaining([1044, 1045, 1698, 1820, 1862, 3118, 4151]),
    );
  });
});
