import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fork } from 'node:child_process';
import { Writable } from 'node:stream';
import { AuditChain, CloudWatchLogsAuditSink, JsonLinesAuditSink } from '../lib/audit';
import { fastJsonProtocol } from '../lib/audit/cloudwatch-logs-sdk';
import { SecretsClient } from '../lib/client';
import { AccessPolicy, type PolicyRule, type Principal } from '../lib/policy';
import { startEndpointProcess } from './endpoint-process';
import { appendResults, machine, median } from './machine';

// Governance on the read path, in one run:
// 1. the hot cache hit: the Map floor, today's unaudited SecretsClient.get, and get with an
//    access policy and fail-open audit (every hit recorded);
// 2. AccessPolicy.evaluate over 1,000 rules;
// 3. fail-closed audit with 1,000 concurrent readers against the local endpoint's CloudWatch
//    Logs, next to one PutLogEvents round trip measured against the same endpoint.
// The endpoint runs in a child process, so its work does not share the readers' event loop.
// The fail-closed run has a process of its own too (see failClosedInChild).

const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const region = 'us-east-1';
const NAME = 'prod/billing/db';
const RUNS = 5;
const HOT_READS = Number(process.env.BENCH_HOT_READS ?? 200_000);
/** Gets between two turns of the event loop: the audit sink writes in the turns. */
const CHUNK = 1000;
const EVALUATIONS = 200_000;
const READERS = 1000;
/**
 * Reads per reader in the fail-closed run. Readers move in lockstep, one group commit per
 * round, so this is also the number of batches: 200 gives a p99 that is not just the
 * slowest batch or two.
 */
const READS_PER_READER = Number(process.env.BENCH_READS_PER_READER ?? 200);
const WARM_UP_READS = 20;
const ROUND_TRIPS = 30;

const PRINCIPAL: Principal = Object.freeze({
  id: 'billing-api',
  email: 'billing@example.com',
  service: 'billing',
  environment: 'prod',
  roles: Object.freeze(['service']),
  sourceIp: '10.1.2.3',
});

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Reader {
  readonly name: string;
  get(id: string): Promise<unknown>;
}

/**
 * ns per awaited hit for each reader, in chunks of CHUNK gets with a turn of the event loop
 * between chunks (so a sink's background writes run). `caller` counts the time inside the
 * chunks only: what a read waits for; `wall` includes the turns: the background work too.
 * The readers take turns, run by run, so each sees the same machine.
 */
async function hotReads(readers: readonly Reader[]): Promise<Array<{ caller: number; wall: number }>> {
  for (const reader of readers) for (let i = 0; i < 10_000; i++) await reader.get(NAME); // JIT, cache
  const caller: number[][] = readers.map(() => []);
  const wall: number[][] = readers.map(() => []);
  for (let run = 0; run < RUNS; run++) {
    for (const [index, reader] of readers.entries()) {
      await turn();
      let inside = 0n;
      const started = process.hrtime.bigint();
      for (let done = 0; done < HOT_READS; done += CHUNK) {
        const chunk = process.hrtime.bigint();
        for (let i = 0; i < CHUNK; i++) await reader.get(NAME);
        inside += process.hrtime.bigint() - chunk;
        await turn();
      }
      wall[index]!.push(Number(process.hrtime.bigint() - started) / HOT_READS);
      caller[index]!.push(Number(inside) / HOT_READS);
    }
  }
  return readers.map((_, index) => ({ caller: median(caller[index]!), wall: median(wall[index]!) }));
}

/** A realistic small policy: the service reads its own secrets; the platform team manages all. */
function smallPolicy(): AccessPolicy {
  return new AccessPolicy({
    rules: [
      {
        id: 'billing-reads',
        effect: 'allow',
        services: ['billing'],
        environments: ['prod'],
        secrets: ['prod/billing/**'],
        operations: ['read', 'list'],
        sourceCidrs: ['10.0.0.0/8'],
      },
      {
        id: 'platform',
        effect: 'allow',
        roles: ['platform-admin'],
        secrets: ['**'],
        operations: ['read', 'list', 'create', 'update', 'rotate', 'delete', 'revoke', 'manage'],
      },
      {
        id: 'no-prod-delete',
        effect: 'deny',
        environments: ['prod'],
        secrets: ['prod/**'],
        operations: ['delete'],
      },
    ],
  });
}

