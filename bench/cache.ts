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
import { SecretCache, type FetchedSecret, type SecretSource } from '../lib/cache';
import { ThrottledError } from '../lib/errors';
import { appendResults, machine, median } from './machine';

// keystage's cache against Powertools Parameters (getSecret with maxAge) and
// aws-secrets-manager-cache, all reading one mocked SecretsManagerClient that answers after
// 20 ms and counts every call, and against the floor: a Map.get plus an expiry check.
// Then the cache's own behaviour: memory per secret, hit rates under scans and skew,
// invalidation churn and refresh backoff.

const LATENCY_MS = 20;
const HOT_READS = Number(process.env.BENCH_HOT_READS ?? 1_000_000);
const STEADY_MS = Number(process.env.BENCH_STEADY_MS ?? 10_000);
/** The cache size for the hit-rate traces; the working set is ten times this. */
const HIT_N = Number(process.env.BENCH_HIT_N ?? 1000);
const MEMORY_SIZES = (process.env.BENCH_MEMORY_SIZES ?? '10000,100000').split(',').map(Number);
const VALUE_CHARS = 1024;
const sm = mockClient(SecretsManagerClient);
let apiCalls = 0;
/** The memory runs answer at once: 10^5 reads at 20 ms would take an hour. */
let latencyMs = LATENCY_MS;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Like the service: an ARN (with or without its suffix) names the same secret as its name. */
const nameOf = (id: string) =>
  id.startsWith('arn:') ? id.split(':secret:')[1]!.replace(/-AbCdEf$/, '') : id;
/**
 * The answer as the SDK hands it over: parsed from JSON, so every string in it is flat and new,
 * and the value is a string of exactly VALUE_CHARS one-byte characters ('x'.repeat would
 * build a rope whose parts all answers share).
 */
