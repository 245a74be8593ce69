import { createServer, type Server, type Socket } from 'node:net';
import type { RotationValues } from '../../rotation-lambdas';
import { mysqlAlternatingStrategy } from '../../rotation-lambdas/strategies/mysql-alternating';
import { mysqlSingleStrategy } from '../../rotation-lambdas/strategies/mysql-single';
import { postgresAlternatingStrategy } from '../../rotation-lambdas/strategies/postgres-alternating';
import { postgresSingleStrategy } from '../../rotation-lambdas/strategies/postgres-single';
import {
  mysqlFixture,
  password,
  postgresFixture,
  rotate,
  stepContext,
  type DatabaseFixture,
  type RotationState,
  type User,
} from '../support/db-fixtures';

// The database strategies against real servers: the throwaway scram-sha-256 PostgreSQL
// cluster the global setup starts, and the machine's MariaDB. Strategies are called
// directly, with the values each step would read from Secrets Manager.

const ENGINES = [
  {
    name: 'PostgreSQL',
    fixture: postgresFixture,
    single: postgresSingleStrategy,
    alternating: postgresAlternatingStrategy,
    nameLimit: 63,
  },
  {
    name: 'MariaDB',
    fixture: mysqlFixture,
    single: mysqlSingleStrategy,
    alternating: mysqlAlternatingStrategy,
    nameLimit: 32,
  },
] as const;

const MASTER_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:master-AbCdEf';
const fast = { connection: { connectTimeoutMs: 2_000, queryTimeoutMs: 5_000 } };
const userOf = (secret: string): User => JSON.parse(secret) as User;

