import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { quoteIdentifier, quoteString, retargetGrant } from '../../rotation-lambdas/db/mysql';
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
    // MariaDB
    [
      "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*A1A8A95999B4A29B68D8A713067D1CC95AB918CB'",
      'GRANT USAGE ON *.* TO `app_clone`@`%`',
    ],
    ['GRANT `role` TO `app`@`%`', 'GRANT `role` TO `app_clone`@`%`'],
    ['SET DEFAULT ROLE `role` FOR `app`@`%`', 'SET DEFAULT ROLE `role` FOR `app_clone`@`%`'],
  ])('%s', (line, expected) => {
    expect(retargetGrant(line, from, to)).toBe(expected);
  });

  it('copies no proxy grant and no line about another user', () => {
    expect(retargetGrant("GRANT PROXY ON ''@'%' TO `app`@`%`", from, to)).toBeUndefined();
    expect(retargetGrant('GRANT SELECT ON *.* TO `other`@`%`', from, to)).toBeUndefined();
  });

  it('never carries a password hash over', () => {
    const copied = retargetGrant(
      "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*HASH' WITH MAX_QUERIES_PER_HOUR 5",
      from,
      to,
    );
    expect(copied).toBe('GRANT USAGE ON *.* TO `app_clone`@`%` WITH MAX_QUERIES_PER_HOUR 5');
  });
});
