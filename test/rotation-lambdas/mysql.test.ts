import type * as Mysql from 'mysql2/promise';
import type { RotationValues } from '../../rotation-lambdas';
import { mysqlAlternatingStrategy } from '../../rotation-lambdas/strategies/mysql-alternating';
import { mysqlSingleStrategy } from '../../rotation-lambdas/strategies/mysql-single';
import { mysqlFixture, rotate, stepContext, type DatabaseFixture, type User } from '../support/db-fixtures';

// What the MySQL driver does that the engine-independent suites (database-strategies,
// crash-database) cannot show: sessions whose settings change how the server prints and
// reads SQL, roles, and testSecret's comparison of privileges. Against the machine's MariaDB.

const MASTER_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:master-AbCdEf';
const connection = { connectTimeoutMs: 2_000, queryTimeoutMs: 5_000 };
const single = () => mysqlSingleStrategy({ connection });
const alternating = () => mysqlAlternatingStrategy({ connection });
const userOf = (secret: string): User => JSON.parse(secret) as User;
// The module object itself (an `import * as` copy would not take a spy): the driver and the
// fixtures call its createConnection.
const mysql2 = jest.requireActual<typeof Mysql>('mysql2/promise');

/**
 * Runs `body` with `SET SESSION <assignments>` on every connection opened meanwhile (the
 * driver's among them), as a server configured so would start them; the server's global
 * settings stay as they are, for the other suites that share it. Resolves to the sql_mode
 * and sql_quote_show_create each of those connections started with, so a test can show the
 * setting took effect.
 */
async function withSessionSettings(assignments: string, body: () => Promise<void>): Promise<string[]> {
  const modes: string[] = [];
  const open = mysql2.createConnection;
  const spy = jest.spyOn(mysql2, 'createConnection').mockImplementation(async (options) => {
    const opened = await open(options as Mysql.ConnectionOptions);
    await opened.query(`SET SESSION ${assignments}`);
    const [rows] = await opened.query(
      "SELECT CONCAT(@@SESSION.sql_mode, ' sql_quote_show_create=', @@SESSION.sql_quote_show_create) AS mode",
    );
    modes.push(String((rows as Array<{ mode: unknown }>)[0]?.mode));
    return opened;
  });
  try {
    await body();
  } finally {
    spy.mockRestore();
  }
  return modes;
}

let db: DatabaseFixture;
beforeEach(async () => {
  db = await mysqlFixture('ksmysql');
});
afterEach(async () => {
  await db.cleanup();
});

/** The first setSecret of an alternating rotation (the clone is made); its values and context. */
async function cloneReady(current = db.secret(db.app, { masterarn: MASTER_ARN })) {
  const strategy = alternating();
  const context = stepContext({ [MASTER_ARN]: db.secret(db.master) });
  const pending = await strategy.createValue(current, context);
  const values: RotationValues = { current, pending, previous: undefined };
  await strategy.setSecret(values, context);
  return { strategy, context, values, clone: userOf(pending) };
}

describe('alternating users: copying grants', () => {
  it.each([
    ['ANSI_QUOTES', "sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')", 'ANSI_QUOTES'],
    ['ANSI', "sql_mode = CONCAT(@@sql_mode, ',ANSI')", 'ANSI_QUOTES'],
    ["MariaDB's ORACLE", "sql_mode = 'ORACLE'", 'ANSI_QUOTES'],
    ['sql_quote_show_create=0', 'sql_quote_show_create = 0', 'sql_quote_show_create=OFF'],
  ])(
    "copies the current user's grants when the server's sessions quote names otherwise (%s), with no dbname in the secret",
    async (_what, assignments, modeSeen) => {
      // Without a dbname, logging in proves no access: only the copied grants give the clone any.
      const current = db.secret(db.app, { masterarn: MASTER_ARN, dbname: undefined });
      const master = db.secret(db.master, { dbname: undefined });
      let state = { current, previous: undefined as string | undefined };
      const modes = await withSessionSettings(assignments, async () => {
        state = await rotate(alternating(), state, { [MASTER_ARN]: master });
      });
      expect(modes.length).toBeGreaterThan(0);
      for (const mode of modes) expect(mode).toContain(modeSeen);
      const clone = userOf(state.current);
      expect(clone.username).toBe(`${db.app.username}_clone`);
      await db.as(clone, 'INSERT INTO app_owned VALUES (7, null)');
      await expect(db.as(db.app, 'SELECT id FROM app_owned WHERE id = 7')).resolves.toHaveLength(1);
    },
  );

  it('gives the other user a role granted to the current user between rotations, active by default', async () => {
    const role = `${db.app.username}_r`;
    const masters = { [MASTER_ARN]: db.secret(db.master) };
    const first = await rotate(
      alternating(),
      { current: db.secret(db.app, { masterarn: MASTER_ARN }), previous: undefined },
      masters,
    );
    const clone = userOf(first.current);
    // Made by the master, which so holds the role WITH ADMIN OPTION and may grant it on.
    await db.as(db.master, `CREATE ROLE \`${role}\``);
    await db.as(db.master, `GRANT DROP ON \`${db.dbname}\`.* TO \`${role}\``);
    await db.as(db.master, `GRANT \`${role}\` TO '${clone.username}'@'%'`);
    await db.as(db.master, `SET DEFAULT ROLE \`${role}\` FOR '${clone.username}'@'%'`);
    await db.admin(`CREATE TABLE \`${db.dbname}\`.scratch (id int)`);
    await expect(db.as(db.app, 'DROP TABLE scratch')).rejects.toMatchObject({ errno: 1142 });

    const second = await rotate(alternating(), first, masters);
    expect(userOf(second.current).username).toBe(db.app.username);
    await expect(db.as(userOf(second.current), 'DROP TABLE scratch')).resolves.toBeDefined();
  });
});

