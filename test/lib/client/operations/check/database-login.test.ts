import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { AuditEntry } from '../../../../../lib/audit/audit-event';
import { SecretsClient } from '../../../../../lib/client';
import { mysqlFixture, postgresFixture, type DatabaseFixture } from '../../../../support/db-fixtures';
import { startLocal, type LocalFixture } from '../../../../support/local-endpoint';
import { freePort } from '../../../../support/scram-postgres';

// `test` of a database secret logs in with its credentials: against the throwaway
// PostgreSQL cluster with scram-sha-256 (a trust server would take any password and prove
// nothing) and the machine's MariaDB. Reasons keep driver codes, never a driver's message,
// and never the planted password.

const planted = () => `planted-${randomBytes(9).toString('hex')}`;

let local: LocalFixture;
let secrets: SecretsClient;
const events: AuditEntry[] = [];
let pg: DatabaseFixture;
let maria: DatabaseFixture;
let n = 0;

beforeAll(async () => {
  local = await startLocal();
  secrets = new SecretsClient({
    secretsManager: local.sm(),
    audit: { record: (event) => void events.push(event) },
  });
  pg = await postgresFixture('check');
  maria = await mysqlFixture('check');
});
afterAll(async () => {
  await pg?.cleanup();
  await maria?.cleanup();
  await local.endpoint.close();
});

/**
 * A database secret holding `value`, written with the SDK: create() checks the shape, and
 * some of these are meant to be wrong.
 */
async function stored(value: string): Promise<string> {
  const name = `prod/check/db${++n}`;
  await local.sm().send(
    new CreateSecretCommand({
      Name: name,
      SecretString: value,
      Tags: [{ Key: 'keystage:type', Value: 'database' }],
    }),
  );
  return name;
}

/** Everything a caller could show of a result. */
const shown = (result: unknown) =>
  [JSON.stringify(result), inspect(result, { depth: 10 }), JSON.stringify(events)].join('\n');

describe.each([
  ['PostgreSQL', () => pg, 'SQLSTATE 28P01 invalid_password'],
  ['MariaDB', () => maria, 'error 1045 ER_ACCESS_DENIED_ERROR'],
])('SecretsClient.test of a %s credential', (engine, fixture, refusal) => {
  it('logs in with the credentials and passes', async () => {
    const db = fixture();
    const result = await secrets.test(await stored(db.secret(db.app)));
    expect(result).toMatchObject({
      ok: true,
      kind: 'database',
      checks: [
        { name: 'shape', ok: true },
        { name: 'login', ok: true, reason: expect.stringContaining('SELECT 1') },
      ],
    });
  });

  it('fails the login with a wrong password, naming the refusal but no value', async () => {
    const db = fixture();
    const password = planted();
    const result = await secrets.test(await stored(db.secret({ username: db.app.username, password })));
    expect(result.ok).toBe(false);
    expect(result.checks[1]).toEqual({ name: 'login', ok: false, reason: expect.stringContaining(refusal) });
    expect(shown(result)).not.toContain(password);
    expect(shown(result)).not.toContain(db.app.username);
  });

  it('fails the login for a server that does not answer', async () => {
    const db = fixture();
    const port = await freePort();
    const result = await secrets.test(await stored(db.secret(db.app, { port })), { connectTimeoutMs: 2_000 });
    expect(result.checks[1]).toMatchObject({
      name: 'login',
      ok: false,
      reason: expect.stringContaining('Could not connect'),
    });
    expect(result.checks[1]!.reason).toContain('ECONNREFUSED');
    expect(shown(result)).not.toContain(db.app.password);
  });

  it('fails the login for a database the user may not open', async () => {
    const db = fixture();
    const result = await secrets.test(
      await stored(db.secret(db.app, { dbname: `missing_${randomBytes(4).toString('hex')}` })),
    );
    expect(result.checks[1]).toMatchObject({ name: 'login', ok: false });
    expect(result.checks[1]!.reason).toMatch(engine === 'PostgreSQL' ? /SQLSTATE 3D000/ : /error 10(44|49)/);
  });
});

describe('SecretsClient.test of database secrets it cannot log in to', () => {
  it('fails the shape check of a value that is no database secret, naming the field', async () => {
    const password = planted();
    const result = await secrets.test(
      await stored(JSON.stringify({ engine: 'postgres', username: 'u', password })),
    );
    expect(result).toMatchObject({
      ok: false,
      checks: [{ name: 'shape', ok: false, reason: expect.stringContaining('"host"') }],
    });
    expect(result.checks).toHaveLength(1);
    expect(shown(result)).not.toContain(password);
  });

  it('does not try an engine keystage has no driver for, and says so', async () => {
    const result = await secrets.test(
      await stored(
        JSON.stringify({ engine: 'oracle', host: 'db.internal', username: 'u', password: planted() }),
      ),
    );
    expect(result.checks[1]).toMatchObject({
      name: 'login',
      ok: false,
      reason: expect.stringContaining('Not tried'),
    });
  });

  it('refuses TLS to an IP address with mysql2 before sending the password', async () => {
    const result = await secrets.test(await stored(maria.secret(maria.app, { ssl: true })));
    expect(result.checks[1]).toMatchObject({
      name: 'login',
      ok: false,
      reason: expect.stringContaining('No login was attempted'),
    });
  });

  it('is audited with the outcome and the failed check names', async () => {
    events.length = 0;
    const id = await stored(pg.secret({ username: pg.app.username, password: planted() }));
    events.length = 0;
    await secrets.test(id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'test',
      event_type: 'secret_access',
      secret_name: id,
      success: true,
      details: { kind: 'database', ok: false, failed_checks: ['login'] },
    });
  });
});
