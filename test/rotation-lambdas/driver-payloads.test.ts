import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import {
  ErrorFacts,
  RotationStepError,
  createGenericStrategy,
  createRotationHandler,
  mysqlAlternatingStrategy,
} from '../../rotation-lambdas';
import { mysqlFixture, postgresFixture, type DatabaseFixture } from '../support/db-fixtures';
import { SecretsManagerModel } from '../support/secrets-manager-model';

// A driver's error carries what it sent and what the server said: mysql2 the statement
// (`sql`, with ALTER USER's password literal) and `sqlMessage`, pg `detail`, `where` and a
// message that can quote a parameter. A rotation error keeps only the facts of such a cause,
// so the pending password planted here shows in no rendering of the step's error, in no
// message or stack down its cause chain, and in no log line. Real failures of the machine's
// MariaDB and the throwaway PostgreSQL cluster, through the rotation handler.

const connection = { connectTimeoutMs: 2_000, queryTimeoutMs: 5_000 };
const planted = () => `planted-${randomBytes(12).toString('hex')}`;

/** Every way an error is shown or logged, joined, so a test can look for a value in all of them. */
function renderings(error: unknown): string {
  const chain: string[] = [];
  for (let link: unknown = error; link instanceof Error; link = link.cause) {
    chain.push(link.message, link.stack ?? '');
  }
  return [
    inspect(error, { depth: Infinity, showHidden: true }),
    JSON.stringify(error),
    String(error),
    ...chain,
  ].join('\n');
}

interface Run {
  readonly error: unknown;
  readonly lines: readonly string[];
}

/** Runs setSecret for a rotation whose AWSPENDING value is `pending`; resolves to its failure. */
async function failedSetSecret(
  model: SecretsManagerModel,
  id: string,
  pending: string,
  strategy: Parameters<typeof createRotationHandler>[0],
): Promise<Run> {
  const token = model.startRotation(id);
  model.call('PutSecretValue', {
    SecretId: id,
    ClientRequestToken: token,
    SecretString: pending,
    VersionStages: ['AWSPENDING'],
  });
  const lines: string[] = [];
  const handler = createRotationHandler(strategy, {
    secretsManager: model.client,
    logSink: (line) => lines.push(line),
  });
  const error = await handler({ Step: 'setSecret', SecretId: id, ClientRequestToken: token }).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  return { error, lines };
}

describe('MariaDB: a statement that fails with the pending password in it', () => {
  let db: DatabaseFixture;
  /** A master that may read users but not create them. */
  let master: { username: string; password: string };
  beforeAll(async () => {
    db = await mysqlFixture('kspayload');
    // Named with the fixture's prefix, so its cleanup removes it.
    master = {
      username: `${db.master.username.slice(0, -2)}_l`,
      password: `pw-${randomBytes(9).toString('hex')}`,
    };
    await db.admin(`CREATE USER '${master.username}'@'%' IDENTIFIED BY '${master.password}'`);
    await db.admin(`GRANT SELECT ON mysql.* TO '${master.username}'@'%'`);
    await db.admin(`GRANT SELECT ON \`${db.dbname}\`.* TO '${master.username}'@'%'`);
  });
  afterAll(async () => {
    await db.cleanup();
  });

  /** CREATE USER ... IDENTIFIED BY '<pending password>' as the master that may not create users. */
  async function createUserRefused(password: string): Promise<Run> {
    const model = new SecretsManagerModel();
    const masterArn = model.create('master', db.secret(master));
    const current = db.secret(db.app, { masterarn: masterArn });
    const id = model.create('app', current);
    const pending = JSON.stringify({
      ...JSON.parse(current),
      username: `${db.app.username}_clone`,
      password,
    });
    return failedSetSecret(model, id, pending, mysqlAlternatingStrategy({ connection }));
  }

  it('fails setSecret with DATABASE_ERROR whose cause keeps the error number, code and SQLSTATE only', async () => {
    const { error } = await createUserRefused(planted());
    expect(error).toBeInstanceOf(RotationStepError);
    expect(error).toMatchObject({ step: 'setSecret', reason: 'DATABASE_ERROR' });
    const cause = (error as Error).cause;
    expect(cause).toBeInstanceOf(ErrorFacts);
    expect({ ...(cause as ErrorFacts) }).toEqual({
      name: 'ErrorFacts',
      errorName: 'Error',
      code: 'ER_SPECIFIC_ACCESS_DENIED_ERROR',
      errno: 1227,
      sqlState: '42000',
    });
  });

  it('shows the password in no rendering of the error, its cause chain or the log', async () => {
    const password = planted();
    const { error, lines } = await createUserRefused(password);
    expect(error).toMatchObject({ reason: 'DATABASE_ERROR' });
    expect(renderings(error)).not.toContain(password);
    expect(lines.join('\n')).not.toContain(password);
  });
});

