import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SecretsClient } from '../lib/client';
import { exportSecrets, importSecrets, type BundleProtection, type TransferReport } from '../lib/transfer';
import { startEndpointProcess } from './endpoint-process';
import { appendResults, machine } from './machine';

// Export and import of 10^3, 10^4 and 3 x 10^4 secrets against the local endpoint (in a child
// process), with `report: 'counts'`: the mode whose memory must stay flat in the number of
// secrets (RELIABILITY 66). Each measured job runs in a fresh process of its own, so its memory
// is its own. Live heap is what a full GC leaves, sampled every 200 ms (the forced GCs' time is
// left out of the wall time) above the idle process's: garbage-included peaks track V8's GC
// heuristics, which let a longer job's heap grow further before collecting, not what it keeps.
// Peak RSS is the kernel's (resourceUsage().maxRSS); retained heap is what is left at the end,
// with the result still held. One import with `report: 'secrets'` shows what the list costs,
// and the largest import runs again with V8's old space capped: a job that kept memory per
// secret would die there. API calls are counted at the SDK client's send.

const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const region = 'us-east-1';
const SIZES = (process.env.BENCH_TRANSFER_SIZES ?? '1000,10000,30000').split(',').map(Number);
/** Old-space cap for the capped import, MiB: the plan as objects needed 27 MiB for 3 x 10^4 secrets. */
const HEAP_CAP_MIB = 24;
const SAMPLE_MS = 200;
const VALUE_BYTES = 1024;
const SEED_IN_FLIGHT = 64;

interface JobSpec {
  readonly url: string;
  readonly job: 'export' | 'import' | 'reimport';
  readonly secrets: number;
  readonly bundle: string;
  readonly protection: BundleProtection;
  /** What the result lists. @default 'counts' */
  readonly report?: TransferReport;
  /** V8's old-space limit for the job process, MiB. @default - V8's default */
  readonly heapCapMiB?: number;
}

interface JobResult {
  readonly wallMs: number;
  readonly calls: number;
  readonly peakRssMiB: number;
  readonly liveHeapMiB: number;
  readonly retainedHeapMiB: number;
  readonly summary: string;
}

function clients(url: string): { sm: SecretsManagerClient; kms: KMSClient } {
  return {
    sm: new SecretsManagerClient({ endpoint: url, region, credentials, maxAttempts: 1 }),
    kms: new KMSClient({ endpoint: url, region, credentials, maxAttempts: 1 }),
  };
}

/** In the job process: one export or import, measured. */
async function runJob(spec: JobSpec): Promise<JobResult> {
  const { sm, kms } = clients(spec.url);
  let calls = 0;
  const send = sm.send.bind(sm);
  sm.send = ((...args: unknown[]) => {
    calls++;
    return (send as (...a: unknown[]) => unknown)(...args);
  }) as typeof sm.send;
  const client = new SecretsClient({ secretsManager: sm, kms, cache: false });
  const protection =
    'kms' in spec.protection ? { kms: { keyId: spec.protection.kms.keyId, kms } } : spec.protection;
  const report = spec.report ?? 'counts';
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  const idleHeap = process.memoryUsage().heapUsed;
  let liveHeap = idleHeap;
  let samplingMs = 0;
  const sample = (): void => {
    const start = performance.now();
    gc();
    liveHeap = Math.max(liveHeap, process.memoryUsage().heapUsed);
    samplingMs += performance.now() - start;
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  const started = performance.now();
  let summary: string;
  let result: unknown;
  if (spec.job === 'export') {
    const exported = await exportSecrets(client, {
      environment: `bench-${spec.secrets}`,
      protection,
      destination: spec.bundle,
      report,
    });
    result = exported;
    summary = `${exported.secrets} secrets, ${(statSync(spec.bundle).size / 2 ** 20).toFixed(1)} MiB bundle`;
  } else {
    const imported = await importSecrets(client, spec.bundle, {
      protection,
      map: { from: `bench-${spec.secrets}/`, to: `imported-${spec.secrets}/` },
      environment: `imported-${spec.secrets}`,
      report,
    });
    result = imported;
    summary = Object.entries(imported.counts)
      .filter(([, count]) => count > 0)
      .map(([action, count]) => `${count} ${action}`)
      .join(', ');
  }
  const wallMs = performance.now() - started - samplingMs;
  clearInterval(sampler);
  // The result is still held here: with report 'secrets', its list is live.
  sample();
  const retainedHeap = process.memoryUsage().heapUsed;
  if (result === undefined) throw new RangeError('unreachable'); // keeps the result alive until here
  return {
    wallMs,
    calls,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    liveHeapMiB: (liveHeap - idleHeap) / 2 ** 20,
    retainedHeapMiB: (retainedHeap - idleHeap) / 2 ** 20,
    summary,
  };
}

/** Runs one job in a fresh process and waits for its measurements. */
function inProcess(spec: JobSpec): Promise<JobResult> {
  const cap = spec.heapCapMiB === undefined ? [] : [`--max-old-space-size=${spec.heapCapMiB}`];
  const child = fork(__filename, ['job', JSON.stringify(spec)], {
    execArgv: ['--expose-gc', ...cap],
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: JobResult) => resolve(message));
    child.once('exit', (code) =>
      code === 0 ? undefined : reject(new Error(`the ${spec.job} job exited with ${code}`)),
    );
  });
}

