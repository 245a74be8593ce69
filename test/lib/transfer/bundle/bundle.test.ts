import { CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { readdir, stat } from 'node:fs/promises';
import { PassThrough, Writable } from 'node:stream';
import { inspect } from 'node:util';
import { ValidationError } from '../../../../lib/errors';
import {
  BundleAuthenticationError,
  MAX_RECORD_BYTES,
  openBundle,
  verifyBundle,
  writeBundle,
  type BundleEntry,
} from '../../../../lib/transfer/bundle';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { bundleDirectory, readFile, saved } from './bundle-fixture';

const PLANTED = 'PLANTED-bundle-value-7f3a9c';
const protection = { passphrase: 'correct horse battery staple' };

const entries: BundleEntry[] = [
  { manifest: { name: 'prod/app/db', versionId: 'a'.repeat(32), stages: ['AWSCURRENT'] }, value: PLANTED },
  { manifest: { name: 'prod/app/key' }, value: new Uint8Array([0, 1, 2, 254, 255]) },
  { manifest: { name: 'prod/app/tags-only', tags: { team: 'billing' } } },
];

let local: LocalFixture;
let dir: Awaited<ReturnType<typeof bundleDirectory>>;

beforeAll(async () => {
  local = await startLocal();
  dir = await bundleDirectory();
});

afterAll(async () => {
  await dir.remove();
  await local.endpoint.close();
});

async function readAll(path: string, given = protection): Promise<BundleEntry[]> {
  const reader = await openBundle(path, given);
  const found: BundleEntry[] = [];
  for await (const entry of reader.entries()) found.push(entry);
  return found;
}

/** A KMS client on the endpoint that counts the commands it sends. */
function countingKms(): { readonly kms: KMSClient; readonly sent: string[] } {
  const kms = local.kms();
  const sent: string[] = [];
  const send = kms.send.bind(kms);
  kms.send = ((command: { constructor: { name: string } }, ...rest: unknown[]) => {
    sent.push(command.constructor.name);
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof kms.send;
  return { kms, sent };
}

describe('writeBundle and openBundle', () => {
  it('round-trips text, bytes and metadata-only entries under a passphrase', async () => {
    const path = dir.path('passphrase.bundle');
    const summary = await writeBundle(
      path,
      { content: 'test-entries', details: { note: 'x' } },
      entries,
      protection,
    );

    expect(summary).toMatchObject({ content: 'test-entries', entries: 3 });
    const reader = await openBundle(path, protection);
    expect(reader.header).toMatchObject({
      content: 'test-entries',
      details: { note: 'x' },
      bundleId: summary.bundleId,
      createdAt: summary.createdAt,
      protection: 'passphrase',
      formatVersion: 1,
    });
    const found = await readAll(path);
    expect(found.map((entry) => entry.manifest)).toEqual(entries.map((entry) => entry.manifest));
    expect(found[0]!.value).toBe(PLANTED);
    expect(Buffer.from(found[1]!.value as Uint8Array)).toEqual(Buffer.from([0, 1, 2, 254, 255]));
    expect(found[2]!.value).toBeUndefined();
  });

  it('reports the same digest from the writer and verifyBundle, and the bytes on disk', async () => {
    const path = dir.path('digest.bundle');
    const written = await writeBundle(path, { content: 'test-entries' }, entries, protection);

    const verified = await verifyBundle(path, protection);

    expect(verified).toMatchObject({ bundleId: written.bundleId, entries: 3, digest: written.digest });
    expect((await stat(path)).size).toBe(written.bytes);
  });

  it('round-trips under a KMS key: one GenerateDataKey to write, one Decrypt per read', async () => {
    const { kms, sent } = countingKms();
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    sent.length = 0;
    const path = dir.path('kms.bundle');

    await writeBundle(path, { content: 'test-entries' }, entries, { kms: { keyId, kms } });
    expect(sent).toEqual(['GenerateDataKeyCommand']);
    const reader = await openBundle(path, { kms: { keyId, kms } });
    const found: BundleEntry[] = [];
    for await (const entry of reader.entries()) found.push(entry);

    expect(reader.header.protection).toBe('kms');
    expect(found.map((entry) => entry.manifest)).toEqual(entries.map((entry) => entry.manifest));
    expect(found[0]!.value).toBe(PLANTED);
    expect(sent).toEqual(['GenerateDataKeyCommand', 'DecryptCommand', 'DecryptCommand']);
  });

  it('writes an empty bundle that verifies with no entries', async () => {
    const path = dir.path('empty.bundle');
    await writeBundle(path, { content: 'test-entries' }, [], protection);

    await expect(verifyBundle(path, protection)).resolves.toMatchObject({ entries: 0 });
  });

  it('streams entries from an async iterable, in order', async () => {
    const path = dir.path('async.bundle');
    async function* many(): AsyncGenerator<BundleEntry> {
      for (let i = 0; i < 500; i++) yield { manifest: { i }, value: `value-${i}-${'x'.repeat(300)}` };
    }

    const summary = await writeBundle(path, { content: 'test-entries' }, many(), protection);
    const found = await readAll(path);

    expect(summary.entries).toBe(500);
    expect(found.map((entry) => entry.manifest.i)).toEqual([...Array(500).keys()]);
  });

  it('writes the file with mode 0600 and no temporary file left beside it', async () => {
    const path = dir.path('mode.bundle');
    await writeBundle(path, { content: 'test-entries' }, entries, protection);

    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir.path('.'))).filter((name) => name.includes('.partial'))).toEqual([]);
  });

  it('leaves neither the file nor a temporary one when the entries fail part-way', async () => {
    const path = dir.path('failed.bundle');
    async function* failing(): AsyncGenerator<BundleEntry> {
      yield entries[0]!;
      throw new TypeError('source gave up');
    }

    await expect(writeBundle(path, { content: 'test-entries' }, failing(), protection)).rejects.toThrow(
      'source gave up',
    );
    const names = await readdir(dir.path('.'));
    expect(
      names.filter((name) => name.startsWith('failed.bundle') || name.includes('failed.bundle.')),
    ).toEqual([]);
  });

  it('keeps what a path held when writing over it fails', async () => {
    const path = dir.path('kept.bundle');
    const first = await writeBundle(path, { content: 'test-entries' }, entries, protection);
    async function* failing(): AsyncGenerator<BundleEntry> {
      yield entries[0]!;
      throw new TypeError('source gave up');
    }

    await expect(writeBundle(path, { content: 'test-entries' }, failing(), protection)).rejects.toThrow();

    await expect(verifyBundle(path, protection)).resolves.toMatchObject({ bundleId: first.bundleId });
  });

  it('destroys a stream destination when writing fails, and what it received never verifies', async () => {
    const received: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        received.push(chunk);
        done();
      },
    });
    async function* failing(): AsyncGenerator<BundleEntry> {
      for (let i = 0; i < 300; i++) yield { manifest: { i }, value: 'y'.repeat(1000) };
      throw new TypeError('source gave up');
    }

    await expect(writeBundle(sink, { content: 'test-entries' }, failing(), protection)).rejects.toThrow();

    expect(sink.destroyed).toBe(true);
    expect(received.length).toBeGreaterThan(0);
    const path = await saved(dir.path('partial-stream.bundle'), Buffer.concat(received));
    await expect(verifyBundle(path, protection)).rejects.toBeInstanceOf(BundleAuthenticationError);
  });

  it('writes to a stream and ends it', async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = new Promise((resolve) => stream.on('end', resolve));

    await writeBundle(stream, { content: 'test-entries' }, entries, protection);
    await ended;

    const path = await saved(dir.path('from-stream.bundle'), Buffer.concat(chunks));
    await expect(verifyBundle(path, protection)).resolves.toMatchObject({ entries: 3 });
  });

  it('reads from a function that opens a stream, once per pass', async () => {
    const path = dir.path('factory.bundle');
    await writeBundle(path, { content: 'test-entries' }, entries, protection);
    const bytes = await readFile(path);
    let opened = 0;
    const source = (): NodeJS.ReadableStream => {
      opened++;
      const stream = new PassThrough();
      stream.end(bytes);
      return stream;
    };

    const reader = await openBundle(source, protection);
    for (let pass = 0; pass < 2; pass++) for await (const entry of reader.entries()) void entry;

    expect(opened).toBe(3);
  });
});

