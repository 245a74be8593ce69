import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalEndpoint, type LocalEndpoint } from '../lib/local';
import { appendResults, machine, median } from './machine';

// The local endpoint's cost per operation as the store grows from 10^2 to 10^5 secrets, on
// disk (every write fsync'd), through the real SDK over loopback. One store grows in steps;
// at each size the same operations are timed one at a time, so the ratio to 10^2 is the
// store's own scaling. Startup is a restart on the data directory at that size.

const SIZES = (process.env.BENCH_SIZES ?? '100,1000,10000,100000').split(',').map(Number);
const VALUE = 's'.repeat(256);
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const name = (i: number) => `bench/app-${String(i).padStart(6, '0')}/secret`;

const client = (endpoint: LocalEndpoint) =>
  new SecretsManagerClient({ endpoint: endpoint.url, region: 'us-east-1', credentials, maxAttempts: 1 });

async function timeEach(count: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await op(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

/** Creates secrets [from, to) with 64 requests in flight; returns ms per 1000 for each block of 1000. */
async function load(sm: SecretsManagerClient, from: number, to: number): Promise<number[]> {
  const blocks: number[] = [];
  for (let block = from; block < to; block += 1000) {
    const end = Math.min(block + 1000, to);
    let next = block;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < end) {
          const i = next++;
          await sm.send(new CreateSecretCommand({ Name: name(i), SecretString: VALUE }));
        }
      }),
    );
    blocks.push((Number(process.hrtime.bigint() - started) / 1e6 / (end - block)) * 1000);
  }
  return blocks;
}

interface Row {
  readonly size: number;
  readonly put: number;
  readonly get: number;
  readonly list: number;
  readonly startup: number;
  readonly diskMb: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keystage-bench-scale-'));
  let endpoint = await startLocalEndpoint({ dataDir: dir });
  let sm = client(endpoint);
  const rows: Row[] = [];
  let loaded = 0;
  let fillBlocks: number[] = [];
  for (const size of SIZES) {
    const blocks = await load(sm, loaded, size);
    if (size === 10_000) fillBlocks = blocks;
    loaded = size;
    // Restart: measures startup at this size and makes sure everything timed after it is on disk.
    sm.destroy();
    await endpoint.close();
    const started = process.hrtime.bigint();
    endpoint = await startLocalEndpoint({ dataDir: dir });
    const startup = Number(process.hrtime.bigint() - started) / 1e6;
    sm = client(endpoint);
    await timeEach(200, (i) => sm.send(new GetSecretValueCommand({ SecretId: name(i % size) }))); // warm-up
    const put = await timeEach(1000, () =>
      sm.send(new PutSecretValueCommand({ SecretId: name(randomInt(size)), SecretString: VALUE })),
    );
    const get = await timeEach(2000, () =>
      sm.send(new GetSecretValueCommand({ SecretId: name(randomInt(size)) })),
    );
    let token: string | undefined;
    const list = await timeEach(200, async () => {
      const page = await sm.send(new ListSecretsCommand({ MaxResults: 100, NextToken: token }));
      token = page.NextToken;
    });
    const diskMb = readdirSync(dir).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0) / 2 ** 20;
    rows.push({ size, put, get, list, startup, diskMb });
    process.stdout.write(
      `${size} secrets: put ${put.toFixed(3)} ms, get ${get.toFixed(3)} ms, list page ${list.toFixed(3)} ms, startup ${startup.toFixed(0)} ms, ${diskMb.toFixed(1)} MB\n`,
    );
  }
  sm.destroy();
  await endpoint.close();
  rmSync(dir, { recursive: true, force: true });

  const base = rows[0]!;
  const ratio = (value: number, baseline: number) => `${(value / baseline).toFixed(2)}×`;
  const largest = rows[rows.length - 1]!;
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const firstBlock = fillBlocks[0] ?? 0;
  const lastBlock = fillBlocks[fillBlocks.length - 1] ?? 0;
  const report = [
    `\n## Local endpoint at scale (${new Date().toISOString()})`,
    '',
    `Machine: ${machine()}. Persistent store on ${tmpdir()} (fdatasync per acknowledged write), real SDK over loopback, one request at a time; 256-byte values; medians of 1000 PutSecretValue, 2000 GetSecretValue on random secrets, 200 consecutive ListSecrets pages of 100. The baseline is the same operation on the same store at ${base.size} secrets, measured in the same run.`,
    '',
    '| secrets | Put ms | × | Get ms | × | ListSecrets page ms | × | startup ms | on disk MB |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${row.size} | ${row.put.toFixed(3)} | ${ratio(row.put, base.put)} | ${row.get.toFixed(3)} | ${ratio(row.get, base.get)} | ${row.list.toFixed(3)} | ${ratio(row.list, base.list)} | ${row.startup.toFixed(0)} | ${row.diskMb.toFixed(1)} |`,
    ),
    '',
    `Targets at ${largest.size}: Put ≤ 3× (${ratio(largest.put, base.put)}, ${verdict(largest.put <= 3 * base.put)}), Get ≤ 2× (${ratio(largest.get, base.get)}, ${verdict(largest.get <= 2 * base.get)}), ListSecrets page ≤ 2× (${ratio(largest.list, base.list)}, ${verdict(largest.list <= 2 * base.list)}), startup ≤ 5 s (${(largest.startup / 1000).toFixed(2)} s, ${verdict(largest.startup <= 5000)}).`,
    fillBlocks.length === 0
      ? ''
      : `Loading secrets 1001-10000 through CreateSecret (64 in flight), ms per 1000 by block: ${fillBlocks.map((ms) => ms.toFixed(0)).join(', ')}; the last block takes ${ratio(lastBlock, firstBlock)} the first (${verdict(lastBlock <= 1.5 * firstBlock)}: no slowdown as the store fills).`,
    '',
  ].join('\n');
  appendResults(report);
  process.stdout.write(report);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
