import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { createCipheriv, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { distributionRows } from './crypto/distribution';
import { envelopeRows } from './crypto/envelope';
import { shamirRows } from './crypto/shamir';
import { startEndpointProcess } from './endpoint-process';
import { appendResults, machine, median } from './machine';

// Crypto and distribution, in one run, each next to the same baseline: a bare AES-256-GCM
// encrypt (node:crypto, random key and IV per message) of the same bytes. The local endpoint
// (KMS and Secrets Manager) runs in a child process, so its work does not share the
// measured event loop.

const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const region = 'us-east-1';
const AES_RUNS = 5;
const AES_PER_RUN = 20_000;

/** Median µs of one AES-256-GCM encrypt of `size` bytes: key, IV, cipher, final, tag. */
function aesGcm(size: number): number {
  const plaintext = randomBytes(size);
  const once = (): number => {
    const cipher = createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12), { authTagLength: 16 });
    return cipher.update(plaintext).length + cipher.final().length + cipher.getAuthTag().length;
  };
  for (let i = 0; i < AES_PER_RUN; i++) once(); // JIT
  const runs: number[] = [];
  let bytes = 0;
  for (let run = 0; run < AES_RUNS; run++) {
    const started = performance.now();
    for (let i = 0; i < AES_PER_RUN; i++) bytes += once();
    runs.push(((performance.now() - started) * 1000) / AES_PER_RUN);
  }
  if (bytes === 0) throw new RangeError('unreachable'); // keeps the results alive
  return median(runs);
}

/** `| what | µs | … |` rows with a `× AES` column after the µs one. */
function withRatio(rows: readonly string[], baselineUs: number): string[] {
  return rows.map((row) => {
    const cells = row.split('|').slice(1, -1);
    const us = Number(cells[1]!.trim().replace(/,/g, ''));
    const ratio = !Number.isFinite(us) ? '' : (us / baselineUs).toFixed(us < 10 * baselineUs ? 1 : 0);
    return `|${[cells[0], cells[1], ` ${ratio} `, ...cells.slice(2)].join('|')}|`;
  });
}

async function main(): Promise<void> {
  const endpoint = await startEndpointProcess();
  const url = endpoint.url;
  try {
    const kms = new KMSClient({ endpoint: url, region, credentials, maxAttempts: 1 });
    const key = await kms.send(new CreateKeyCommand({ Description: 'bench envelope key' }));
    const aes1k = aesGcm(1024);
    const aes32 = aesGcm(32);
    const envelope = withRatio(await envelopeRows(kms, key.KeyMetadata!.Arn!), aes1k);
    const shamir = withRatio(await shamirRows(), aes32);
    const distribution = await distributionRows(url);
    kms.destroy();

    const section = [
      `\n## Crypto and distribution (${new Date().toISOString()})\n`,
      `Machine: ${machine()}. The local endpoint (KMS and Secrets Manager) runs in a child process on loopback.`,
      'Baseline, same run: a bare AES-256-GCM encrypt with node:crypto (fresh key and IV, tag) of the same bytes:',
      `${aes1k.toFixed(2)} µs for 1 KB, ${aes32.toFixed(2)} µs for 32 bytes.`,
      'Targets: envelope with the data-key cache ≤ 1 KMS call per 1,000 messages; ≤ 3 KMS calls per sealed-envelope open.\n',
      '| envelope encryption, 1 KB (AWS Encryption SDK, KMS keyring) | µs | × AES 1 KB | KMS calls per 1,000 |',
      '| --- | --- | --- | --- |',
      ...envelope,
      '',
      '| Shamir split knowledge of a 32-byte key | µs | × AES 32 B |',
      '| --- | --- | --- |',
      ...shamir,
      '',
      '| sealed distribution, against the local endpoint | value |',
      '| --- | --- |',
      ...distribution,
      '',
    ].join('\n');
    appendResults(section);
    process.stdout.write(section);
  } finally {
    endpoint.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