/** A TCP server that accepts connections, reads what comes and never says a word. */
async function silentServer(): Promise<{
  port: number;
  accepted(): number;
  /** Resolves true once every accepted client has hung up, false if one has not within `ms`. */
  hungUp(ms: number): Promise<boolean>;
  close(): Promise<void>;
}> {
  const sockets: Socket[] = [];
  const closed: Array<Promise<void>> = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
    socket.on('error', () => undefined);
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    accepted: () => sockets.length,
    hungUp: async (ms) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      });
      try {
        return await Promise.race([Promise.all(closed).then(() => true), late]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () =>
      new Promise((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

describe.each(ENGINES)('$name', ({ fixture: makeFixture, single, alternating, nameLimit, name }) => {
  let db: DatabaseFixture;
  beforeEach(async () => {
    db = await makeFixture(name === 'PostgreSQL' ? 'kspg' : 'ksmy');
  });
  afterEach(async () => {
    await db.cleanup();
  });

  it('refuses a wrong password (the server really checks passwords)', async () => {
    expect(await db.canLogin(db.app)).toBe(true);
    expect(await db.canLogin({ ...db.app, password: 'not-the-password' })).toBe(false);
  });

  describe('single user', () => {
    const values = (current: string, pending: string, previous?: string): RotationValues => ({
      current,
      pending,
      previous,
    });

    it('changes the password: the pending one logs in, the old one no longer does', async () => {
      const strategy = single(fast);
      const current = db.secret(db.app);
      const pending = await strategy.createValue(current, stepContext());
      expect(userOf(pending).username).toBe(db.app.username);
      await strategy.setSecret(values(current, pending), stepContext());
      expect(await db.canLogin(userOf(pending))).toBe(true);
      expect(await db.canLogin(db.app)).toBe(false);
      await strategy.testSecret(values(current, pending), stepContext());
    });

    it('does nothing when the database already has the pending password (RELIABILITY 3)', async () => {
      const strategy = single(fast);
      const current = db.secret(db.app);
      const pending = await strategy.createValue(current, stepContext());
      await strategy.setSecret(values(current, pending), stepContext());
      const context = stepContext();
      await strategy.setSecret(values(current, pending), context);
      expect(context.lines.join('\n')).toContain('already accepts the pending password');
      expect(await db.canLogin(userOf(pending))).toBe(true);
    });

    it('falls back to AWSPREVIOUS when AWSCURRENT no longer logs in (RELIABILITY 4)', async () => {
      const strategy = single(fast);
      const previous = db.secret(db.app);
      const current = db.secret({ ...db.app, password: password() });
      const pending = await strategy.createValue(current, stepContext());
      const context = stepContext();
      await strategy.setSecret(values(current, pending, previous), context);
      expect(await db.canLogin(userOf(pending))).toBe(true);
      expect(context.lines.join('\n')).toContain('AWSPREVIOUS');
    });

    it.each([
      ['username', { username: 'someone_else' }],
      ['host', { host: 'db.elsewhere.internal' }],
    ])(
      'refuses a pending value with another %s and changes nothing (RELIABILITY 4)',
      async (_field, change) => {
        const strategy = single(fast);
        const current = db.secret(db.app);
        const pending = JSON.stringify({ ...JSON.parse(current), ...change, password: password() });
        await expect(strategy.setSecret(values(current, pending), stepContext())).rejects.toMatchObject({
          reason: 'IDENTITY_MISMATCH',
        });
        expect(await db.canLogin(db.app)).toBe(true);
      },
    );

    it('fails with DATABASE_LOGIN_FAILED when no stored password logs in', async () => {
      const strategy = single(fast);
      const current = db.secret({ ...db.app, password: password() });
      const pending = await strategy.createValue(current, stepContext());
      await expect(strategy.setSecret(values(current, pending), stepContext())).rejects.toMatchObject({
        reason: 'DATABASE_LOGIN_FAILED',
      });
      expect(await db.canLogin(db.app)).toBe(true);
    });

    it('fails testSecret with TEST_FAILED when the pending password does not log in', async () => {
      const strategy = single(fast);
      const current = db.secret(db.app);
      const pending = await strategy.createValue(current, stepContext());
      await expect(strategy.testSecret(values(current, pending), stepContext())).rejects.toMatchObject({
        reason: 'TEST_FAILED',
      });
    });

    it('sets a password with quotes and backslashes exactly', async () => {
      const strategy = single(fast);
      const current = db.secret(db.app);
      const tricky = { ...db.app, password: `a'b\\c"d\\'e''f%_` };
      await strategy.setSecret(values(current, db.secret(tricky)), stepContext());
      expect(await db.canLogin(tricky)).toBe(true);
      expect(await db.canLogin({ ...db.app, password: `a'b\\\\c"d\\'e''f%_` })).toBe(false);
    });

    it('requires TLS unless the secret opts out, and changes nothing without it', async () => {
      const strategy = single(fast);
      // By name: TLS to MySQL needs a DNS name to verify (an address is refused before connecting).
      const current = db.secret(db.app, { ssl: undefined, host: 'localhost' });
      const pending = JSON.stringify({ ...JSON.parse(current), password: password() });
      await expect(strategy.setSecret(values(current, pending), stepContext())).rejects.toMatchObject({
        reason: 'DATABASE_UNREACHABLE',
      });
      expect(await db.canLogin(db.app)).toBe(true);
    });

    it('fails within its connect timeout when the server never answers (RELIABILITY 10)', async () => {
      const silent = await silentServer();
      try {
        const strategy = single({ connection: { connectTimeoutMs: 300, queryTimeoutMs: 300 } });
        const current = db.secret(db.app, { port: silent.port });
        const pending = JSON.stringify({ ...JSON.parse(current), password: password() });
        const started = Date.now();
        await expect(strategy.setSecret(values(current, pending), stepContext())).rejects.toMatchObject({
          reason: 'DATABASE_UNREACHABLE',
        });
        await expect(strategy.testSecret(values(current, pending), stepContext())).rejects.toMatchObject({
          reason: 'DATABASE_UNREACHABLE',
        });
        // Two logins tried in setSecret (pending, current) at 300 ms each, one in testSecret.
        expect(Date.now() - started).toBeLessThan(3_000);
      } finally {
        await silent.close();
      }
    });

    it('hangs up the connection it gave up on at the connect timeout', async () => {
      const silent = await silentServer();
      try {
        const strategy = single({ connection: { connectTimeoutMs: 300, queryTimeoutMs: 300 } });
        const current = db.secret(db.app, { port: silent.port });
        await expect(strategy.testSecret(values(current, current), stepContext())).rejects.toMatchObject({
          reason: 'DATABASE_UNREACHABLE',
        });
        expect(silent.accepted()).toBe(1);
        expect(await silent.hungUp(2_000)).toBe(true);
      } finally {
        await silent.close();
      }
    });

    it('logs no password while changing, replaying, falling back or failing (RELIABILITY 13)', async () => {
      const strategy = single(fast);
      const context = stepContext();
      const failures: string[] = [];
      const current = db.secret(db.app);
      const pending = await strategy.createValue(current, context);
      await strategy.setSecret(values(current, pending), context);
      await strategy.setSecret(values(current, pending), context);
      await strategy.testSecret(values(current, pending), context);
      // AWSCURRENT edited by hand: the change goes through AWSPREVIOUS.
      const stale = JSON.stringify({ ...JSON.parse(pending), password: password() });
      const next = await strategy.createValue(stale, context);
      await strategy.setSecret(values(stale, next, pending), context);
      const wrong = JSON.stringify({ ...JSON.parse(next), password: password() });
      const other = JSON.stringify({ ...JSON.parse(next), username: 'someone_else', password: password() });
      for (const attempt of [
        () => strategy.testSecret(values(next, wrong), context),
        () => strategy.setSecret(values(next, other), context),
      ]) {
        await attempt().catch((error: Error) => failures.push(error.message));
      }
      const text = [...context.lines, ...failures].join('\n');
      expect(text).toContain('password changed in the database');
      expect(text).toContain('already accepts the pending password');
      expect(text).toContain('AWSPREVIOUS');
      expect(failures).toHaveLength(2);
      for (const secret of [current, pending, stale, next, wrong, other])
        expect(text).not.toContain(userOf(secret).password);
    });

    it('fails at once on a closed port', async () => {
      const silent = await silentServer();
      await silent.close();
      const strategy = single(fast);
      const current = db.secret(db.app, { port: silent.port });
      await expect(strategy.testSecret(values(current, current), stepContext())).rejects.toMatchObject({
        reason: 'DATABASE_UNREACHABLE',
      });
    });
  });

  describe('alternating users', () => {
    it('alternates over 5 rotations; both users share what either creates, and grants made between rotations survive (RELIABILITY 12)', async () => {
      const strategy = alternating(fast);
      const masters = { [MASTER_ARN]: db.secret(db.master) };
      let state: RotationState = {
        current: db.secret(db.app, { masterarn: MASTER_ARN }),
        previous: undefined,
      };
      const seen: string[] = [];
      for (let round = 1; round <= 5; round++) {
        const before = userOf(state.current);
        state = await rotate(strategy, state, masters);
        const now = userOf(state.current);
        seen.push(now.username);
        expect(await db.canLogin(now)).toBe(true);
        // The user that was current keeps its password until the next rotation.
        expect(await db.canLogin(before)).toBe(true);
        // What the new user creates, the other reads and writes, and the other way round.
        const table = `t_round_${round}`;
        await db.as(now, `CREATE TABLE ${table} (id int primary key, note text)`);
        await db.as(now, `INSERT INTO ${table} VALUES (1, 'by ${now.username}')`);
        await db.as(before, `INSERT INTO ${table} VALUES (2, 'by ${before.username}')`);
        expect(await db.as(before, `SELECT id FROM ${table} ORDER BY id`)).toHaveLength(2);
        await db.as(now, `UPDATE app_owned SET note = 'x' WHERE id = 0`);
        await db.as(now, `INSERT INTO app_owned VALUES (${round}, 'round')`);
        if (round === 2) {
          // A grant to the base user between rotations reaches both users from then on.
          if (db.engine === 'postgres') {
            await db.admin('CREATE TABLE audit_log (id int)');
            await db.admin(`GRANT SELECT ON audit_log TO "${db.app.username}"`);
          } else {
            await db.admin(`CREATE TABLE \`${db.dbname}\`.audit_log (id int)`);
            await db.admin(`GRANT SELECT ON \`${db.dbname}\`.audit_log TO '${now.username}'@'%'`);
          }
        }
        if (round >= 3) {
          await expect(db.as(now, 'SELECT id FROM audit_log')).resolves.toEqual([]);
          await expect(db.as(before, 'SELECT id FROM audit_log')).resolves.toEqual([]);
        }
      }
      const clone = `${db.app.username}_clone`;
      expect(seen).toEqual([clone, db.app.username, clone, db.app.username, clone]);
    });

    it('keeps a long base name and its clone within the engine limit, back and forth', async () => {
      const strategy = alternating(fast);
      const long: User = {
        username: `${db.app.username}_${'x'.repeat(nameLimit)}`.slice(0, nameLimit - 2),
        password: password(),
      };
      if (db.engine === 'postgres') {
        await db.admin(`CREATE ROLE "${long.username}" LOGIN PASSWORD '${long.password}'`);
        await db.admin(`GRANT "${long.username}" TO "${db.master.username}" WITH ADMIN OPTION`);
      } else {
        await db.admin(`CREATE USER '${long.username}'@'%' IDENTIFIED BY '${long.password}'`);
        await db.admin(`GRANT SELECT ON \`${db.dbname}\`.* TO '${long.username}'@'%'`);
      }
      // The fixture's cleanup drops it with the app user, whose name it starts with.
      {
        const masters = { [MASTER_ARN]: db.secret(db.master) };
        let state: RotationState = {
          current: db.secret(long, { masterarn: MASTER_ARN }),
          previous: undefined,
        };
        const names: string[] = [];
        for (let round = 0; round < 3; round++) {
          state = await rotate(strategy, state, masters);
          names.push(userOf(state.current).username);
          expect(await db.canLogin(userOf(state.current))).toBe(true);
        }
        expect(Buffer.byteLength(names[0]!)).toBe(nameLimit);
        expect(names[0]).toMatch(/_clone$/);
        expect(names).toEqual([names[0], long.username, names[0]]);
      }
    });

    it("gives the user it alternates back to a new password: that user's password from two rotations ago no longer logs in", async () => {
      const strategy = alternating(fast);
      const masters = { [MASTER_ARN]: db.secret(db.master) };
      const first = await rotate(
        strategy,
        { current: db.secret(db.app, { masterarn: MASTER_ARN }), previous: undefined },
        masters,
      );
      const second = await rotate(strategy, first, masters);
      expect(userOf(second.current).username).toBe(db.app.username);
      expect(await db.canLogin(userOf(second.current))).toBe(true);
      expect(await db.canLogin(db.app)).toBe(false);
    });

    it('requires TLS unless the secret opts out, and creates no alternate user without it', async () => {
      const strategy = alternating(fast);
      const masters = { [MASTER_ARN]: db.secret(db.master, { host: 'localhost' }) };
      const current = db.secret(db.app, { masterarn: MASTER_ARN, ssl: undefined, host: 'localhost' });
      const context = stepContext(masters);
      const pending = await strategy.createValue(current, context);
      await expect(
        strategy.setSecret({ current, pending, previous: undefined }, context),
      ).rejects.toMatchObject({ reason: 'DATABASE_UNREACHABLE' });
      expect(await db.userExists(userOf(pending).username)).toBe(false);
    });

    it('refuses a master secret for another server', async () => {
      const strategy = alternating(fast);
      const masters = { [MASTER_ARN]: db.secret(db.master, { host: 'db.elsewhere.internal' }) };
      const current = db.secret(db.app, { masterarn: MASTER_ARN });
      const context = stepContext(masters);
      const pending = await strategy.createValue(current, context);
      await expect(
        strategy.setSecret({ current, pending, previous: undefined }, context),
      ).rejects.toMatchObject({
        reason: 'IDENTITY_MISMATCH',
      });
      expect(await db.canLogin(userOf(pending))).toBe(false);
    });

    it('refuses a pending value that names neither user', async () => {
      const strategy = alternating(fast);
      const masters = { [MASTER_ARN]: db.secret(db.master) };
      const current = db.secret(db.app, { masterarn: MASTER_ARN });
      const pending = db.secret({ username: 'intruder', password: password() }, { masterarn: MASTER_ARN });
      await expect(
        strategy.setSecret({ current, pending, previous: undefined }, stepContext(masters)),
      ).rejects.toMatchObject({ reason: 'IDENTITY_MISMATCH' });
    });

    it('needs masterarn', async () => {
      await expect(alternating(fast).createValue(db.secret(db.app), stepContext())).rejects.toMatchObject({
        reason: 'INVALID_SECRET',
      });
    });

    it('logs no password (RELIABILITY 13)', async () => {
      const strategy = alternating(fast);
      const masters = { [MASTER_ARN]: db.secret(db.master) };
      const state = await rotate(
        strategy,
        { current: db.secret(db.app, { masterarn: MASTER_ARN }), previous: undefined },
        masters,
      );
      const text = state.lines.join('\n');
      for (const user of [userOf(state.current), db.app, db.master])
        expect(text).not.toContain(user.password);
    });
  });
});
