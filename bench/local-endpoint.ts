import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLocalEndpoint } from '../lib/local';
import { appendResults, machine, median } from './machine';

// GetSecretValue round trips with the real SDK over loopback: the local endpoint against a
// bare node:http server that answers the same call with a fixed body, in the same process
// and the same run, so the ratio is the endpoint's own cost.

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 2_000);
const RUNS = 3;
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const NAME = 'bench/value';
const VALUE = 'v'.repeat(1024);

async function throughput(client: SecretsManagerClient, concurrency: number): Promise<number> {
  const deadline = Date.now() + DURATION_MS;
  let done = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      await client.send(new GetSecretValueCommand({ SecretId: NAME }));
      done++;
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return done / seconds;
}

async function measure(url: string, concurrency: number): Promise<number> {
  const client = new SecretsManagerClient({
    endpoint: url,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
  });
  await throughput(client, concurrency); // warm-up: connections, JIT
  const results: number[] = [];
  for (let i = 0; i < RUNS; i++) results.push(await throughput(client, concurrency));
  client.destroy();
  return median(results);
}

async function main(): Promise<void> {
  const endpoint = await startLocalEndpoint({ inMemory: true });
  const setup = new SecretsManagerClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
  await setup.send(new CreateSecretCommand({ Name: NAME, SecretString: VALUE }));
  const fixed = JSON.stringify({
    ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${NAME}-AbCdEf`,
    Name: NAME,
    SecretString: VALUE,
    VersionId: '00000000-0000-4000-8000-000000000000',
    VersionStages: ['AWSCURRENT'],
    CreatedDate: 1_700_000_000,
  });
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(fixed),
      });
      res.end(fixed);
    });
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;

  const rows: string[] = [];
  for (const concurrency of [1, 32]) {
    const baseline = await measure(bareUrl, concurrency);
    const local = await measure(endpoint.url, concurrency);
    const ratio = local / baseline;
    rows.push(
      `| ${concurrency} | ${local.toFixed(0)} | ${baseline.toFixed(0)} | ${(ratio * 100).toFixed(0)}% | ${ratio >= 0.5 ? 'met' : 'MISSED'} |`,
    );
    process.stdout.write(
      `concurrency ${concurrency}: local ${local.toFixed(0)} req/s, bare ${baseline.toFixed(0)} req/s, ratio ${(ratio * 100).toFixed(0)}%\n`,
    );
  }
  bare.close();
  await endpoint.close();

  const report = [
    `\n## Local endpoint: GetSecretValue over loopback (${new Date().toISOString()})`,
    '',
    `Machine: ${machine()}. Real SDK (\`@aws-sdk/client-secrets-manager\`), 1 KB value, median of ${RUNS} runs of ${DURATION_MS} ms after a warm-up; client and servers share one process.`,
    'Baseline: a bare `node:http` server answering the same call with a fixed JSON body. Target: local ≥ 50% of baseline.',
    '',
    '| concurrency | local endpoint req/s | bare server req/s | ratio | target |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  appendResults(report);
  process.stdout.write(report);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
