import { KMSClient } from '@aws-sdk/client-kms';
import {
  BatchGetSecretValueCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
  type BatchGetSecretValueCommandInput,
  type GetSecretValueCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsManagerCache } from 'aws-secrets-manager-cache';
import { SecretsClient } from '../lib';
import { appendResults, machine, median } from './machine';

// keystage's cache against Powertools Parameters (getSecret with maxAge) and
// aws-secrets-manager-cache, all reading one mocked SecretsManagerClient that answers after
// 20 ms and counts every call, and against the floor: a Map.get plus an expiry check.

const LATENCY_MS = 20;
const HOT_READS = Number(process.env.BENCH_HOT_READS ?? 1_000_000);
const STEADY_MS = Number(process.env.BENCH_STEADY_MS ?? 10_000);
const sm = mockClient(SecretsManagerClient);
let apiCalls = 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Like the service: an ARN (with or without its suffix) names the same secret as its name. */
const nameOf = (id: string) =>
  id.startsWith('arn:') ? id.split(':secret:')[1]!.replace(/-AbCdEf$/, '') : id;
const answer = (id: string, version = 'v1') => ({
  ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${nameOf(id)}-AbCdEf`,
  Name: nameOf(id),
  SecretString: 'x'.repeat(1024),
  VersionId: `${version}-00000000-0000-4000-8000-000000000000`,
  VersionStages: ['AWSCURRENT'],
});
sm.on(GetSecretValueCommand).callsFake(async (input: GetSecretValueCommandInput) => {
  apiCalls++;
  await sleep(LATENCY_MS);
  return answer(input.SecretId!);
});
sm.on(BatchGetSecretValueCommand).callsFake(async (input: BatchGetSecretValueCommandInput) => {
  apiCalls++;
  await sleep(LATENCY_MS);
  return { SecretValues: (input.SecretIdList ?? []).map((id) => answer(id)), Errors: [] };
});

type Reader = {
  readonly name: string;
  get(id: string): Promise<unknown>;
  prefetch?(ids: string[]): Promise<unknown>;
};

function readers(ttlSeconds: number): Reader[] {
  const client = new SecretsManagerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const keystage = new SecretsClient({
    secretsManager: client,
    kms: new KMSClient({ region: 'us-east-1' }),
    cache: { ttlMs: ttlSeconds * 1000 },
  });
  const powertools = new SecretsProvider({ awsSdkV3Client: client });
  // aws-secrets-manager-cache is written for SDK v2; this adapter gives it the same mocked client.
  const v2Shape = {
    getSecretValue: (params: GetSecretValueCommandInput) => ({
      promise: () => client.send(new GetSecretValueCommand(params)),
    }),
  };
  const peer = new SecretsManagerCache({ ttl: ttlSeconds * 1000, secretsManager: v2Shape as never });
  return [
    {
      name: 'keystage SecretsClient.get',
      get: (id) => keystage.get(id),
      prefetch: (ids) => keystage.prefetch(ids),
    },
    {
      name: 'Powertools SecretsProvider.get (maxAge)',
      get: (id) => powertools.get(id, { maxAge: ttlSeconds }),
    },
    { name: 'aws-secrets-manager-cache getSecret', get: (id) => peer.getSecret(id) },
  ];
}

/** The floor: what any cache hit must at least do. */
function floor(): Reader {
  const map = new Map<string, { value: string; expiresAt: number }>([
    ['hot', { value: 'x', expiresAt: Date.now() + 3_600_000 }],
  ]);
  return {
    name: 'floor: Map.get + expiry check',
    get: async (id) => {
      const entry = map.get(id);
      return entry !== undefined && entry.expiresAt > Date.now() ? entry.value : undefined;
    },
  };
}

/**
 * ns per awaited hit for each reader. The readers take turns, run by run, so each sees the
 * same machine (a shared host drifts by more than the gaps measured here); the median of
 * the runs is kept.
 */
async function hotReads(hot: readonly Reader[]): Promise<number[]> {
  for (const reader of hot) await reader.get('hot');
  const runs: number[][] = hot.map(() => []);
  for (let run = 0; run < 5; run++) {
    for (const [index, reader] of hot.entries()) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < HOT_READS; i++) await reader.get('hot');
      runs[index]!.push(Number(process.hrtime.bigint() - start) / HOT_READS);
    }
  }
  return runs.map(median);
}

async function stampede(reader: Reader, id: string): Promise<{ calls: number; ms: number }> {
  const before = apiCalls;
  const start = Date.now();
  await Promise.all(Array.from({ length: 1000 }, () => reader.get(id)));
  return { calls: apiCalls - before, ms: Date.now() - start };
}

async function steady(reader: Reader, id: string): Promise<{ p50: number; p99: number; calls: number }> {
  await reader.get(id);
  const latencies: number[] = [];
  const before = apiCalls;
  const deadline = Date.now() + STEADY_MS;
  const caller = async () => {
    while (Date.now() < deadline) {
      const start = process.hrtime.bigint();
      await reader.get(id);
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      await sleep(10);
    }
  };
  await Promise.all(Array.from({ length: 1000 }, caller));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { p50: at(0.5), p99: at(0.99), calls: apiCalls - before };
}

async function coldHundred(reader: Reader, stem: string): Promise<number> {
  const ids = Array.from({ length: 100 }, (_, i) => `${stem}/${i}`);
  const before = apiCalls;
  if (reader.prefetch !== undefined) await reader.prefetch(ids);
  for (const id of ids) await reader.get(id);
  return apiCalls - before;
}

async function heapPerEntry(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return NaN;
  const client = new SecretsManagerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const keystage = new SecretsClient({
    secretsManager: client,
    kms: new KMSClient({ region: 'us-east-1' }),
    cache: { maxEntries: 20_000 },
  });
  const ids = Array.from({ length: 10_000 }, (_, i) => `mem/${i}`);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < ids.length; i += 20) await keystage.prefetch(ids.slice(i, i + 20));
  gc();
  return (process.memoryUsage().heapUsed - before) / ids.length;
}

async function main(): Promise<void> {
  const lines: string[] = [];
  const out = (line: string) => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };

  const hot = [floor(), ...readers(300)];
  const [base, ...others] = await hotReads(hot);
  out('| hot read (median of 5 × ' + HOT_READS.toLocaleString('en') + ' awaited gets) | ns/get | × floor |');
  out('| --- | --- | --- |');
  out(`| ${hot[0]!.name} | ${base!.toFixed(0)} | 1.0 |`);
  for (const [index, ns] of others.entries())
    out(`| ${hot[index + 1]!.name} | ${ns.toFixed(0)} | ${(ns / base!).toFixed(1)} |`);

  out('\n| 1000 concurrent cold gets | API calls | wall ms |');
  out('| --- | --- | --- |');
  let n = 0;
  for (const reader of readers(300)) {
    const { calls, ms } = await stampede(reader, `stampede/${n++}`);
    out(`| ${reader.name} | ${calls} | ${ms} |`);
  }

  out(
    `\n| steady state: 1000 callers, ${STEADY_MS / 1000} s, TTL 1 s, ${LATENCY_MS} ms backend | p50 ms | p99 ms | API calls |`,
  );
  out('| --- | --- | --- | --- |');
  for (const reader of readers(1)) {
    const r = await steady(reader, `steady/${n++}`);
    out(`| ${reader.name} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${r.calls} |`);
  }

  out('\n| 100 distinct secrets, cold | API calls |');
  out('| --- | --- |');
  for (const reader of readers(300))
    out(
      `| ${reader.name}${reader.prefetch ? ' (prefetch)' : ''} | ${await coldHundred(reader, `cold/${n++}`)} |`,
    );

  const perEntry = await heapPerEntry();
  out(
    `\nkeystage heap per cached entry (10^4 secrets of 1 KB): ${Number.isNaN(perEntry) ? 'n/a (run node with --expose-gc)' : `${Math.round(perEntry)} bytes`}`,
  );

  appendResults(
    [
      `\n## Secret cache (${new Date().toISOString()})`,
      '',
      `Machine: ${machine()}. One mocked SecretsManagerClient (aws-sdk-client-mock) answers after ${LATENCY_MS} ms and counts calls; every implementation reads through it.`,
      'Targets: hot read within 3× the floor and faster than both peers; 1 call per stampede; steady-state p99 < 1 ms; ≤ 5 calls for 100 cold secrets with prefetch.',
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
