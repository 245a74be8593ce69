import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SecretsClient } from '../lib/client';
import { createBackup, restoreBackup, verifyBackup } from '../lib/transfer';
import { startEndpointProcess } from './endpoint-process';
import { appendResults, machine } from './machine';

// Backup, verification and restore of 10^3 and 10^4 secrets against the local endpoint (in a
// child process). Each measured job runs in a fresh process of its own, so its peak memory is
// its own: peak RSS from the kernel (resourceUsage().maxRSS), peak V8 heap above the idle
// process's, sampled every 5 ms. API calls are counted at the SDK client's send. Every secret
// has two labelled versions (AWSCURRENT and AWSPREVIOUS), tags, and no policy or rotation.
//
// `benchBackup(url)` runs it against an endpoint that is already up (bench/transfer.ts, or the
// lead's runner) and returns the RESULTS.md section; run this file alone to print it.

const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const region = 'us-east-1';
const VALUE_BYTES = 1024;
const IN_FLIGHT = 64;

type Job = 'backup' | 'verify' | 'restore' | 'restore-again';

interface JobSpec {
  readonly url: string;
  readonly job: Job;
  readonly secrets: number;
  readonly bundle: string;
  readonly keyId: string;
}

interface JobResult {
  readonly wallMs: number;
  readonly calls: number;
  readonly peakRssMiB: number;
  readonly peakHeapMiB: number;
  /** Live heap (after a full GC) above the idle process's: sampled every 2 s, and at the end with the result held. */
  readonly liveMiB: readonly number[];
  readonly summary: string;
}

export interface BackupBenchOptions {
  /** Numbers of secrets to back up. @default [1000, 10000] */
  readonly sizes?: readonly number[];
  /** Also restore (into the emptied environment) and restore again, for sizes up to this. @default 10000 */
  readonly restoreUpTo?: number;
}

function clients(url: string): { sm: SecretsManagerClient; kms: KMSClient } {
  return {
    sm: new SecretsManagerClient({ endpoint: url, region, credentials, maxAttempts: 1 }),
    kms: new KMSClient({ endpoint: url, region, credentials, maxAttempts: 1 }),
  };
}

const environment = (secrets: number): string => `backup-bench-${secrets}`;

/** In the job process: one backup, verification or restore, measured. */
async function runJob(spec: JobSpec): Promise<JobResult> {
  const { sm, kms } = clients(spec.url);
  let calls = 0;
  const send = sm.send.bind(sm);
  sm.send = ((...args: unknown[]) => {
    calls++;
    return (send as (...a: unknown[]) => unknown)(...args);
  }) as typeof sm.send;
  const client = new SecretsClient({ secretsManager: sm, kms, cache: false });
  const protection = { kms: { keyId: spec.keyId, kms } };
  (globalThis as { gc?: () => void }).gc?.();
  const idleHeap = process.memoryUsage().heapUsed;
  let peakHeap = idleHeap;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 5);
  const live: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  const liveSampler = setInterval(() => {
    gc?.();
    live.push((process.memoryUsage().heapUsed - idleHeap) / 2 ** 20);
  }, 2000);
  const started = performance.now();
  let summary: string;
  let result: unknown;
  if (spec.job === 'backup') {
    const backup = await createBackup(client, {
      environments: [environment(spec.secrets)],
      destination: spec.bundle,
      protection,
    });
    result = backup;
    summary = `${backup.secrets} secrets, ${backup.versions} versions, ${(statSync(spec.bundle).size / 2 ** 20).toFixed(1)} MiB`;
  } else if (spec.job === 'verify') {
    const verified = await verifyBackup(spec.bundle, { protection });
    result = verified;
    summary = `${verified.secrets} secrets, ${verified.versions} versions checked`;
  } else {
    const restored = await restoreBackup(client, spec.bundle, { protection });
    result = restored;
    const counts = new Map<string, number>();
    for (const secret of restored.secrets) counts.set(secret.status, (counts.get(secret.status) ?? 0) + 1);
    summary = `${restored.outcome}: ${[...counts].map(([status, count]) => `${count} ${status}`).join(', ')}`;
  }
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  clearInterval(liveSampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  // What the job keeps once its garbage is gone: its result (a line per secret) is still held.
  gc?.();
  live.push((process.memoryUsage().heapUsed - idleHeap) / 2 ** 20);
  if (result === undefined) throw new RangeError('unreachable'); // keeps the result alive until here
  return {
    wallMs,
    calls,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    peakHeapMiB: (peakHeap - idleHeap) / 2 ** 20,
    liveMiB: live,
    summary,
  };
}

/** Runs one job in a fresh process and waits for its measurements. */
function inProcess(spec: JobSpec): Promise<JobResult> {
  const child = fork(__filename, ['job', JSON.stringify(spec)], {
    execArgv: ['--expose-gc'],
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: JobResult) => resolve(message));
    child.once('exit', (code) =>
      code === 0 ? undefined : reject(new Error(`the ${spec.job} job exited with ${code}`)),
    );
  });
}

/** `work(i)` for i in 0..count-1, IN_FLIGHT at a time. */
async function each(count: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) await work(i);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

const nameOf = (secrets: number, i: number): string => `${environment(secrets)}/svc/secret-${i}`;