describe('PostgreSQL: a custom strategy whose own statement fails with the new value in it', () => {
  let db: DatabaseFixture;
  beforeAll(async () => {
    db = await postgresFixture('kspayload');
    await db.admin(`CREATE TABLE downstream_checked (credential text CHECK (credential = 'never'))`);
    await db.admin('CREATE TABLE downstream_numbers (credential integer)');
  });
  afterAll(async () => {
    await db.cleanup();
  });

  /** A generic rotation whose apply hook hands the new value to `table`; the driver's own error is kept too. */
  async function applyRefused(table: string, password: string): Promise<Run & { raw: unknown }> {
    let raw: unknown;
    const strategy = createGenericStrategy({
      kind: 'password',
      apply: async (value) => {
        try {
          await db.admin(`INSERT INTO ${table} (credential) VALUES ($1)`, [value]);
        } catch (error) {
          raw = error;
          throw error;
        }
      },
    });
    const model = new SecretsManagerModel();
    const id = model.create('downstream', 'old-value');
    return { ...(await failedSetSecret(model, id, password, strategy)), raw };
  }

  it.each([
    ['a check constraint, whose detail quotes the row', 'downstream_checked', '23514'],
    ['a parameter of the wrong type, which the message quotes', 'downstream_numbers', '22P02'],
  ])(
    '%s: the password is in the driver error, and in no rendering of the step error or the log',
    async (_what, table, sqlState) => {
      const password = planted();
      const { error, lines, raw } = await applyRefused(table, password);
      // What the step would have shown without the facts-only cause.
      expect(inspect(raw, { depth: Infinity })).toContain(password);
      expect(error).toMatchObject({ step: 'setSecret', reason: 'UNEXPECTED_ERROR' });
      expect((error as Error).cause).toMatchObject({
        errorName: 'DatabaseError',
        code: sqlState,
        severity: 'ERROR',
      });
      expect(renderings(error)).not.toContain(password);
      expect(lines.join('\n')).not.toContain(password);
    },
  );
});

describe('Secrets Manager: a failed call', () => {
  it('keeps the AWS error name, request id and HTTP status, and none of the raw response', async () => {
    const value = planted();
    const model = new SecretsManagerModel();
    const id = model.create('throttled', 'old-value');
    const token = model.startRotation(id);
    model.before = (operation) => {
      if (operation !== 'PutSecretValue') return;
      throw Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400, requestId: 'b2c7a3f0-0000-4000-8000-000000000001' },
        $response: { body: value },
      });
    };
    const strategy = createGenericStrategy({ kind: 'password' });
    const handler = createRotationHandler(strategy, {
      secretsManager: model.client,
      logSink: () => undefined,
    });
    const error = await handler({ Step: 'createSecret', SecretId: id, ClientRequestToken: token }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toMatchObject({ step: 'createSecret', reason: 'SECRETS_MANAGER_ERROR' });
    expect((error as Error).cause).toMatchObject({
      errorName: 'ThrottlingException',
      requestId: 'b2c7a3f0-0000-4000-8000-000000000001',
      httpStatusCode: 400,
    });
    expect(renderings(error)).not.toContain(value);
  });
});
