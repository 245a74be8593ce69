import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * The PostgreSQL server rotation tests log in to. A server that trusts logins accepts any
 * password and proves nothing, so unless PG* points at one that refuses a wrong password,
 * a throwaway cluster with scram-sha-256 authentication is started for the run.
 */
export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Set when this run started the cluster: what to stop and remove afterwards. */
  readonly dataDir?: string;
}

export const BIN = process.env.KEYSTAGE_PG_BIN ?? '/usr/lib/postgresql/15/bin';

async function refusesWrongPassword(server: Omit<PostgresServer, 'password'>): Promise<boolean> {
  const client = new Client({
    host: server.host,
    port: server.port,
    user: server.user,
    password: `wrong-${randomBytes(8).toString('hex')}`,
    database: 'postgres',
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    await client.end();
    return false;
  } catch {
    return true;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The command line that runs a PostgreSQL binary as the `postgres` user when we are root (initdb refuses root). */
export function postgresCommand(binary: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0
    ? ['runuser', ['-u', 'postgres', '--', join(BIN, binary), ...args]]
    : [join(BIN, binary), args];
}

/** Runs a PostgreSQL binary, as the `postgres` user when we are root. */
export function asPostgres(binary: string, args: string[]): void {
  const [command, argv] = postgresCommand(binary, args);
  execFileSync(command, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export async function startScramCluster(): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'keystage-pg-'));
  const password = randomBytes(18).toString('base64url');
  const port = await freePort();
  writeFileSync(join(dir, 'pwfile'), `${password}\n`, { mode: 0o600 });
  if (process.getuid?.() === 0) {
    const { uid, gid } = JSON.parse(
      execFileSync('sh', [
        '-c',
        'printf \'{"uid":%s,"gid":%s}\' "$(id -u postgres)" "$(id -g postgres)"',
      ]).toString(),
    ) as { uid: number; gid: number };
    for (const path of [dir, join(dir, 'pwfile')]) chownSync(path, uid, gid);
  }
  const data = join(dir, 'data');
  asPostgres('initdb', [
    '-D',
    data,
    '--auth=scram-sha-256',
    '--username=postgres',
    `--pwfile=${join(dir, 'pwfile')}`,
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  asPostgres('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'server.log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c log_statement=all`,
    '-w',
    'start',
  ]);
  return { host: '127.0.0.1', port, user: 'postgres', password, dataDir: dir };
}

export function stopScramCluster(server: PostgresServer): void {
  if (server.dataDir === undefined) return;
  try {
    asPostgres('pg_ctl', ['-D', join(server.dataDir, 'data'), '-m', 'immediate', 'stop']);
  } finally {
    rmSync(server.dataDir, { recursive: true, force: true });
  }
}

/** PG* if it refuses a wrong password; otherwise a throwaway scram-sha-256 cluster. */
export async function choosePostgres(): Promise<PostgresServer> {
  const configured = {
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    user: process.env.PGUSER ?? 'postgres',
  };
  if (process.env.PGPASSWORD !== undefined && (await refusesWrongPassword(configured))) {
    return { ...configured, password: process.env.PGPASSWORD };
  }
  return startScramCluster();
}

const ENV = 'KEYSTAGE_TEST_POSTGRES';

export function publish(server: PostgresServer): void {
  process.env[ENV] = JSON.stringify(server);
}

/** The server global setup chose, in a test worker. */
export function postgresServer(): PostgresServer {
  const raw = process.env[ENV];
  if (raw === undefined)
    throw new Error(`${ENV} is not set: run the tests through jest (global setup starts PostgreSQL).`);
  return JSON.parse(raw) as PostgresServer;
}