describe('alternating users: testSecret', () => {
  it.each([
    [
      'a privilege',
      (clone: string) => `REVOKE INSERT ON \`${db.dbname}\`.* FROM '${clone}'@'%'`,
      'INSERT ON',
    ],
    ['a default role', (clone: string) => `SET DEFAULT ROLE NONE FOR '${clone}'@'%'`, 'DEFAULT ROLE'],
  ])(
    'fails with TEST_FAILED, naming it, when the pending user lacks %s the current user holds',
    async (_what, revoke, named) => {
      const role = `${db.app.username}_r`;
      await db.as(db.master, `CREATE ROLE \`${role}\``);
      await db.as(db.master, `GRANT \`${role}\` TO '${db.app.username}'@'%'`);
      await db.as(db.master, `SET DEFAULT ROLE \`${role}\` FOR '${db.app.username}'@'%'`);
      const { strategy, context, values, clone } = await cloneReady();
      await db.admin(revoke(clone.username));
      await expect(strategy.testSecret(values, context)).rejects.toMatchObject({
        reason: 'TEST_FAILED',
        message: expect.stringContaining(named) as unknown,
      });
    },
  );

  it('passes when the pending user holds more than the current user', async () => {
    const { strategy, context, values, clone } = await cloneReady();
    await db.admin(`GRANT DROP ON \`${db.dbname}\`.* TO '${clone.username}'@'%'`);
    await expect(strategy.testSecret(values, context)).resolves.toBeUndefined();
  });

  it('fails with TEST_FAILED when AWSCURRENT no longer logs in to compare with', async () => {
    const { strategy, context, values } = await cloneReady();
    await db.admin(`ALTER USER '${db.app.username}'@'%' IDENTIFIED BY 'changed-by-hand'`);
    await expect(strategy.testSecret(values, context)).rejects.toMatchObject({
      reason: 'TEST_FAILED',
      message: expect.stringContaining('AWSCURRENT no longer logs in') as unknown,
    });
  });
});

describe('passwords under NO_BACKSLASH_ESCAPES', () => {
  const tricky = `it's a \\ back\\'slash'' and \\\\ two\\`;

  it.each([
    ['single user', single, false],
    ['alternating users', alternating, true],
  ] as const)('%s: the exact password is set', async (_what, strategy, alternates) => {
    const current = db.secret(db.app, alternates ? { masterarn: MASTER_ARN } : {});
    const username = alternates ? `${db.app.username}_clone` : db.app.username;
    const pending = JSON.stringify({ ...JSON.parse(current), username, password: tricky });
    const modes = await withSessionSettings("sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')", () =>
      strategy().setSecret(
        { current, pending, previous: undefined },
        stepContext({ [MASTER_ARN]: db.secret(db.master) }),
      ),
    );
    expect(modes.length).toBeGreaterThan(0);
    for (const mode of modes) expect(mode).toContain('NO_BACKSLASH_ESCAPES');
    expect(await db.canLogin({ username, password: tricky })).toBe(true);
  });
});
