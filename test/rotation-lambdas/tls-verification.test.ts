import { randomBytes } from 'node:crypto';
import { mysqlSingleStrategy } from '../../rotation-lambdas';
import { stepContext } from '../support/db-fixtures';
import { cleanUpBuilds, tempDir } from '../support/rotation-fixtures';
import { runProbe, type ProbeInput } from '../support/rotation-probe';
import { TestCa } from '../support/test-ca';
import { startTlsMariadb, startTlsPostgres, type TlsDatabase } from '../support/tls-databases';

// TLS to the database is required by default and verified: the certificate must chain to a
// CA the function trusts (Node's bundle plus NODE_EXTRA_CA_CERTS, set to the Lambda runtime's
// RDS bundle by the infra) and name the host in the secret. Against throwaway PostgreSQL and
// MariaDB servers with TLS on, serving certificates made here; the steps run in a child
// process that trusts this file's CA only through NODE_EXTRA_CA_CERTS.

let ca: TestCa;
let untrusted: TestCa;
const servers = new Map<'postgres' | 'mariadb', TlsDatabase>();

beforeAll(async () => {
  const dir = tempDir('keystage-tls-');
  ca = TestCa.create(dir, 'keystage-test-ca');
  untrusted = TestCa.create(dir, 'keystage-untrusted-ca');
  const first = ca.issue(['localhost']);
  const started = await Promise.allSettled([startTlsPostgres(first), startTlsMariadb(first)]);
  for (const result of started)
    if (result.status === 'fulfilled') servers.set(result.value.engine, result.value);
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
});

afterAll(async () => {
  await Promise.all([...servers.values()].map((server) => server.stop()));
  cleanUpBuilds();
});

const newPassword = () => `pw-${randomBytes(12).toString('base64url')}`;

describe.each(['postgres', 'mariadb'] as const)('%s over TLS', (engine) => {
  const server = () => servers.get(engine)!;
  const secret = (password: string, host = 'localhost') =>
    JSON.stringify({ engine, host, port: server().port, username: server().user.username, password });
  /** testSecret: log in with the (correct) pending password and run the test query. */
  const login = (host = 'localhost'): ProbeInput => ({
    engine,
    steps: ['testSecret'],
    values: { current: secret(server().user.password, host), pending: secret(server().user.password, host) },
  });

  it('rotates when the certificate chains to the trusted CA and names the host connected to', async () => {
    await server().present(ca.issue(['localhost']));
    const { password } = server().user;
    const next = newPassword();
    try {
      const result = runProbe(
        {
          engine,
          steps: ['setSecret', 'testSecret'],
          values: { current: secret(password), pending: secret(next) },
        },
        ca.certFile,
      );
      expect(result).toEqual({ ok: true });
    } finally {
      // The other tests log in with the user's first password.
      await server().admin(
        engine === 'postgres'
          ? `ALTER ROLE ${server().user.username} PASSWORD '${password}'`
          : `ALTER USER '${server().user.username}'@'%' IDENTIFIED BY '${password}'`,
      );
    }
  });

  it('fails the connection, as DATABASE_UNREACHABLE naming the certificate, when it names another host', async () => {
    await server().present(ca.issue(['db.keystage.test']));
    const result = runProbe(login(), ca.certFile);
    expect(result).toMatchObject({
      ok: false,
      reason: 'DATABASE_UNREACHABLE',
      message: expect.stringMatching(
        /^The TLS connection to .* was refused: .*DNS:db\.keystage\.test/,
      ) as unknown,
    });
  });

  it('fails the connection, as DATABASE_UNREACHABLE, when the certificate chains to a CA it was not given', async () => {
    await server().present(untrusted.issue(['localhost']));
    expect(runProbe(login(), ca.certFile)).toMatchObject({ ok: false, reason: 'DATABASE_UNREACHABLE' });
  });

  it('trusts the CA given in NODE_EXTRA_CA_CERTS, whichever it is', async () => {
    await server().present(untrusted.issue(['localhost']));
    expect(runProbe(login(), untrusted.certFile)).toEqual({ ok: true });
  });
});

describe('postgres over TLS, to an IP address', () => {
  const server = () => servers.get('postgres')!;
  const atAddress: ProbeInput['values'] = {
    get current() {
      return JSON.stringify({
        engine: 'postgres',
        host: '127.0.0.1',
        port: server().port,
        username: server().user.username,
        password: server().user.password,
      });
    },
    get pending() {
      return this.current;
    },
  };

  it('checks the address against the certificate: one naming only localhost fails', async () => {
    await server().present(ca.issue(['localhost']));
    expect(
      runProbe({ engine: 'postgres', steps: ['testSecret'], values: atAddress }, ca.certFile),
    ).toMatchObject({
      ok: false,
      reason: 'DATABASE_UNREACHABLE',
      cause: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
    });
  });

  it('logs in when the certificate names the address', async () => {
    await server().present(ca.issue(['127.0.0.1']));
    expect(runProbe({ engine: 'postgres', steps: ['testSecret'], values: atAddress }, ca.certFile)).toEqual({
      ok: true,
    });
  });
});

describe('mariadb over TLS, to an IP address', () => {
  it('is refused as INVALID_SECRET naming "host", before connecting: mysql2 cannot check an address', async () => {
    const server = servers.get('mariadb')!;
    const value = JSON.stringify({
      engine: 'mariadb',
      host: '127.0.0.1',
      port: server.port,
      username: server.user.username,
      password: server.user.password,
    });
    const strategy = mysqlSingleStrategy({ connection: { connectTimeoutMs: 2_000, queryTimeoutMs: 2_000 } });
    await expect(
      strategy.testSecret({ current: value, pending: value, previous: undefined }, stepContext()),
    ).rejects.toMatchObject({
      reason: 'INVALID_SECRET',
      message: expect.stringContaining('"host"') as unknown,
    });
  });
});
