import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createRotationHandler } from '../rotation-lambdas/protocol';
import { ROTATION_STEPS } from '../rotation-lambdas/errors';
import { postgresSingleStrategy } from '../rotation-lambdas/strategies/postgres-single';
import { startScramCluster, stopScramCluster, type PostgresServer } from '../test/support/scram-postgres';
import { SecretsManagerModel } from '../test/support/secrets-manager-model';
import { appendResults, machine, median } from './machine';

// The rotation functions as Lambda loads them: the esbuild bundles in dist/rotation-lambdas
// (built here when missing). Size per bundle, and cold init: the time to require a bundle
// in a fresh node process, measured inside the child, next to the wall time of the whole
// process and of a process that requires an empty file.

const root = join(__dirname, '..', '..');
const bundleDir = join(root, 'dist', 'rotation-lambdas');
const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 10);
const MAX_KB = 300;
const MAX_INIT_MS = 150;

const handlers = readdirSync(join(root, 'rotation-lambdas', 'handlers'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -3))
  .sort();
const bundleOf = (name: string) => join(bundleDir, name, 'index.js');

function ensureBundles(): void {
  if (handlers.every((name) => existsSync(bundleOf(name)))) return;
  const script = join(root, 'scripts', 'bundle-rotation-lambdas.mjs');
  const result = spawnSync(process.execPath, [script], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('bundling the rotation functions failed');
}

/** Requires `module` in a fresh node: ms spent in require (timed by the child) and wall ms of the process. */
function coldStart(module: string): { requireMs: number; processMs: number } {
  const child = `const t = process.hrtime.bigint(); require(${JSON.stringify(module)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-e', child], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
  });
  const processMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`requiring ${module} failed: ${result.stderr}`);
  return { requireMs: Number(result.stdout), processMs };
}

/** Bundle sizes and cold init, as table lines. */
function sizeAndColdInit(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'keystage-bench-'));
  writeFileSync(join(dir, 'empty.js'), '');
  const targets = [
    { name: 'empty file (baseline)', module: join(dir, 'empty.js'), bundled: false },
    {
      name: '@aws-sdk/client-secrets-manager alone',
      module: '@aws-sdk/client-secrets-manager',
      bundled: false,
    },
    ...handlers.map((name) => ({ name, module: bundleOf(name), bundled: true })),
  ];
  const samples = targets.map(() => ({ requireMs: [] as number[], processMs: [] as number[] }));
  // The targets take turns, run by run, so each sees the same machine.
  for (let run = 0; run < RUNS; run++) {
    for (const [index, target] of targets.entries()) {
      const { requireMs, processMs } = coldStart(target.module);
      samples[index]!.requireMs.push(requireMs);
      samples[index]!.processMs.push(processMs);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const baseline = median(samples[0]!.processMs);
  const lines = [
    `| module | bundle bytes | KB (≤ ${MAX_KB}) | require ms, median of ${RUNS} (≤ ${MAX_INIT_MS}) | process ms | × empty process |`,
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const [index, target] of targets.entries()) {
    const requireMs = median(samples[index]!.requireMs);
    const processMs = median(samples[index]!.processMs);
    const verdict = (ok: boolean) => (target.bundled ? (ok ? ' met' : ' MISSED') : '');
    const bytes = target.bundled ? statSync(target.module).size : undefined;
    lines.push(
      [
        target.name,
        bytes ?? '–',
        bytes === undefined ? '–' : `${(bytes / 1024).toFixed(1)}${verdict(bytes <= MAX_KB * 1024)}`,
        `${requireMs.toFixed(1)}${verdict(requireMs <= MAX_INIT_MS)}`,
        processMs.toFixed(1),
        (processMs / baseline).toFixed(1),
      ]
        .join(' | ')
        .replace(/^/, '| ')
        .concat(' |'),
    );
  }
  return lines;
}

const ROTATIONS = Number(process.env.BENCH_ROTATIONS ?? 20);
const MAX_ROTATION_MS = 250;

async function timed(work: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * One full rotation (createSecret, setSecret, testSecret, finishSecret) of a PostgreSQL
 * single-user secret against a throwaway scram-sha-256 cluster, with Secrets Manager as the
 * in-process model, so AWS latency is left out. The baseline is the database work any
 * rotation must do, done by hand with pg: the pending login that fails, the login as the
 * current user and the password change, the login with the new password.
 */
async function fullRotation(): Promise<string[]> {
  const server: PostgresServer = await startScramCluster();
  const connect = async (user: string, password: string) => {
    const client = new Client({ host: server.host, port: server.port, user, password, database: 'postgres' });
    await client.connect();
    return client;
  };
  try {
    const admin = await connect(server.user, server.password);
    await admin.query("CREATE ROLE bench_app LOGIN PASSWORD 'bench-initial'");
    await admin.query("CREATE ROLE bench_base LOGIN PASSWORD 'base-0'");
    await admin.end();
    const secret = {
      engine: 'postgres',
      host: server.host,
      port: server.port,
      ssl: false,
      dbname: 'postgres',
    };
    const model = new SecretsManagerModel();
    model.create('bench/db', JSON.stringify({ ...secret, username: 'bench_app', password: 'bench-initial' }));
    const handler = createRotationHandler(postgresSingleStrategy(), {
      secretsManager: model.client,
      logSink: () => undefined,
    });
    const rotate = async () => {
      const token = model.startRotation('bench/db');
      for (const Step of ROTATION_STEPS)
        await handler({ Step, SecretId: 'bench/db', ClientRequestToken: token });
    };
    let password = 'base-0';
    const byHand = async () => {
      await connect('bench_base', 'wrong').then(
        (client) => client.end(),
        () => undefined,
      );
      const client = await connect('bench_base', password);
      const next = `base-${ROTATIONS}-${password.length}-${Date.now()}`;
      await client.query(`ALTER ROLE CURRENT_USER WITH PASSWORD '${next}'`);
      await client.end();
      password = next;
      const check = await connect('bench_base', password);
      await check.query('SELECT 1');
      await check.end();
    };
    await rotate();
    await byHand();
    const ours: number[] = [];
    const base: number[] = [];
    for (let run = 0; run < ROTATIONS; run++) {
      ours.push(await timed(rotate));
      base.push(await timed(byHand));
    }
    const [oursMs, baseMs] = [median(ours), median(base)];
    return [
      `| full rotation, PostgreSQL single user, median of ${ROTATIONS} | ms | × baseline | target |`,
      '| --- | --- | --- | --- |',
      `| baseline: the same logins and ALTER ROLE by hand with pg | ${baseMs.toFixed(1)} | 1.0 | |`,
      `| keystage postgres-single, 4 steps, Secrets Manager in-process | ${oursMs.toFixed(1)} | ${(oursMs / baseMs).toFixed(1)} | ≤ ${MAX_ROTATION_MS} ms ${oursMs <= MAX_ROTATION_MS ? 'met' : 'MISSED'} |`,
    ];
  } finally {
    stopScramCluster(server);
  }
}

async function main(): Promise<void> {
  ensureBundles();
  const lines: string[] = [];
  const out = (line: string) => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };
  sizeAndColdInit().forEach(out);
  out('');
  (await fullRotation()).forEach(out);

  appendResults(
    [
      `\n## Rotation functions (${new Date().toISOString()})`,
      '',
      `Machine: ${machine()}. Bundles from scripts/bundle-rotation-lambdas.mjs: minified CommonJS for Node 20, @aws-sdk/* external (the Lambda runtime provides it; here it resolves from node_modules and its load counts in require ms).`,
      `Cold init: a fresh \`node -e\` requires the bundle; require ms is timed inside the child, process ms is the parent's wall time for the whole process. Targets: ≤ ${MAX_KB} KB per bundle, require ≤ ${MAX_INIT_MS} ms.`,
      '',
      ...lines,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