/** 1,000 rules: one per service, each with its own secrets, environments, CIDR and a few denies. */
function largeRules(): PolicyRule[] {
  const rules: PolicyRule[] = [];
  for (let i = 0; i < 1000; i++) {
    rules.push(
      i % 10 === 9
        ? {
            id: `deny-${i}`,
            effect: 'deny',
            services: [`svc-${i}`],
            secrets: [`prod/svc-${i}/admin/**`],
            operations: ['read'],
          }
        : {
            id: `allow-${i}`,
            effect: 'allow',
            services: [`svc-${i}`],
            environments: ['prod', 'staging'],
            roles: ['service'],
            secrets: [`prod/svc-${i}/**`, `staging/svc-${i}/*`],
            operations: ['read', 'list'],
            sourceCidrs: [`10.${i % 256}.0.0/16`],
          },
    );
  }
  return rules;
}

/** Median ns per evaluate over requests that go through the whole rule set, in turn. */
function evaluations(policy: AccessPolicy): { spread: number; lastRule: number; defaultDeny: number } {
  const principal = (i: number): Principal => ({
    id: `p-${i}`,
    service: `svc-${i}`,
    environment: 'prod',
    roles: ['service'],
    sourceIp: `10.${i % 256}.3.4`,
  });
  const spread = Array.from({ length: 1000 }, (_, i) => ({
    principal: principal(i),
    operation: 'read' as const,
    secret: `prod/svc-${i}/db`,
  }));
  const last = [{ principal: principal(998), operation: 'read' as const, secret: 'prod/svc-998/db' }];
  const none = [
    {
      principal: { ...principal(5), service: 'nobody' },
      operation: 'read' as const,
      secret: 'prod/elsewhere/db',
    },
  ];
  const time = (requests: ReadonlyArray<Parameters<AccessPolicy['evaluate']>[0]>): number => {
    const runs: number[] = [];
    let allowed = 0;
    for (let run = 0; run < RUNS; run++) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < EVALUATIONS; i++)
        if (policy.evaluate(requests[i % requests.length]!).allowed) allowed++;
      runs.push(Number(process.hrtime.bigint() - started) / EVALUATIONS);
    }
    if (allowed < 0) throw new RangeError('unreachable'); // keeps the results alive
    return median(runs);
  };
  time(spread); // JIT
  return { spread: time(spread), lastRule: time(last), defaultDeny: time(none) };
}

/** An audit event's line, as the sink writes it, for the round-trip measurements. */
function auditLines(count: number, chain: AuditChain): string[] {
  return Array.from({ length: count }, () => {
    const sealed = chain.seal({
      timestamp: new Date().toISOString(),
      event_type: 'secret_access',
      user_id: PRINCIPAL.id,
      user_email: PRINCIPAL.email ?? null,
      service: PRINCIPAL.service,
      secret_name: NAME,
      environment: PRINCIPAL.environment,
      action: 'get',
      ip_address: PRINCIPAL.sourceIp ?? null,
      user_agent: null,
      success: true,
      cache_hit: true,
      version_id: '00000000-0000-4000-8000-000000000000',
      reason: null,
      request_id: '00000000-0000-4000-8000-000000000001',
      details: null,
    });
    chain.advance(sealed);
    return sealed.line;
  });
}