const answer = (id: string, version = 'v1') =>
  JSON.parse(
    JSON.stringify({
      ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${nameOf(id)}-AbCdEf`,
      Name: nameOf(id),
      SecretString: 'x'.repeat(VALUE_CHARS),
      VersionId: `${version}-00000000-0000-4000-8000-000000000000`,
      VersionStages: ['AWSCURRENT'],
    }),
  ) as { ARN: string; Name: string; SecretString: string; VersionId: string };
sm.on(GetSecretValueCommand).callsFake(async (input: GetSecretValueCommandInput) => {
  apiCalls++;
  if (latencyMs > 0) await sleep(latencyMs);
  return answer(input.SecretId!);
});
sm.on(BatchGetSecretValueCommand).callsFake(async (input: BatchGetSecretValueCommandInput) => {
  apiCalls++;
  if (latencyMs > 0) await sleep(latencyMs);
  return { SecretValues: (input.SecretIdList ?? []).map((id) => answer(id)), Errors: [] };
});

type Reader = {
  readonly name: string;
  get(id: string): Promise<unknown>;
  prefetch?(ids: string[]): Promise<unknown>;
};

const newSdkClient = () =>
  new SecretsManagerClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

function readers(ttlSeconds: number, maxEntries = 1000): Reader[] {
  const client = newSdkClient();
  const keystage = new SecretsClient({
    secretsManager: client,
    kms: new KMSClient({ region: 'us-east-1' }),
    cache: { ttlMs: ttlSeconds * 1000, maxEntries },
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

/** The floor: what any cache hit must at least do, and what any cache must at least hold. */
function floor(): Reader {
  const client = newSdkClient();
  const map = new Map<string, { value: string; expiresAt: number }>();
  return {
    name: 'floor: Map.get + expiry check',
    get: async (id) => {
      const entry = map.get(id);
      if (entry !== undefined && entry.expiresAt > Date.now()) return entry.value;
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: id }));
      map.set(id, { value: SecretString!, expiresAt: Date.now() + 300_000 });
      return SecretString;
    },
  };
}

/** The values alone, in an array: what every reader must hold at least. */
function valuesOnly(): Reader {
  const client = newSdkClient();
  const values: unknown[] = [];
  return {
    name: 'the values alone',
    get: async (id) => {
      values.push((await client.send(new GetSecretValueCommand({ SecretId: id }))).SecretString);
    },
  };
}

/** keystage's SecretCache on its own, over the same mocked client, to show the cache's share. */
function secretCacheReader(maxEntries: number): Reader {
  const client = newSdkClient();
  const source: SecretSource = {
    fetch: async (id) => {
      const out = await client.send(new GetSecretValueCommand({ SecretId: id }));
      return {
        arn: out.ARN!,
        name: out.Name!,
        versionId: out.VersionId!,
        text: out.SecretString,
        binary: undefined,
      };
    },
    fetchMany: async () => ({ values: new Map(), errors: new Map() }),
  };
  const cache = new SecretCache(source, { maxEntries });
  return {
    name: 'keystage SecretCache.peekText',
    get: (id) => cache.peekText(id, {}) ?? cache.get(id),
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

// ---- memory ----------------------------------------------------------------------------

const gc = (globalThis as { gc?: () => void }).gc;

function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

/**
 * Heap retained per id after `fill` read every id once, measured after a full GC. The ids
 * exist before and after (a service holds its secret names anyway); the mock's call log is
 * cleared before measuring, since it is the mock's memory, not the reader's.
 */
async function retainedPerId(
  fill: (id: string) => Promise<unknown>,
  ids: readonly string[],
): Promise<number> {
  sm.resetHistory(); // what earlier sections' calls left in the log must not be freed mid-measurement
  const before = heapAfterGc();
  for (let i = 0; i < ids.length; i += 100) await Promise.all(ids.slice(i, i + 100).map(fill));
  sm.resetHistory();
  return (heapAfterGc() - before) / ids.length;
}

interface MemoryRow {
  readonly name: string;
  readonly bytes: number;
}

/**
 * One reader's row, in a frame of its own: a suspended async function keeps its temporaries,
 * so a reader made in the caller's loop would still be alive while the next one is measured.
 */
async function measureReader(
  make: () => Reader,
  ids: readonly string[],
  valueBytes: number,
): Promise<MemoryRow> {
  const reader = make();
  const perId = await retainedPerId((id) => reader.get(id), ids);
  return { name: reader.name, bytes: perId - valueBytes };
}

/** Bytes per cached secret over the value, for each reader, at `size` secrets. */
async function memory(size: number): Promise<{ value: number; rows: MemoryRow[] }> {
  latencyMs = 0;
  const ids = Array.from({ length: size }, (_, i) => `mem${size}/${i}`);
  // The value's own size, measured the same way: the same answers, kept in an array.
  const valueBytes = (await measureReader(valuesOnly, ids, 0)).bytes - 8; // less the array's slot
  const makers: Array<() => Reader> = [
    floor,
    () => readers(300, size * 2)[0]!,
    () => secretCacheReader(size * 2),
    () => readers(300)[1]!,
    () => readers(300)[2]!,
  ];
  const rows: MemoryRow[] = [];
  for (const make of makers) rows.push(await measureReader(make, ids, valueBytes));
  latencyMs = LATENCY_MS;
  return { value: valueBytes, rows };
}

// ---- hit rates -------------------------------------------------------------------------

/** A seeded generator (mulberry32), so every policy reads the same trace. Not for secrets. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cyclicTrace(workingSet: number, passes: number): string[] {
  const ids = Array.from({ length: workingSet }, (_, i) => `scan/${i}`);
  return Array.from({ length: passes }, () => ids).flat();
}

function zipfTrace(workingSet: number, length: number, s: number): string[] {
  const ids = Array.from({ length: workingSet }, (_, i) => `zipf/${i}`);
  const cdf = new Float64Array(workingSet);
  let total = 0;
  for (let k = 0; k < workingSet; k++) cdf[k] = total += 1 / (k + 1) ** s;
  const random = seeded(12);
  return Array.from({ length }, () => {
    const u = random() * total;
    let lo = 0;
    let hi = workingSet - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return ids[lo]!;
  });
}

/** Hits over the trace after its first `warm` reads. */
type Policy = { readonly name: string; run(trace: readonly string[], warm: number): Promise<number> };

/** Plain LRU: a Map in recency order, a hit moves its key to the back. */
function plainLru(capacity: number): Policy {
  return {
    name: 'plain LRU (Map, move to back on hit)',
    run: async (trace, warm) => {
      const map = new Map<string, true>();
      let hits = 0;
      for (const [i, id] of trace.entries()) {
        if (map.delete(id)) {
          if (i >= warm) hits++;
        } else if (map.size >= capacity) map.delete(map.keys().next().value as string);
        map.set(id, true);
      }
      return hits;
    },
  };
}

/** The cache's eviction before this change: CLOCK (second chance) over a Map in insertion order. */
function clock(capacity: number): Policy {
  return {
    name: 'CLOCK (keystage before: second chance)',
    run: async (trace, warm) => {
      const map = new Map<string, { recent: boolean }>();
      let hits = 0;
      for (const [i, id] of trace.entries()) {
        const entry = map.get(id);
        if (entry !== undefined) {
          entry.recent = true;
          if (i >= warm) hits++;
          continue;
        }
        map.set(id, { recent: false });
        while (map.size > capacity) {
          const [oldest, state] = map.entries().next().value as [string, { recent: boolean }];
          map.delete(oldest);
          if (state.recent) map.set(oldest, { recent: false });
        }
      }
      return hits;
    },
  };
}

/** keystage's SecretCache itself, over a source that answers at once. */
function keystagePolicy(capacity: number): Policy {
  return {
    name: 'keystage SecretCache (W-TinyLFU)',
    run: async (trace, warm) => {
      const source: SecretSource = {
        fetch: async (id) => ({
          arn: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}-AbCdEf`,
          name: id,
          versionId: 'v1-00000000-0000-4000-8000-000000000000',
          text: 'x',
          binary: undefined,
        }),
        fetchMany: async () => ({ values: new Map(), errors: new Map() }),
      };
      const cache = new SecretCache(source, { maxEntries: capacity });
      for (let i = 0; i < warm; i++) await cache.get(trace[i]!);
      const before = cache.stats().hits;
      for (let i = warm; i < trace.length; i++) await cache.get(trace[i]!);
      return cache.stats().hits - before;
    },
  };
}