/** `count` secrets with two labelled versions each, through the SDK. */
async function seed(sm: SecretsManagerClient, count: number): Promise<void> {
  const value = 'v'.repeat(VALUE_BYTES);
  await each(count, async (i) => {
    await sm.send(
      new CreateSecretCommand({
        Name: nameOf(count, i),
        SecretString: `${i}:first:${value}`,
        Tags: [
          { Key: 'keystage:environment', Value: environment(count) },
          { Key: 'keystage:service', Value: 'svc' },
        ],
      }),
    );
    await sm.send(
      new PutSecretValueCommand({ SecretId: nameOf(count, i), SecretString: `${i}:second:${value}` }),
    );
  });
}

async function empty(sm: SecretsManagerClient, count: number): Promise<void> {
  await each(count, (i) =>
    sm.send(new DeleteSecretCommand({ SecretId: nameOf(count, i), ForceDeleteWithoutRecovery: true })),
  );
}

/** The live heap's first sample and its last (at the end), or the one there is. */
function liveOf(samples: readonly number[]): string {
  const last = samples.at(-1) ?? 0;
  return samples.length < 2 ? last.toFixed(1) : `${samples[0]!.toFixed(1)} → ${last.toFixed(1)}`;
}

function row(job: string, secrets: number, result: JobResult): string {
  return (
    `| ${job} | ${secrets.toLocaleString('en-US')} | ${(result.wallMs / 1000).toFixed(2)} | ` +
    `${(result.calls / secrets).toFixed(3)} | ${result.peakRssMiB.toFixed(0)} | ${result.peakHeapMiB.toFixed(1)} | ` +
    `${liveOf(result.liveMiB)} | ${result.summary} |`
  );
}

/**
 * Backs up, verifies and restores 10^3 and 10^4 secrets against the local endpoint at `url`
 * (its own environments, `backup-bench-<n>`), each job in a fresh process, and returns the
 * RESULTS.md section.
 * @example
 * const endpoint = await startEndpointProcess();
 * appendResults(await benchBackup(endpoint.url));
 */
export async function benchBackup(url: string, options: BackupBenchOptions = {}): Promise<string> {
  const sizes = options.sizes ?? [1_000, 10_000];
  const restoreUpTo = options.restoreUpTo ?? 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'keystage-bench-backup-'));
  const { sm, kms } = clients(url);
  try {
    const keyId = (await kms.send(new CreateKeyCommand({ Description: 'bench backups' }))).KeyMetadata!.Arn!;
    const rows: string[] = [];
    for (const secrets of sizes) {
      await seed(sm, secrets);
      const spec = { url, secrets, bundle: join(dir, `backup-${secrets}.ksb`), keyId };
      rows.push(row('backup, all labelled versions', secrets, await inProcess({ ...spec, job: 'backup' })));
      rows.push(row('verify (no restore)', secrets, await inProcess({ ...spec, job: 'verify' })));
      if (secrets <= restoreUpTo) {
        await empty(sm, secrets);
        rows.push(
          row('restore into the emptied environment', secrets, await inProcess({ ...spec, job: 'restore' })),
        );
        rows.push(
          row(
            'restore again (every secret unchanged)',
            secrets,
            await inProcess({ ...spec, job: 'restore-again' }),
          ),
        );
      }
    }
    return [
      `\n## Backup and restore (${new Date().toISOString()})\n`,
      `Machine: ${machine()}. The local endpoint runs in a child process on loopback; each job in a fresh`,
      `process of its own. Secrets of ${VALUE_BYTES} bytes with two labelled versions each (AWSCURRENT,`,
      'AWSPREVIOUS) and tags; bundles under a KMS key. A backup reads per secret DescribeSecret,',
      'ListSecretVersionIds, GetResourcePolicy and GetSecretValue for each labelled version but AWSCURRENT,',
      'which one BatchGetSecretValue reads for 20 secrets; a restore verifies the bundle first (a second',
      'pass), then per secret captures the target (3 reads) and writes. Peak RSS is the job process',
      "(resourceUsage().maxRSS); peak heap is V8's heap above the idle process's, sampled every 5 ms",
      '(garbage included); live heap is the heap after a full GC, every 2 s from the start (first) and at',
      'the end with the result held (last): what the job keeps. Target: memory flat in the number of secrets.\n',
      '| job | secrets | wall s | API calls per secret | peak RSS MiB | peak heap MiB | live heap MiB | result |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n');
  } finally {
    sm.destroy();
    kms.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  if (process.argv[2] === 'job') {
    runJob(JSON.parse(process.argv[3]!) as JobSpec)
      // Exit once the answer is out: the SDK clients' keep-alive sockets would hold the process.
      .then((result) => process.send!(result, () => process.exit(0)))
      .catch((error: unknown) => {
        console.error(error);
        process.exitCode = 1;
      });
  } else {
    void (async () => {
      const endpoint = await startEndpointProcess();
      try {
        const sizes = process.env.BENCH_BACKUP_SIZES?.split(',').map(Number);
        appendResults(await benchBackup(endpoint.url, sizes === undefined ? {} : { sizes }));
      } finally {
        endpoint.stop();
      }
    })().catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  }
}