/** `count` secrets tagged for environment `bench-<count>`, created through the SDK, 64 in flight. */
async function seed(sm: SecretsManagerClient, count: number): Promise<void> {
  const value = 'v'.repeat(VALUE_BYTES);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      await sm.send(
        new CreateSecretCommand({
          Name: `bench-${count}/svc/secret-${i}`,
          SecretString: `${i}:${value}`,
          Tags: [
            { Key: 'keystage:environment', Value: `bench-${count}` },
            { Key: 'keystage:service', Value: 'svc' },
            { Key: 'keystage:type', Value: 'generic' },
          ],
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: SEED_IN_FLIGHT }, worker));
}

function row(job: string, secrets: number, result: JobResult): string {
  return (
    `| ${job} | ${secrets.toLocaleString('en-US')} | ${(result.wallMs / 1000).toFixed(2)} | ` +
    `${(result.calls / secrets).toFixed(3)} | ${result.peakRssMiB.toFixed(0)} | ${result.liveHeapMiB.toFixed(1)} | ` +
    `${result.retainedHeapMiB.toFixed(1)} | ${result.summary} |`
  );
}

async function main(): Promise<void> {
  const endpoint = await startEndpointProcess();
  const dir = mkdtempSync(join(tmpdir(), 'keystage-bench-transfer-'));
  try {
    const { sm, kms } = clients(endpoint.url);
    const keyId = (await kms.send(new CreateKeyCommand({ Description: 'bench bundles' }))).KeyMetadata!.Arn!;
    const protection: BundleProtection = { kms: { keyId } };
    const rows: string[] = [];
    const largest = SIZES[SIZES.length - 1]!;
    for (const secrets of SIZES) {
      await seed(sm, secrets);
      const bundle = join(dir, `bench-${secrets}.bundle`);
      const spec = { url: endpoint.url, secrets, bundle, protection };
      rows.push(row('export, current versions', secrets, await inProcess({ ...spec, job: 'export' })));
      rows.push(
        row('import into an empty environment', secrets, await inProcess({ ...spec, job: 'import' })),
      );
      rows.push(
        row('import again (every secret unchanged)', secrets, await inProcess({ ...spec, job: 'reimport' })),
      );
      if (secrets === 10_000) {
        rows.push(
          row(
            "import again, report: 'secrets' (the result lists each)",
            secrets,
            await inProcess({ ...spec, job: 'reimport', report: 'secrets' }),
          ),
        );
      }
      if (secrets === largest) {
        const job = `import again, old space capped at ${HEAP_CAP_MIB} MiB`;
        try {
          rows.push(
            row(job, secrets, await inProcess({ ...spec, job: 'reimport', heapCapMiB: HEAP_CAP_MIB })),
          );
        } catch {
          // Memory that grows with the secrets: the job died at the cap. Say so, and fail the run.
          rows.push(
            `| ${job} | ${secrets.toLocaleString('en-US')} | died: JavaScript heap out of memory ||||||`,
          );
          process.exitCode = 1;
        }
      }
    }
    const passphrase = join(dir, 'passphrase.bundle');
    const passphraseRow = row(
      'export under a passphrase (scrypt N = 2^17)',
      SIZES[0]!,
      await inProcess({
        url: endpoint.url,
        secrets: SIZES[0]!,
        bundle: passphrase,
        job: 'export',
        protection: { passphrase: 'bench passphrase, long enough' },
      }),
    );
    sm.destroy();
    kms.destroy();

    const section = [
      `\n## Export and import bundles (${new Date().toISOString()})\n`,
      `Machine: ${machine()}. The local endpoint runs in a child process on loopback; each job in a fresh`,
      `process of its own. Secrets of ${VALUE_BYTES} bytes; bundles under a KMS key (one GenerateDataKey or`,
      "Decrypt per read); import with 8 lookups and 4 writes in flight; report: 'counts' unless the job says",
      'otherwise. Live heap is the peak of what a full GC leaves, sampled every 200 ms (the GC time left out of',
      "wall s), above the idle process's; peak RSS is the job process (resourceUsage().maxRSS); retained heap is",
      'what is left at the end, with the result still held.',
      'Targets: ≤ 2 API calls per secret for a current-version export; memory flat in the number of secrets.\n',
      '| job | secrets | wall s | API calls per secret | peak RSS MiB | live heap MiB | retained heap MiB | result |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      passphraseRow,
      '',
    ].join('\n');
    appendResults(section);
    process.stdout.write(section);
  } finally {
    endpoint.stop();
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
    main().catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  }
}
