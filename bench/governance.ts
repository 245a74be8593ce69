import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Writable } from 'node:stream';
import { AuditChain, CloudWatchLogsAuditSink, JsonLinesAuditSink } from '../lib/audit';
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

/** Median ms of one PutLogEvents carrying `size` audit events, against the endpoint. */
async function putRoundTrip(logs: CloudWatchLogsClient, size: number): Promise<number> {
  const logGroupName = `/bench/round-trip-${size}`;
  await logs.send(new CreateLogGroupCommand({ logGroupName }));
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 'rtt' }));
  const chain = new AuditChain();
  const times: number[] = [];
  for (let i = 0; i < ROUND_TRIPS + 5; i++) {
    const now = Date.now();
    const logEvents = auditLines(size, chain).map((message) => ({ timestamp: now, message }));
    const started = process.hrtime.bigint();
    await logs.send(new PutLogEventsCommand({ logGroupName, logStreamName: 'rtt', logEvents }));
    if (i >= 5) times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(times);
}

async function failClosed(url: string, secretsManager: SecretsManagerClient) {
  const logs = new CloudWatchLogsClient({ endpoint: url, region, credentials, maxAttempts: 1 });
  const rttOne = await putRoundTrip(logs, 1);
  const rttBatch = await putRoundTrip(logs, READERS);
  let puts = 0;
  /** How long each of the sink's PutLogEvents took, round trip: what a fail-closed read waits on. */
  let putTimes: number[] = [];
  logs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutLogEventsCommand') return next(args);
      puts++;
      const started = process.hrtime.bigint();
      try {
        return await next(args);
      } finally {
        putTimes.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    },
    { step: 'initialize', name: 'countPuts' },
  );
  const audit = new CloudWatchLogsAuditSink({
    logGroupName: '/keystage/audit',
    logStreamName: 'bench',
    client: logs,
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
  const before = puts;
  putTimes = [];
  const latencies: number[] = [];
  const started = Date.now();
  await round(READS_PER_READER, latencies);
  const wallMs = Date.now() - started;
  const calls = puts - before;
  latencies.sort((a, b) => a - b);
  const at = (q: number, values = latencies) =>
    values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
  putTimes.sort((a, b) => a - b);
  const stats = audit.stats();
  await audit.close();
  client.close();
  logs.destroy();
  return {
    rttOne,
    rttBatch,
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
    const closed = await failClosed(url, secretsManager);

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
        `Machine: ${machine()}. The local endpoint (Secrets Manager and CloudWatch Logs) runs in a child process on loopback.`,
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
        `| one PutLogEvents round trip, 1 event (median of ${ROUND_TRIPS}) | ${closed.rttOne.toFixed(2)} ms | |`,
        `| one PutLogEvents round trip, ${READERS.toLocaleString('en')} events: what one group commit sends (median of ${ROUND_TRIPS}) | ${closed.rttBatch.toFixed(2)} ms | |`,
        `| reads (after a warm-up of ${READERS.toLocaleString('en')} × ${WARM_UP_READS}) | ${closed.reads.toLocaleString('en')} | |`,
        `| PutLogEvents calls | ${closed.calls} (${callsPer100.toFixed(2)} per 100 reads) | ≤ 1 per 100 ${callsPer100 <= 1 ? 'met' : 'NOT met'} |`,
        `| the sink's PutLogEvents during the reads, round trip: p50 / p99 / max | ${closed.putP50.toFixed(2)} / ${closed.putP99.toFixed(2)} / ${closed.putMax.toFixed(2)} ms | |`,
        `| read latency p50 | ${closed.p50.toFixed(2)} ms | |`,
        `| read latency p99 | ${closed.p99.toFixed(2)} ms: ${(closed.p99 / closed.rttBatch).toFixed(2)} × the ${READERS.toLocaleString('en')}-event round trip, ${(closed.p99 / closed.rttOne).toFixed(2)} × the 1-event one | ≤ 3 × ${closed.p99 <= 3 * closed.rttBatch ? 'met' : 'NOT met'} (against the round trip of the put the reads share) |`,
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

main().catch((error: unknown) => {
  process.exitCode = 1;
  throw error;
});
