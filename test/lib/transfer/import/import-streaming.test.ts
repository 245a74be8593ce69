import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { importSecrets, writeBundle, type BundleEntry } from '../../../../lib/transfer';
import { valueChecksum } from '../../../../lib/transfer/export/secret-manifest';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { bundleDirectory } from '../bundle/bundle-fixture';
import { clientOn } from '../export/export-fixture';

// RELIABILITY 66: an import reads its bundle as a stream in both passes; it never holds the
// bundle. (import-memory.test.ts checks its memory is flat in the number of secrets;
// bench/transfer.ts measures it for 10^3 to 3 x 10^4.)

const protection = { passphrase: 'correct horse battery staple' };
const SECRETS = 1500;
const VALUE_BYTES = 2048;

let local: LocalFixture;
let dir: Awaited<ReturnType<typeof bundleDirectory>>;
let bundle: string;
let size: number;

function* entries(): Generator<BundleEntry> {
  for (let i = 0; i < SECRETS; i++) {
    const value = `${String(i).padStart(6, '0')}${'x'.repeat(VALUE_BYTES - 6)}`;
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
        sha256: valueChecksum(value),
      },
      value,
    };
  }
}

beforeAll(async () => {
  local = await startLocal();
  dir = await bundleDirectory();
  bundle = dir.path('bulk.bundle');
  await writeBundle(bundle, { content: 'keystage-export' }, entries(), protection);
  size = (await stat(bundle)).size;
});

afterAll(async () => {
  await dir.remove();
  await local.endpoint.close();
});

it('has read little of the bundle when pass 1 first looks up a target and pass 2 first writes', async () => {
  const reads: number[] = [];
  const source = (): NodeJS.ReadableStream => {
    const index = reads.push(0) - 1;
    const counted = new PassThrough();
    counted.on('data', (chunk: Buffer) => (reads[index]! += chunk.length));
    return createReadStream(bundle).pipe(counted);
  };
  const { client, sm } = clientOn(local);
  const firstSeen = new Map<string, number[]>();
  const send = sm.send.bind(sm);
  sm.send = ((command: { constructor: { name: string } }, ...rest: unknown[]) => {
    const name = command.constructor.name.replace(/Command$/, '');
    if (!firstSeen.has(name)) firstSeen.set(name, [...reads]);
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof sm.send;

  const result = await importSecrets(client, source, { protection });

  expect(result.counts.created).toBe(SECRETS);
  expect(size).toBeGreaterThan(SECRETS * VALUE_BYTES);
  // Opening reads the header; pass 1 is the second stream, pass 2 the third.
  const atFirstLookup = firstSeen.get('DescribeSecret')!;
  const atFirstWrite = firstSeen.get('CreateSecret')!;
  expect(atFirstLookup[1]!).toBeLessThan(size / 10);
  expect(atFirstWrite[1]).toBe(size);
  expect(atFirstWrite[2]!).toBeLessThan(size / 10);
  expect(reads).toEqual([expect.any(Number), size, size]);
});