// ---- churn and backoff -----------------------------------------------------------------

/** A source over real time: answers after 20 ms, counts calls per id, fails when told to. */
class TimedSource implements SecretSource {
  readonly calls = new Map<string, number>();
  failing = false;
  async fetch(id: string): Promise<FetchedSecret> {
    this.calls.set(id, (this.calls.get(id) ?? 0) + 1);
    await sleep(LATENCY_MS);
    if (this.failing) throw new ThrottledError('Rate exceeded');
    return {
      arn: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}-AbCdEf`,
      name: id,
      versionId: 'v1-00000000-0000-4000-8000-000000000000',
      text: 'x',
      binary: undefined,
    };
  }
  async fetchMany(): Promise<never> {
    throw new ThrottledError('not used');
  }
}

/** Reads of B, one every 11 ms for about a second, while A is invalidated every 10 ms. */
async function churn(): Promise<{ reads: number; fetches: number }> {
  const source = new TimedSource();
  const cache = new SecretCache(source, { ttlMs: 300_000 });
  const invalidator = setInterval(() => cache.invalidate('churn/a'), 10);
  let reads = 0;
  const deadline = Date.now() + 1000;
  while (Date.now() < deadline) {
    await cache.get('churn/b');
    reads++;
    await sleep(11);
  }
  clearInterval(invalidator);
  cache.close();
  return { reads, fetches: source.calls.get('churn/b') ?? 0 };
}

/**
 * Refresh attempts while the backend throttles: a read every 10 ms for 60 s of simulated
 * time from the start of the refresh-ahead window (TTL 60 s, refresh ahead 20 s, so the
 * value expires after 20 s and is served stale after that).
 */
async function backoff(): Promise<{ reads: number; attempts: number; served: number }> {
  let now = 0;
  const calls = { n: 0 };
  let failing = false;
  const source: SecretSource = {
    fetch: async (id) => {
      calls.n++;
      if (failing) throw new ThrottledError('Rate exceeded');
      return {
        arn: `arn:aws:secretsmanager:us-east-1:0:secret:${id}-AbCdEf`,
        name: id,
        versionId: 'v1',
        text: 'x',
        binary: undefined,
      };
    },
    fetchMany: async () => ({ values: new Map(), errors: new Map() }),
  };
  const cache = new SecretCache(source, {
    ttlMs: 60_000,
    refreshAheadMs: 20_000,
    maxStaleMs: 120_000,
    now: () => now,
  });
  await cache.get('backoff');
  failing = true;
  now = 40_000;
  const before = calls.n;
  let reads = 0;
  let served = 0;
  for (; now < 100_000; now += 10) {
    if ((await cache.get('backoff')).text === 'x') served++;
    reads++;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { reads, attempts: calls.n - before, served };
}

async function main(): Promise<void> {
  const lines: string[] = [];
  const out = (line: string) => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };
  const only = process.env.BENCH_ONLY?.split(',');
  const runs = (part: string) => only === undefined || only.includes(part);

  if (runs('hot')) {
    const hot = [floor(), ...readers(300), secretCacheReader(1000)];
    const [base, ...others] = await hotReads(hot);
    out(
      '| hot read (median of 5 × ' + HOT_READS.toLocaleString('en') + ' awaited gets) | ns/get | × floor |',
    );
    out('| --- | --- | --- |');
    out(`| ${hot[0]!.name} | ${base!.toFixed(0)} | 1.0 |`);
    for (const [index, ns] of others.entries())
      out(`| ${hot[index + 1]!.name} | ${ns.toFixed(0)} | ${(ns / base!).toFixed(2)} |`);
  }

  if (runs('calls')) {
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
  }

  if (runs('memory')) {
    if (gc === undefined) out('\nmemory: n/a (run node with --expose-gc)');
    else {
      const results = [];
      for (const size of MEMORY_SIZES) results.push(await memory(size));
      out(
        `\n| heap per cached secret over the value, after GC (values of ${VALUE_CHARS} one-byte characters; target ≤ 400 for keystage) | ` +
          MEMORY_SIZES.map((size) => `${size.toLocaleString('en')} secrets`).join(' | ') +
          ' |',
      );
      out('| --- |' + MEMORY_SIZES.map(() => ' --- |').join(''));
      out(`| the value itself (subtracted below) | ${results.map((r) => r.value.toFixed(0)).join(' | ')} |`);
      for (const [index, row] of results[0]!.rows.entries())
        out(`| ${row.name} | ${results.map((r) => r.rows[index]!.bytes.toFixed(0)).join(' | ')} |`);
    }
  }

  if (runs('hits')) {
    const workingSet = HIT_N * 10;
    const cyclic = cyclicTrace(workingSet, 20);
    const zipf = zipfTrace(workingSet, 60 * workingSet, 1.0);
    const traces = [
      { name: `cyclic scan of ${workingSet.toLocaleString('en')} ids`, trace: cyclic, warm: workingSet },
      { name: `Zipf s=1.0 over ${workingSet.toLocaleString('en')} ids`, trace: zipf, warm: 10 * workingSet },
    ];
    out(
      `\n| hit rate, maxEntries ${HIT_N.toLocaleString('en')} | ${traces.map((t) => t.name).join(' | ')} |`,
    );
    out('| --- |' + traces.map(() => ' --- |').join(''));
    for (const policy of [keystagePolicy(HIT_N), plainLru(HIT_N), clock(HIT_N)]) {
      const rates = [];
      for (const { trace, warm } of traces)
        rates.push(((100 * (await policy.run(trace, warm))) / (trace.length - warm)).toFixed(1) + '%');
      out(`| ${policy.name} | ${rates.join(' | ')} |`);
    }
  }

  if (runs('churn')) {
    const c = await churn();
    out(
      '\n| churn: secret A invalidated every 10 ms, 20 ms backend | reads of B | reads of B that fetched |',
    );
    out('| --- | --- | --- |');
    out(`| keystage SecretCache.get | ${c.reads} | ${c.fetches} |`);
    const b = await backoff();
    out(
      '\n| backoff: backend throttles for 60 s from the refresh-ahead window, a read every 10 ms | reads | served | refresh attempts |',
    );
    out('| --- | --- | --- | --- |');
    out(`| keystage SecretCache.get | ${b.reads} | ${b.served} | ${b.attempts} |`);
  }

  // A partial run (BENCH_ONLY) is a trial: only a full run is a result.
  if (only !== undefined) return;
  appendResults(
    [
      `\n## Secret cache (${new Date().toISOString()})`,
      '',
      `Machine: ${machine()}. One mocked SecretsManagerClient (aws-sdk-client-mock) answers after ${LATENCY_MS} ms and counts calls; every implementation reads through it.`,
      'Targets: hot read at or below the floor and faster than both peers; 1 call per stampede; steady-state p99 < 1 ms; ≤ 5 calls for 100 cold secrets with prefetch;',
      '≤ 400 bytes per cached secret over the value at 10^4 and 10^5; about maxEntries/N of a cyclic scan hitting and at least plain LRU on Zipf.',
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