describe('bad input', () => {
  it.each([
    ['header.content', { content: 'Has Spaces' }, protection],
    ['header.details', { content: 'ok', details: [1] }, protection],
    ['protection.passphrase', { content: 'ok' }, { passphrase: 'short' }],
    ['protection.kms.keyId', { content: 'ok' }, { kms: { keyId: 'alias/backup' } }],
    ['protection', { content: 'ok' }, { passphrase: protection.passphrase, kms: { keyId: 'x' } }],
  ])('refuses a bad %s before creating the file', async (field, header, given) => {
    const path = dir.path(`bad-${field}.bundle`);

    const error = await writeBundle(path, header as never, entries, given as never).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('never shows the passphrase in a refusal', async () => {
    const secretish = 'PLANTED-pw';

    const error = (await writeBundle(dir.path('x.bundle'), { content: 'ok' }, [], {
      passphrase: secretish,
    }).catch((e: unknown) => e)) as Error;

    expect(error).toBeInstanceOf(ValidationError);
    expect(`${error.message} ${JSON.stringify(error)} ${inspect(error)}`).not.toContain(secretish);
  });

  it('refuses an entry over the record limit, naming it, and leaves no file', async () => {
    const path = dir.path('oversized.bundle');
    const big = { manifest: { name: 'big' }, value: 'z'.repeat(MAX_RECORD_BYTES) };

    const error = await writeBundle(path, { content: 'ok' }, [entries[0]!, big], protection).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('entries[1]');
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each([
    ['a manifest that is not an object', { manifest: 'x' }],
    ['a value that is a number', { manifest: {}, value: 7 }],
  ])('refuses %s', async (_case, entry) => {
    const error = await writeBundle(
      dir.path('bad-entry.bundle'),
      { content: 'ok' },
      [entry as never],
      protection,
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
  });

  it('refuses a source that is a bare stream: a bundle is read more than once', async () => {
    await expect(openBundle(new PassThrough() as never, protection)).rejects.toMatchObject({
      field: 'source',
    });
  });

  it('says when there is no file at the path', async () => {
    await expect(openBundle(dir.path('missing.bundle'), protection)).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'source',
    });
  });

  it('refuses a bundle of another content when one is expected', async () => {
    const path = dir.path('content.bundle');
    await writeBundle(path, { content: 'keystage-backup' }, entries, protection);

    await expect(openBundle(path, protection, { content: 'keystage-export' })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'source',
    });
  });
});

describe('values stay out of sight', () => {
  it('hides entry values from util.inspect and JSON.stringify', async () => {
    const path = dir.path('inspect.bundle');
    await writeBundle(path, { content: 'test-entries' }, entries, protection);

    const [first] = await readAll(path);

    expect(first!.value).toBe(PLANTED);
    expect(inspect(first)).not.toContain(PLANTED);
    expect(JSON.stringify(first)).not.toContain(PLANTED);
    expect(inspect(first)).toContain('prod/app/db');
  });

  it('keeps the plaintext out of the file', async () => {
    const path = dir.path('cipher.bundle');
    await writeBundle(path, { content: 'test-entries' }, entries, protection);

    const bytes = await readFile(path);

    expect(bytes.includes(Buffer.from(PLANTED))).toBe(false);
    expect(bytes.includes(Buffer.from('prod/app/db'))).toBe(false);
  });
});
