import fc from 'fast-check';
import type { DatabaseDriver, DatabaseSession } from '../../rotation-lambdas/db/driver';
import { mysqlDriver } from '../../rotation-lambdas/db/mysql';
import { postgresDriver } from '../../rotation-lambdas/db/postgres';
import { alternatingUsersStrategy, singleUserStrategy } from '../../rotation-lambdas/strategies/database';
import { crashPlans, everyBoundary, runWithCrashes, type CrashSwitch } from '../support/crash-harness';
import { mysqlFixture, postgresFixture, type DatabaseFixture, type User } from '../support/db-fixtures';
import { SecretsManagerModel } from '../support/secrets-manager-model';

// RELIABILITY 9 against real databases: the function dies right after each kind of side
// effect (PutSecretValue, the database change, UpdateSecretVersionStage), steps are replayed
// and duplicated, and the invariants hold after every crash and at the end.

const connection = { connectTimeoutMs: 2_000, queryTimeoutMs: 5_000 };

/** The driver, with a crash switch flipped right after each database change took effect. */
function crashing(driver: DatabaseDriver, crash: CrashSwitch): DatabaseDriver {
  return {
    ...driver,
    login: async (secret, settings) => {
      const session = await driver.login(secret, settings);
      if (session === undefined) return undefined;
      const wrapped: DatabaseSession = {
        setOwnPassword: async (password) => {
          await session.setOwnPassword(password);
          crash.effect('setOwnPassword');
        },
        prepareAlternate: async (alternate) => {
          await session.prepareAlternate(alternate);
          crash.effect('prepareAlternate');
        },
        check: (expect) => session.check(expect),
        close: () => session.close(),
      };
      return wrapped;
    },
  };
}

const userOf = (secret: string | undefined): User => JSON.parse(secret!) as User;

describe.each([
  { name: 'PostgreSQL', fixture: () => postgresFixture('kscrash'), driver: postgresDriver },
  { name: 'MariaDB', fixture: () => mysqlFixture('kscrash'), driver: mysqlDriver },
])('$name under crash injection', ({ fixture, driver }) => {
  let db: DatabaseFixture;
  beforeAll(async () => {
    db = await fixture();
  });
  afterAll(async () => {
    await db.cleanup();
  });

  it('single user: the database always accepts AWSCURRENT or AWSPENDING, and ends on AWSCURRENT', async () => {
    const crashedAfter = new Set<string>();
    await fc.assert(
      fc.asyncProperty(crashPlans(3), async (plan) => {
        const model = new SecretsManagerModel();
        // Each run starts from what the database holds now.
        const start = await currentAppLogin(db);
        model.create('app/db', db.secret(start));
        const run = await runWithCrashes({
          model,
          secretId: 'app/db',
          plan,
          build: (crash) => singleUserStrategy('crash-single', crashing(driver, crash), { connection }),
          during: async ({ token }) => {
            const current = await db.canLogin(userOf(model.value('app/db')));
            const pendingValue = model.value('app/db', 'AWSPENDING');
            const pending = pendingValue !== undefined && (await db.canLogin(userOf(pendingValue)));
            expect(current || pending).toBe(true);
            expect(model.stages('app/db')[token]).toBeDefined();
          },
        });
        run.crashes.forEach((what) => crashedAfter.add(what));
        expect(model.complete('app/db')).toBe(true);
        expect(model.stages('app/db')[run.token]).toContain('AWSCURRENT');
        const final = userOf(model.value('app/db'));
        expect(await db.canLogin(final)).toBe(true);
        // The database password equals AWSCURRENT: the old one is gone.
        expect(await db.canLogin(userOf(model.value('app/db', 'AWSPREVIOUS')))).toBe(false);
        appPassword.set(db, final);
      }),
      { numRuns: 20, examples: everyBoundary(3) },
    );
    expect([...crashedAfter].sort()).toEqual([
      'PutSecretValue',
      'UpdateSecretVersionStage',
      'setOwnPassword',
    ]);
  });

  it('alternating users: AWSCURRENT always logs in; at the end both AWSCURRENT and AWSPREVIOUS do', async () => {
    const crashedAfter = new Set<string>();
    const model = new SecretsManagerModel();
    const masterArn = model.create('app/master', db.secret(db.master));
    model.create('app/alt', db.secret(await currentAppLogin(db), { masterarn: masterArn }));
    await fc.assert(
      // One secret, rotated again and again: every run continues from the last.
      fc.asyncProperty(crashPlans(3), async (plan) => {
        const run = await runWithCrashes({
          model,
          secretId: 'app/alt',
          plan,
          build: (crash) =>
            alternatingUsersStrategy('crash-alternating', crashing(driver, crash), { connection }),
          during: async () => {
            expect(await db.canLogin(userOf(model.value('app/alt')))).toBe(true);
          },
        });
        run.crashes.forEach((what) => crashedAfter.add(what));
        expect(model.complete('app/alt')).toBe(true);
        expect(model.stages('app/alt')[run.token]).toContain('AWSCURRENT');
        const current = userOf(model.value('app/alt'));
        const previous = userOf(model.value('app/alt', 'AWSPREVIOUS'));
        expect(current.username).not.toBe(previous.username);
        expect(await db.canLogin(current)).toBe(true);
        expect(await db.canLogin(previous)).toBe(true);
      }),
      { numRuns: 20, examples: everyBoundary(3) },
    );
    expect([...crashedAfter].sort()).toEqual([
      'PutSecretValue',
      'UpdateSecretVersionStage',
      'prepareAlternate',
    ]);
  });
});

/** The app user's password as the single-user runs leave it. */
const appPassword = new WeakMap<DatabaseFixture, User>();
async function currentAppLogin(db: DatabaseFixture): Promise<User> {
  return appPassword.get(db) ?? db.app;
}

describe('alternating users converge from a half-made clone (a crash inside setSecret)', () => {
  it.each([
    {
      name: 'PostgreSQL: the clone role exists without membership or password',
      fixture: () => postgresFixture('kshalf'),
      driver: postgresDriver,
      halfMake: (db: DatabaseFixture) => db.admin(`CREATE ROLE "${db.app.username}_clone" LOGIN`),
    },
    {
      name: 'MariaDB: the clone user exists without grants',
      fixture: () => mysqlFixture('kshalf'),
      driver: mysqlDriver,
      halfMake: (db: DatabaseFixture) =>
        db.admin(`CREATE USER '${db.app.username}_clone'@'%' IDENTIFIED BY 'half'`),
    },
  ])('$name', async ({ fixture, driver, halfMake }) => {
    const db = await fixture();
    try {
      await halfMake(db);
      const model = new SecretsManagerModel();
      const masterArn = model.create('m', db.secret(db.master));
      model.create('s', db.secret(db.app, { masterarn: masterArn }));
      const run = await runWithCrashes({
        model,
        secretId: 's',
        plan: { crashAfter: [], deliveries: [1], restart: [false] },
        build: () => alternatingUsersStrategy('half', driver, { connection }),
      });
      expect(model.stages('s')[run.token]).toContain('AWSCURRENT');
      const clone = userOf(model.value('s'));
      expect(clone.username).toBe(`${db.app.username}_clone`);
      await db.as(clone, 'INSERT INTO app_owned VALUES (42, null)');
      await expect(db.as(db.app, 'SELECT id FROM app_owned WHERE id = 42')).resolves.toHaveLength(1);
    } finally {
      await db.cleanup();
    }
  });
});
