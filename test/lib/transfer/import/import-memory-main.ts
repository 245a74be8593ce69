import {
  ResourceNotFoundException,
  SecretsManagerClient,
  type CreateSecretCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { createHash } from 'node:crypto';
import { SecretsClient } from '../../../../lib/client';
import { importSecrets, writeBundle, type BundleEntry, type TransferReport } from '../../../../lib/transfer';

/**
 * The child side of import-memory.test.ts, bundled from the sources and run in a process of
 * its own with --expose-gc: writes a bundle of `secrets` secrets, imports it into a Secrets
 * Manager that answers in memory and keeps nothing (so the process's heap is the import's),
 * and prints its live heap late in pass 2 (what a full GC leaves, above the idle heap).
 */

export interface MemoryTask {
  readonly bundle: string;
  readonly secrets: number;
  readonly report: TransferReport;
}

export interface MemoryReport {
  readonly created: number;
  readonly outcomes: number;
  /** Live heap late in pass 2 (the least of four samples), above the heap before the import, bytes. */
  readonly liveBytes: number;
}

const VALUE = 'v'.repeat(64);

function* entries(count: number): Generator<BundleEntry> {
  for (let i = 0; i < count; i++) {
    const value = `${i}:${VALUE}`;
    yield {
      manifest: {
        name: `prod/bulk/secret-${i}`,
        arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/bulk/secret-${i}-AbCdEf`,
        kind: 'generic',
        description: null,
        tags: { 'keystage:type': 'generic', 'keystage:environment': 'prod' },
        versionId: `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`,
        stages: ['AWSCURRENT'],
        createdAt: null,
        encoding: 'string',
        sha256: createHash('sha256').update(value).digest('hex'),
      },
      value,
    };
  }
}

/** DescribeSecret finds nothing, CreateSecret succeeds: an empty account that remembers nothing. */
function forgetfulSecretsManager(): SecretsManagerClient {
  const sm = new SecretsManagerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'memory', secretAccessKey: 'memory' },
  });
  sm.send = (async (command: { constructor: { name: string }; input: unknown }) => {
    if (command.constructor.name === 'CreateSecretCommand') {
      const { Name, ClientRequestToken } = command.input as CreateSecretCommandInput;
      return {
        $metadata: {},
        ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${Name}`,
        Name,
        VersionId: ClientRequestToken,
      };
    }
    throw new ResourceNotFoundException({
      $metadata: {},
      message: "Secrets Manager can't find the specified secret.",
    });
  }) as unknown as SecretsManagerClient['send'];
  return sm;
}

/** Outcomes after which the live heap is measured: late in pass 2, when all a run keeps is kept. */
const MEASURED_AT = [0.8, 0.85, 0.9, 0.95];

async function run(task: MemoryTask): Promise<MemoryReport> {
  const protection = { passphrase: 'correct horse battery staple' };
  await writeBundle(task.bundle, { content: 'keystage-export' }, entries(task.secrets), protection);
  const client = new SecretsClient({ secretsManager: forgetfulSecretsManager(), cache: false });
  const gc = (globalThis as { gc?: () => void }).gc!;
  const live = (): number => {
    gc();
    return process.memoryUsage().heapUsed;
  };
  const idle = live();
  const marks = new Set(MEASURED_AT.map((share) => Math.round(share * task.secrets)));
  const samples: number[] = [];
  let outcomes = 0;
  const result = await importSecrets(client, task.bundle, {
    protection,
    map: { from: 'prod/', to: 'staging/' },
    report: task.report,
    onSecret: () => {
      if (marks.has(++outcomes)) samples.push(live());
    },
  });
  if (result.counts.created !== task.secrets) throw new RangeError('test: not every secret was created');
  // The smallest sample: a moment's garbage or in-flight work adds to one sample, not to all.
  return { created: result.counts.created, outcomes, liveBytes: Math.min(...samples) - idle };
}

run(JSON.parse(process.argv[2]!) as MemoryTask).then(
  (report) => process.stdout.write(`${JSON.stringify(report)}\n`),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
    process.exitCode = 1;
  },
);