/** ms of ROUND_TRIPS PutLogEvents carrying `size` audit events each (after 5 unmeasured), to a new stream. */
async function putRoundTrips(logs: CloudWatchLogsClient, size: number, group: string): Promise<number[]> {
  const logGroupName = `/bench/round-trip-${group}`;
  const logStreamName = `rtt-${Date.now()}`;
  await logs.send(new CreateLogGroupCommand({ logGroupName })).catch((error: unknown) => {
    if ((error as { name?: unknown }).name !== 'ResourceAlreadyExistsException') throw error;
  });
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
  const chain = new AuditChain();
  const times: number[] = [];
  for (let i = 0; i < ROUND_TRIPS + 5; i++) {
    const now = Date.now();
    const logEvents = auditLines(size, chain).map((message) => ({ timestamp: now, message }));
    const started = process.hrtime.bigint();
    await logs.send(new PutLogEventsCommand({ logGroupName, logStreamName, logEvents }));
    if (i >= 5) times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times;
}

/** What the bench needs of an SDK request handler. */
interface RequestHandlerLike {
  handle(request: { readonly headers: Record<string, string> }, options?: unknown): Promise<unknown>;
  destroy?(): void;
}

/** `inner`, timing each PutLogEvents exchange (request written, response read) with `onPut`. */
function timedPuts(inner: RequestHandlerLike, onPut: (ms: number) => void): RequestHandlerLike {
  return {
    handle: async (request, options) => {
      if (request.headers['x-amz-target'] !== 'Logs_20140328.PutLogEvents')
        return inner.handle(request, options);
      const started = process.hrtime.bigint();
      try {
        return await inner.handle(request, options);
      } finally {
        onPut(Number(process.hrtime.bigint() - started) / 1e6);
      }
    },
    destroy: () => inner.destroy?.(),
  };
}

async function failClosed(url: string, secretsManager: SecretsManagerClient) {
  // The round trip a service calling PutLogEvents with a stock SDK client waits for.
  const logs = new CloudWatchLogsClient({ endpoint: url, region, credentials, maxAttempts: 1 });
  // The same with the JSON codec the sink's own client serialises with.
  const quick = new CloudWatchLogsClient({
    ...fastJsonProtocol(),
    endpoint: url,
    region,
    credentials,
    maxAttempts: 1,
  });
  // Measured before and after the reads, and the median of both taken: the machine's speed
  // drifts over a run, and one side alone would judge the reads against another moment.
  const trips = async () => ({
    one: await putRoundTrips(logs, 1, 'one'),
    batch: await putRoundTrips(logs, READERS, 'batch'),
    quick: await putRoundTrips(quick, READERS, 'quick'),
  });
  const before = await trips();
  /** Each of the sink's PutLogEvents exchanges over HTTP, during the reads. */
  let putTimes: number[] = [];
  // The sink makes its own client, as a service's does by default; only its HTTP handler is
  // the bench's (a stock one, wrapped to count and time the puts).
  const handler = timedPuts(logs.config.requestHandler as unknown as RequestHandlerLike, (ms) =>
    putTimes.push(ms),
  );
  const audit = new CloudWatchLogsAuditSink({
    logGroupName: '/keystage/audit',
    logStreamName: 'bench',
    clientConfig: { endpoint: url, region, credentials, requestHandler: handler as never },
  });
  const client = new SecretsClient({
    secretsManager,
    audit,
    auditFailClosed: true,
    policy: smallPolicy(),
    principal: PRINCIPAL,
  });
  await client.get(NAME); // the stream is created, the value cached
  const round = async (reads: number, latencies: number[]) => {
    const reader = async () => {
      for (let i = 0; i < reads; i++) {
        const started = process.hrtime.bigint();
        await client.get(NAME);
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    };
    await Promise.all(Array.from({ length: READERS }, reader));
  };
  await round(WARM_UP_READS, []); // warm-up: the JIT, the SDK's serialiser, the endpoint's parser
  putTimes = [];
  const latencies: number[] = [];
  const started = Date.now();
  await round(READS_PER_READER, latencies);
  const wallMs = Date.now() - started;
  const calls = putTimes.length;
  latencies.sort((a, b) => a - b);
  const at = (q: number, values = latencies) =>
    values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
  putTimes.sort((a, b) => a - b);
  const stats = audit.stats();
  await audit.close();
  const after = await trips();
  quick.destroy();
  const rttOne = median([...before.one, ...after.one]);
  const rttBatch = median([...before.batch, ...after.batch]);
  const rttQuick = median([...before.quick, ...after.quick]);
  client.close();
  logs.destroy();
  return {
    rttOne,
    rttBatch,
    rttQuick,
    reads: latencies.length,
    calls,
    p50: at(0.5),
    p99: at(0.99),
    putP50: at(0.5, putTimes),
    putP99: at(0.99, putTimes),
    putMax: at(1, putTimes),
    wallMs,
    dropped: stats.dropped,
  };
}

type FailClosedResult = Awaited<ReturnType<typeof failClosed>>;

/**
 * `failClosed` in a new Node.js process. The hot-hit run before it teaches V8 that the
 * objects of a recorded read (the entry, its queue slot, its sealed line) live until the
 * next turn, and V8 then allocates them straight into the old generation
 * (allocation-site pretenuring): the fail-closed run in the same process paid for a full
 * collection every second or so for what the hot run had learnt. Each measurement starts
 * from a fresh heap, as a service running only that workload would.
 */
async function failClosedInChild(url: string): Promise<FailClosedResult> {
  const child = fork(__filename, ['fail-closed', url], { stdio: 'inherit' });
  return new Promise<FailClosedResult>((resolve, reject) => {
    child.once('message', (message: FailClosedResult) => resolve(message));
    child.once('exit', (code) => reject(new Error(`the fail-closed run exited with ${code}`)));
  });
}

async function failClosedChild(url: string): Promise<void> {
  const secretsManager = new SecretsManagerClient({ endpoint: url, region, credentials, maxAttempts: 1 });
  const result = await failClosed(url, secretsManager);
  secretsManager.destroy();
  process.send!(result, () => process.disconnect());
}

async function main(): Promise<void> {
  const endpoint = await startEndpointProcess();
  const url = endpoint.url;
  try {
    const secretsManager = new SecretsManagerClient({ endpoint: url, region, credentials, maxAttempts: 1 });
    await secretsManager.send(new CreateSecretCommand({ Name: NAME, SecretString: 'v'.repeat(64) }));

    // 1. The hot hit.
    const floorMap = new Map<string, { value: string; expiresAt: number }>([
      [NAME, { value: 'v'.repeat(64), expiresAt: Date.now() + 3_600_000 }],
    ]);
    const floor: Reader = {
      name: 'floor: Map.get + expiry check',
      get: async (id) => {
        const entry = floorMap.get(id);
        if (entry !== undefined && entry.expiresAt > Date.now()) return entry.value;
        throw new RangeError('the floor never misses');
      },
    };
    const plain = new SecretsClient({ secretsManager });
    let lines = 0;
    const discard = new Writable({ write: (_chunk, _encoding, done) => (lines++, done()) });
    const sink = new JsonLinesAuditSink({ stream: discard });
    const governed = new SecretsClient({
      secretsManager,
      policy: smallPolicy(),
      principal: PRINCIPAL,
      audit: sink,
    });
    const readers: Reader[] = [
      floor,
      { name: 'SecretsClient.get, no policy, no audit (the hit today)', get: (id) => plain.get(id) },
      {
        name: 'SecretsClient.get, 3-rule AccessPolicy + fail-open audit (every hit recorded)',
        get: (id) => governed.get(id),
      },
    ];
    const hot = await hotReads(readers);
    await sink.flush();
    const recorded = sink.stats();

    // 2. Policy evaluation.
    const large = new AccessPolicy({ rules: largeRules() });
    const evaluation = evaluations(large);

    // 3. Fail-closed, 1,000 readers.
    const closed = await failClosedInChild(url);

    const floorNs = hot[0]!.caller;
    const row = (reader: Reader, { caller, wall }: { caller: number; wall: number }, target = '') =>
      `| ${reader.name} | ${caller.toFixed(0)} | ${wall.toFixed(0)} | ${(caller / floorNs).toFixed(2)} | ${target} |`;
    const hitTarget = hot[2]!.caller <= 1500 ? '≤ 1,500 met' : '≤ 1,500 NOT met';
    const evalTarget =
      Math.max(evaluation.spread, evaluation.lastRule, evaluation.defaultDeny) <= 5000
        ? '≤ 5,000 met'
        : '≤ 5,000 NOT met';
    const callsPer100 = (closed.calls / closed.reads) * 100;
    appendResults(
      [
        `\n## Governance: policy and audit on the read path (${new Date().toISOString()})`,
        '',
        `Machine: ${machine()}. The local endpoint (Secrets Manager and CloudWatch Logs) runs in a child process on loopback; the fail-closed run in a process of its own, so it starts from a fresh heap (the hot run before it would leave V8 allocating its events straight into the old generation).`,
        `Targets: a hit with policy + fail-open audit ≤ 1.5 µs median; AccessPolicy.evaluate over 1,000 rules ≤ 5 µs;`,
        `fail-closed with ${READERS.toLocaleString('en')} concurrent readers: ≤ 1 PutLogEvents per 100 reads, p99 read ≤ 3 × one PutLogEvents round trip.`,
        '',
        `| hot read (median of ${RUNS} × ${HOT_READS.toLocaleString('en')} awaited gets, a turn of the event loop every ${CHUNK.toLocaleString('en')}) | ns/get the caller waits | ns/get with background work | × floor | target |`,
        '| --- | --- | --- | --- | --- |',
        ...readers.map((reader, i) => row(reader, hot[i]!, i === 2 ? hitTarget : '')),
        '',
        `The audited reader's events went to a JsonLinesAuditSink on a discarding stream (keystage's own cost: queue, chain, serialise): ${recorded.written.toLocaleString('en')} written, ${recorded.dropped} dropped. "With background work" is wall time over gets, the sink's chaining and writing in the turns included.`,
        '',
        '| AccessPolicy.evaluate, 1,000 rules (median of 5 × 200,000) | ns/evaluate | target |',
        '| --- | --- | --- |',
        `| 1,000 requests in turn, each allowed by its own rule | ${evaluation.spread.toFixed(0)} | ${evalTarget} |`,
        `| one request allowed by rule 999 | ${evaluation.lastRule.toFixed(0)} | |`,
        `| one request no rule matches (default deny) | ${evaluation.defaultDeny.toFixed(0)} | |`,
        '',
        `| fail-closed audit to the local CloudWatch Logs, ${READERS.toLocaleString('en')} readers × ${READS_PER_READER} cached gets, 3-rule policy | value | target |`,
        '| --- | --- | --- |',
        `| one PutLogEvents round trip, 1 event (median of ${2 * ROUND_TRIPS}: half before the reads, half after) | ${closed.rttOne.toFixed(2)} ms | |`,
        `| one PutLogEvents round trip, ${READERS.toLocaleString('en')} events: what one group commit sends, stock SDK client (median of ${2 * ROUND_TRIPS}: half before the reads, half after) | ${closed.rttBatch.toFixed(2)} ms | |`,
        `| the same with the JSON codec the sink's own client uses (median of ${2 * ROUND_TRIPS}: half before the reads, half after) | ${closed.rttQuick.toFixed(2)} ms | |`,
        `| reads (after a warm-up of ${READERS.toLocaleString('en')} × ${WARM_UP_READS}) | ${closed.reads.toLocaleString('en')} | |`,
        `| PutLogEvents calls | ${closed.calls} (${callsPer100.toFixed(2)} per 100 reads) | ≤ 1 per 100 ${callsPer100 <= 1 ? 'met' : 'NOT met'} |`,
        `| the sink's PutLogEvents during the reads, HTTP exchange (request written, answer read): p50 / p99 / max | ${closed.putP50.toFixed(2)} / ${closed.putP99.toFixed(2)} / ${closed.putMax.toFixed(2)} ms | |`,
        `| read latency p50 | ${closed.p50.toFixed(2)} ms | |`,
        `| read latency p99 | ${closed.p99.toFixed(2)} ms: ${(closed.p99 / closed.rttBatch).toFixed(2)} × the ${READERS.toLocaleString('en')}-event round trip (stock client), ${(closed.p99 / closed.rttQuick).toFixed(2)} × with the sink's codec, ${(closed.p99 / closed.rttOne).toFixed(2)} × the 1-event one | ≤ 3 × ${closed.p99 <= 3 * closed.rttBatch ? 'met' : 'NOT met'} (against the stock round trip of the put the reads share), ${closed.p99 <= 3 * closed.rttQuick ? 'met' : 'NOT met'} against the sink's codec |`,
        `| wall time, events dropped | ${closed.wallMs} ms, ${closed.dropped} | |`,
        '',
      ].join('\n'),
    );
    plain.close();
    governed.close();
    await sink.close();
    secretsManager.destroy();
    if (lines === 0) throw new RangeError('the audit sink wrote nothing');
  } finally {
    endpoint.stop();
  }
}

(process.argv[2] === 'fail-closed' ? failClosedChild(process.argv[3]!) : main()).catch((error: unknown) => {
  process.exitCode = 1;
  throw error;
});
