import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import {
  grantCopies,
  quoteIdentifier,
  quoteString,
  retargetGrant,
  withoutAnsiQuoting,
} from '../../rotation-lambdas/db/mysql';
import { scramVerifier } from '../../rotation-lambdas/db/postgres';
import { postgresSingleStrategy } from '../../rotation-lambdas/strategies/postgres-single';
import { postgresFixture, stepContext } from '../support/db-fixtures';
import { postgresServer } from '../support/scram-postgres';

describe('PostgreSQL passwords travel as SCRAM verifiers', () => {
  it('builds the verifier PostgreSQL would (RFC 7677 test vector shape)', () => {
    const verifier = scramVerifier('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
    // PostgreSQL's own verifier for "pencil" with this salt and 4096 iterations.
    expect(verifier).toBe(
      'SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=',
    );
  });

  it('stores a verifier, and the plaintext reaches neither the catalog nor the statement log', async () => {
    const db = await postgresFixture('ksscram');
    try {
      const strategy = postgresSingleStrategy({
        connection: { connectTimeoutMs: 2000, queryTimeoutMs: 5000 },
      });
      const current = db.secret(db.app);
      const pending = await strategy.createValue(current, stepContext());
      await strategy.setSecret({ current, pending, previous: undefined }, stepContext());
      const { password } = JSON.parse(pending) as { password: string };
      const [row] = (await db.admin('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [
        db.app.username,
      ])) as Array<{
        rolpassword: string;
      }>;
      expect(row!.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
      const { dataDir } = postgresServer();
      // The throwaway cluster logs every statement; a server given through PG* has its own log.
      const log = dataDir === undefined ? '' : readFileSync(join(dataDir, 'server.log'), 'utf8');
      if (dataDir !== undefined) expect(log).toContain('ALTER ROLE CURRENT_USER WITH PASSWORD');
      expect(log).not.toContain(password);
    } finally {
      await db.cleanup();
    }
  });
});

describe('MySQL quoting', () => {
  const tricky = `a'b\\c"d\\'e''f%_\`g\n`;

  it.each([
    ['the default sql_mode', '', false],
    ['NO_BACKSLASH_ESCAPES', 'NO_BACKSLASH_ESCAPES', true],
  ])('round-trips a literal through the server with %s', async (_name, mode, noBackslash) => {
    const connection = await createConnection({ host: '127.0.0.1', user: 'root' });
    try {
      await connection.query(`SET SESSION sql_mode = '${mode}'`);
      const [rows] = await connection.query(`SELECT ${quoteString(tricky, noBackslash)} AS v`);
      expect((rows as Array<{ v: string }>)[0]!.v).toBe(tricky);
    } finally {
      await connection.end();
    }
  });

  it('refuses NUL in a password and doubles backticks in identifiers', () => {
    expect(() => quoteString('a\u0000b', false)).toThrow(
      expect.objectContaining({ reason: 'INVALID_SECRET' }),
    );
    expect(quoteIdentifier('we`ird')).toBe('`we``ird`');
  });
});

describe('copying grants to the alternate user', () => {
  const from = '`app`@`%`';
  const to = '`app_clone`@`%`';

  it.each([
    // MySQL 8
    ['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT USAGE ON *.* TO `app_clone`@`%`'],
    ['GRANT SELECT, INSERT ON `shop`.* TO `app`@`%`', 'GRANT SELECT, INSERT ON `shop`.* TO `app_clone`@`%`'],
    [
      'GRANT SELECT ON `shop`.`orders` TO `app`@`%` WITH GRANT OPTION',
      'GRANT SELECT ON `shop`.`orders` TO `app_clone`@`%` WITH GRANT OPTION',
    ],
    ['GRANT `reader`@`%` TO `app`@`%`', 'GRANT `reader`@`%` TO `app_clone`@`%`'],
    [
      'GRANT `reader`@`%` TO `app`@`%` WITH ADMIN OPTION',
      'GRANT `reader`@`%` TO `app_clone`@`%` WITH ADMIN OPTION',
    ],
    [
      'GRANT SELECT (`id`, `note`) ON `shop`.`t` TO `app`@`%`',
      'GRANT SELECT (`id`, `note`) ON `shop`.`t` TO `app_clone`@`%`',
    ],
    [
      'GRANT EXECUTE ON PROCEDURE `shop`.`p` TO `app`@`%`',
      'GRANT EXECUTE ON PROCEDURE `shop`.`p` TO `app_clone`@`%`',
    ],
    // MySQL 8 with partial_revokes: without the revoke the clone would hold more than the source.
    ['REVOKE INSERT ON `mysql`.* FROM `app`@`%`', 'REVOKE INSERT ON `mysql`.* FROM `app_clone`@`%`'],
    // MariaDB
    [
      "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*A1A8A95999B4A29B68D8A713067D1CC95AB918CB'",
      'GRANT USAGE ON *.* TO `app_clone`@`%`',
    ],
    [
      "GRANT SELECT ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*HASH' WITH GRANT OPTION",
      'GRANT SELECT ON *.* TO `app_clone`@`%` WITH GRANT OPTION',
    ],
    [
      "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED VIA mysql_native_password USING '*HASH' OR unix_socket",
      'GRANT USAGE ON *.* TO `app_clone`@`%`',
    ],
    [
      "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*HASH' REQUIRE SSL",
      'GRANT USAGE ON *.* TO `app_clone`@`%` REQUIRE SSL',
    ],
    ['GRANT `role` TO `app`@`%`', 'GRANT `role` TO `app_clone`@`%`'],
    ['SET DEFAULT ROLE `role` FOR `app`@`%`', 'SET DEFAULT ROLE `role` FOR `app_clone`@`%`'],
  ])('%s', (line, expected) => {
    expect(retargetGrant(line, from, to)).toBe(expected);
  });

  it('copies no proxy grant and no line about another user', () => {
    expect(retargetGrant("GRANT PROXY ON ''@'%' TO `app`@`%`", from, to)).toBeUndefined();
    expect(retargetGrant('GRANT SELECT ON *.* TO `other`@`%`', from, to)).toBeUndefined();
    // A longer name that starts like the source is another user.
    expect(retargetGrant('GRANT SELECT ON *.* TO `app2`@`%`', from, to)).toBeUndefined();
  });

  it('never carries a password hash over', () => {
    const copied = retargetGrant(
      "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*HASH' WITH MAX_QUERIES_PER_HOUR 5",
      from,
      to,
    );
    expect(copied).toBe('GRANT USAGE ON *.* TO `app_clone`@`%` WITH MAX_QUERIES_PER_HOUR 5');
  });

  it('copies every line in order, grants before the revokes that restrict them, and skips proxy grants', () => {
    const lines = [
      'GRANT SELECT, INSERT ON *.* TO `app`@`%`',
      'GRANT PROXY ON ``@`%` TO `app`@`%`',
      'REVOKE INSERT ON `mysql`.* FROM `app`@`%`',
    ];
    expect(grantCopies(lines, from, to)).toEqual([
      'GRANT SELECT, INSERT ON *.* TO `app_clone`@`%`',
      'REVOKE INSERT ON `mysql`.* FROM `app_clone`@`%`',
    ]);
  });

  it.each([
    [
      'names in double quotes (ANSI_QUOTES)',
      [
        `GRANT USAGE ON *.* TO "app"@"%" IDENTIFIED BY PASSWORD '*HASH'`,
        'GRANT SELECT ON "shop".* TO "app"@"%"',
      ],
    ],
    [
      'names unquoted (sql_quote_show_create=0)',
      ['GRANT USAGE ON *.* TO app@`%`', 'GRANT SELECT ON shop.* TO app@`%`'],
    ],
    [
      'one line of an unknown form among good ones',
      ['GRANT USAGE ON *.* TO `app`@`%`', 'GRANT SELECT ON shop.* TO "app"@"%"'],
    ],
  ])('fails with DATABASE_ERROR, showing no line, when a line cannot be copied: %s', (_what, lines) => {
    let failure: unknown;
    try {
      grantCopies(lines, from, to);
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ reason: 'DATABASE_ERROR' });
    expect((failure as Error).message).not.toMatch(/HASH|shop/);
  });
});

describe('the sql_mode for SHOW GRANTS', () => {
  it.each([
    [
      'ANSI_QUOTES',
      'STRICT_TRANS_TABLES,ANSI_QUOTES,NO_BACKSLASH_ESCAPES',
      'STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES',
    ],
    [
      'ANSI (MySQL and MariaDB list its parts too)',
      'REAL_AS_FLOAT,PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,ANSI',
      'REAL_AS_FLOAT,PIPES_AS_CONCAT,IGNORE_SPACE',
    ],
    [
      "MariaDB's ORACLE, which would bring ANSI_QUOTES back",
      'PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,ORACLE,NO_KEY_OPTIONS',
      'PIPES_AS_CONCAT,IGNORE_SPACE,NO_KEY_OPTIONS',
    ],
    ['nothing', '', ''],
  ])('drops %s and keeps the rest', (_what, mode, expected) => {
    expect(withoutAnsiQuoting(mode)).toBe(expected);
  });
});
