import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { freePort, postgresCommand } from './scram-postgres';
import type { IssuedCertificate } from './test-ca';

/**
 * Throwaway PostgreSQL and MariaDB servers with TLS on, on free loopback ports, for the tests
 * that check what the rotation drivers verify of a server's certificate. Each has a user that
 * may log in over TLS only (pg_hba `hostssl`, MariaDB `REQUIRE SSL`) with a password, and
 * serves whichever certificate a test asks for (`present`, reloaded without a restart).
 * Started once per test file (about a second each) and stopped after it.
 */
export interface TlsDatabase {
  readonly engine: 'postgres' | 'mariadb';
  readonly port: number;
  /** The user that logs in over TLS only. */
  readonly user: { readonly username: string; readonly password: string };
  /** Serves `certificate` to every connection from now on. */
  present(certificate: IssuedCertificate): Promise<void>;
  /** Runs SQL as the superuser over the server's Unix socket (no TLS involved). */
  admin(sql: string, values?: unknown[]): Promise<unknown[]>;
  stop(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;

/** When we are root, the system user a server runs as (initdb and mariadbd refuse root). */
function chownTo(user: 'postgres' | 'mysql', ...paths: string[]): void {
  if (!asRoot) return;
  const uid = Number(execFileSync('id', ['-u', user]).toString());
  const gid = Number(execFileSync('id', ['-g', user]).toString());
  for (const path of paths) chownSync(path, uid, gid);
}

function writeOwned(user: 'postgres' | 'mysql', path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chownTo(user, path);
}

const secret = () => randomBytes(15).toString('base64url');

/** Runs a command without blocking, so the two servers start side by side. */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, (error, _stdout, stderr) =>
      error === null ? resolve() : reject(new Error(`${command} failed: ${error.message} ${stderr}`)),
    );
  });
}

const asPostgres = (binary: string, args: string[]) => run(...postgresCommand(binary, args));

class ServerExited extends Error {}

async function until<T>(what: string, attempt: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const result = await attempt().catch((error: unknown) => {
      // A server that exited will not come up: say why at once.
      if (error instanceof ServerExited) throw error;
      return undefined;
    });
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startTlsPostgres(certificate: IssuedCertificate): Promise<TlsDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'keystage-pg-tls-'));
  const data = join(dir, 'data');
  const superuser = secret();
  const user = { username: 'tls_app', password: secret() };
  const port = await freePort();
  const admin = async (sql: string, values: unknown[] = []) => {
    const client = new Client({
      host: dir,
      port,
      user: 'postgres',
      password: superuser,
      database: 'postgres',
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query(sql, values)).rows as unknown[];
    } finally {
      await client.end();
    }
  };
  const writeCertificate = (issued: IssuedCertificate) => {
    writeOwned('postgres', join(data, 'server.crt'), issued.certPem);
    writeOwned('postgres', join(data, 'server.key'), issued.keyPem);
  };
  let started = false;
  const stop = async () => {
    try {
      if (started) await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    writeFileSync(join(dir, 'pwfile'), `${superuser}\n`, { mode: 0o600 });
    chownTo('postgres', dir, join(dir, 'pwfile'));
    await asPostgres('initdb', [
      '-D',
      data,
      '--auth=scram-sha-256',
      '--username=postgres',
      `--pwfile=${join(dir, 'pwfile')}`,
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    // TCP over TLS only: a connection without it is refused (SQLSTATE 28000).
    writeOwned(
      'postgres',
      join(data, 'pg_hba.conf'),
      [
        'local all all scram-sha-256',
        'hostssl all all 127.0.0.1/32 scram-sha-256',
        'hostnossl all all 127.0.0.1/32 reject',
      ].join('\n') + '\n',
    );
    writeCertificate(certificate);
    await asPostgres('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key`,
      '-w',
      'start',
    ]);
    started = true;
    await admin(`CREATE ROLE ${user.username} LOGIN PASSWORD '${user.password}'`);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    engine: 'postgres',
    port,
    user,
    admin,
    stop,
    async present(issued) {
      writeCertificate(issued);
      // The postmaster reloads on SIGHUP, a moment after pg_reload_conf() returns; a backend
      // started after that reports the new load time and serves the new certificate.
      const [{ loaded }] = (await admin('SELECT pg_conf_load_time()::text AS loaded')) as [
        { loaded: string },
      ];
      await admin('SELECT pg_reload_conf()');
      await until('the PostgreSQL reload', async () => {
        const [now] = (await admin('SELECT pg_conf_load_time()::text AS loaded')) as [{ loaded: string }];
        return now.loaded !== loaded ? true : undefined;
      });
    },
  };
}

const MARIADBD = process.env.KEYSTAGE_MARIADBD ?? 'mariadbd';
const INSTALL_DB = process.env.KEYSTAGE_MARIADB_INSTALL_DB ?? 'mariadb-install-db';

export async function startTlsMariadb(certificate: IssuedCertificate): Promise<TlsDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'keystage-mariadb-tls-'));
  const data = join(dir, 'data');
  const socketPath = join(dir, 'mariadb.sock');
  const user = { username: 'tls_app', password: secret() };
  const port = await freePort();
  const runAs = asRoot ? ['--user=mysql'] : [];
  let server: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const admin = async (sql: string, values: unknown[] = []) => {
    // root@localhost without a password, over the socket only: a server that lives seconds.
    const connection = await createConnection({ socketPath, user: 'root' });
    try {
      const [rows] = await connection.query(sql, values);
      return Array.isArray(rows) ? (rows as unknown[]) : [];
    } finally {
      await connection.end();
    }
  };
  const writeCertificate = (issued: IssuedCertificate) => {
    writeOwned('mysql', join(dir, 'server.pem'), issued.certPem);
    writeOwned('mysql', join(dir, 'server.key'), issued.keyPem);
  };
  const stop = async () => {
    try {
      if (server !== undefined && server.exitCode === null && server.signalCode === null) {
        const killer = setTimeout(() => server?.kill('SIGKILL'), 10_000);
        server.kill('SIGTERM');
        await exited;
        clearTimeout(killer);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    mkdirSync(data);
    chownTo('mysql', dir, data);
    await run(INSTALL_DB, [
      '--no-defaults',
      `--datadir=${data}`,
      ...runAs,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
    ]);
    writeCertificate(certificate);
    server = spawn(
      MARIADBD,
      [
        '--no-defaults',
        `--datadir=${data}`,
        ...runAs,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--socket=${socketPath}`,
        `--pid-file=${join(dir, 'mariadb.pid')}`,
        `--log-error=${join(dir, 'error.log')}`,
        `--ssl-cert=${join(dir, 'server.pem')}`,
        `--ssl-key=${join(dir, 'server.key')}`,
        '--skip-name-resolve',
        '--innodb-buffer-pool-size=16M',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const child = server;
    let said = '';
    child.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString()));
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('error', (error) => (said += String(error)));
    await until('MariaDB start', async () => {
      if (child.exitCode !== null || said.includes('Error')) {
        const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
        throw new ServerExited(`mariadbd did not start: ${said}${log.slice(-2000)}`);
      }
      await admin('SELECT 1');
      return true;
    });
    await admin(`CREATE USER '${user.username}'@'%' IDENTIFIED BY '${user.password}' REQUIRE SSL`);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    engine: 'mariadb',
    port,
    user,
    admin,
    stop,
    async present(issued) {
      writeCertificate(issued);
      // Reloads the certificate and key from the files the server was started with.
      await admin('FLUSH SSL');
    },
  };
}
