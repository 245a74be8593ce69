import { NodeAlgorithmSuite } from '@aws-crypto/client-node';
import { deserializeFactory } from '@aws-crypto/serialize';
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { KeystageError } from '../../../../lib/errors';
import {
  BundleAuthenticationError,
  openBundle,
  verifyBundle,
  writeBundle,
  type BundleEntry,
  type BundleProtection,
} from '../../../../lib/transfer/bundle';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { bundleDirectory, plaintextOf, readFile, reencrypted, saved, split } from './bundle-fixture';

const PLANTED = 'PLANTED-tamper-value-91bc';
const passphrase: BundleProtection = { passphrase: 'correct horse battery staple' };

const FRAME = 64 * 1024;
/** A regular frame on the wire: sequence number, IV, content, tag. */
const FRAME_BYTES = 4 + 12 + FRAME + 16;

const { deserializeMessageHeader } = deserializeFactory(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  NodeAlgorithmSuite,
);

let local: LocalFixture;
let dir: Awaited<ReturnType<typeof bundleDirectory>>;
let kmsKeyId: string;
let kmsProtection: BundleProtection;
let small: Buffer;
let smallKms: Buffer;
let large: Buffer;
let counter = 0;

function entriesOf(count: number, size: number): BundleEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    manifest: { name: `prod/app/secret-${i}`, n: i },
    value: `${PLANTED}-${i}-${'v'.repeat(size)}`,
  }));
}

async function bundleOf(protection: BundleProtection, entries: BundleEntry[]): Promise<Buffer> {
  const path = dir.path(`source-${counter++}.bundle`);
  await writeBundle(path, { content: 'test-entries' }, entries, protection);
  return readFile(path);
}

/** Reads `bytes` as a bundle to the end: the entries it yielded, and what it threw. */
async function attempt(
  bytes: Buffer,
  protection: BundleProtection = passphrase,
): Promise<{ readonly yielded: number; readonly error: unknown }> {
  const path = await saved(dir.path(`attempt-${counter++}.bundle`), bytes);
  let yielded = 0;
  try {
    const reader = await openBundle(path, protection);
    for await (const entry of reader.entries()) {
      void entry;
      yielded++;
    }
    return { yielded, error: undefined };
  } catch (error) {
    return { yielded, error };
  }
}

/** What verifyBundle throws for `bytes`, read from memory. */
async function verified(bytes: Buffer, protection: BundleProtection = passphrase): Promise<unknown> {
  return verifyBundle(() => Readable.from([bytes]), protection).then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** The offset where the message body (the first frame) starts. */
function bodyStart(message: Buffer): number {
  const info = deserializeMessageHeader(message);
  if (info === false) throw new Error('test: incomplete header');
  return info.headerLength + info.headerAuth.headerAuthLength;
}

beforeAll(async () => {
  local = await startLocal();
  dir = await bundleDirectory();
  const kms = local.kms();
  kmsKeyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  kmsProtection = { kms: { keyId: kmsKeyId, kms } };
  small = await bundleOf(passphrase, entriesOf(4, 20));
  smallKms = await bundleOf(kmsProtection, entriesOf(4, 20));
  // Five full frames and a final one: enough to move frames around.
  large = await bundleOf(passphrase, entriesOf(350, 1000));
});

afterAll(async () => {
  await dir.remove();
  await local.endpoint.close();
});

function expectRefused(outcome: { readonly error: unknown }, reason?: string): void {
  expect(outcome.error).toBeInstanceOf(BundleAuthenticationError);
  if (reason !== undefined) expect((outcome.error as BundleAuthenticationError).reason).toBe(reason);
}

describe('a bundle that was altered on the wire', () => {
  // A signed decryption costs about 30 ms in Jest's sandbox (the SDK rebuilds the verification
  // key in pure JavaScript), so this samples every region of the message: every 11th byte
  // (a stride prime to the 4-, 12- and 16-byte fields), and the first and last bytes of the
  // header auth, the body and the signature. envelope-tamper.test.ts flips every byte of the
  // same message format, outside the sandbox.
  it('is refused with a byte of its message flipped, in every region', async () => {
    const { preamble, message } = split(small);
    const start = bodyStart(message);
    const offsets = new Set<number>([start - 16, start - 1, start, start + 1, message.length - 1]);
    for (let offset = 0; offset < message.length; offset += 11) offsets.add(offset);
    const accepted: number[] = [];
    for (const offset of offsets) {
      const copy = Buffer.from(message);
      copy[offset]! ^= 0x01;
      const error = await verified(Buffer.concat([preamble, copy]));
      if (!(error instanceof BundleAuthenticationError)) accepted.push(offset);
    }

    expect(accepted).toEqual([]);
  });

  it('is refused with any single byte of a KMS preamble flipped', async () => {
    const { preamble, message } = split(smallKms);
    const accepted: number[] = [];
    for (let offset = 0; offset < preamble.length; offset++) {
      const copy = Buffer.from(preamble);
      copy[offset]! ^= 0x01;
      const outcome = await attempt(Buffer.concat([copy, message]), kmsProtection);
      if (!(outcome.error instanceof BundleAuthenticationError) || outcome.yielded > 0) accepted.push(offset);
    }

    expect(accepted).toEqual([]);
  });

  it.each([
    ['the salt', '"salt":"'],
    ['the check value', '"check":"'],
    ['the scrypt cost', '"n":13107'],
  ])('is refused with %s of a passphrase preamble changed', async (_part, marker) => {
    const { preamble, message } = split(small);
    const at = preamble.indexOf(marker) + marker.length;
    const copy = Buffer.from(preamble);
    // A different character of the same alphabet, so only the meaning changes.
    copy[at]! = copy[at] === 0x41 ? 0x42 : 0x41;
    if (marker.startsWith('"n"')) copy[at]! = 0x33; // 131073: not a power of two

    const outcome = await attempt(Buffer.concat([copy, message]));

    expectRefused(outcome);
    expect(outcome.yielded).toBe(0);
  });

  it('is refused with the preamble of another bundle under the same passphrase', async () => {
    const other = await bundleOf(passphrase, entriesOf(4, 20));

    const outcome = await attempt(Buffer.concat([split(other).preamble, split(small).message]));

    expectRefused(outcome, 'altered');
    expect(outcome.yielded).toBe(0);
  });

  it.each([0, 1, 40])('is refused when cut to %i bytes', async (length) => {
    expectRefused(await attempt(small.subarray(0, length)), 'not-a-bundle');
  });

  it('is refused when cut anywhere after the preamble', async () => {
    const { preamble, message } = split(large);
    const start = bodyStart(message);
    const cuts = [
      0,
      10,
      start - 1,
      start,
      start + 100,
      start + FRAME_BYTES,
      start + 2 * FRAME_BYTES,
      start + 2 * FRAME_BYTES + 1,
      message.length - 200,
      message.length - 1,
    ];
    for (const cut of cuts) {
      const outcome = await attempt(Buffer.concat([preamble, message.subarray(0, cut)]));

      expectRefused(outcome, 'altered');
    }
  });

  it('is refused with two frames swapped, a frame removed or a frame repeated', async () => {
    const { preamble, message } = split(large);
    const start = bodyStart(message);
    const frame = (i: number): Buffer =>
      message.subarray(start + i * FRAME_BYTES, start + (i + 1) * FRAME_BYTES);
    const head = message.subarray(0, start);
    const tail = message.subarray(start + 3 * FRAME_BYTES);
    const variants = {
      swapped: [head, frame(1), frame(0), frame(2), tail],
      removed: [head, frame(0), frame(2), tail],
      repeated: [head, frame(0), frame(1), frame(1), frame(2), tail],
    };
    for (const parts of Object.values(variants)) {
      const outcome = await attempt(Buffer.concat([preamble, ...parts]));

      expectRefused(outcome, 'altered');
      // Authentication fails at the frame out of place, before its entries are yielded.
      expect(outcome.yielded).toBeLessThan(350);
    }
  });

  it('is refused with bytes appended', async () => {
    expectRefused(await attempt(Buffer.concat([small, Buffer.from('extra')])), 'altered');
  });
});

describe('a bundle re-encrypted by someone holding the key', () => {
  it('verifies as written when nothing is changed (the test writer is faithful)', async () => {
    const bytes = await reencrypted(small, passphrase, (records) => records);

    expect(await attempt(bytes)).toEqual({ yielded: 4, error: undefined });
  });

  it('is refused, at the next entry, with an entry removed', async () => {
    const bytes = await reencrypted(small, passphrase, (records) => records.filter((_, i) => i !== 2));

    const outcome = await attempt(bytes);

    expectRefused(outcome, 'altered');
    expect(outcome.yielded).toBe(1);
  });

  it('is refused, at the next entry, with an entry repeated', async () => {
    const bytes = await reencrypted(small, passphrase, (records) => [
      ...records.slice(0, 3),
      records[2]!,
      ...records.slice(3),
    ]);

    const outcome = await attempt(bytes);

    expectRefused(outcome, 'altered');
    expect(outcome.yielded).toBe(2);
  });

  it('is refused with two entries swapped', async () => {
    const bytes = await reencrypted(small, passphrase, (records) => [
      records[0]!,
      records[2]!,
      records[1]!,
      ...records.slice(3),
    ]);

    const outcome = await attempt(bytes);

    expectRefused(outcome, 'altered');
    expect(outcome.yielded).toBe(0);
  });

  it('is refused with a value altered', async () => {
    const bytes = await reencrypted(small, passphrase, (records) =>
      records.map((line, i) => (i === 2 ? line.replace(PLANTED, 'REPLACED-value-of-same') : line)),
    );

    expectRefused(await attempt(bytes), 'altered');
  });

  it('is refused with a manifest altered', async () => {
    const bytes = await reencrypted(small, passphrase, (records) =>
      records.map((line, i) => (i === 1 ? line.replace('prod/app/secret-0', 'prod/app/secret-X') : line)),
    );

    expectRefused(await attempt(bytes), 'altered');
  });

  it('is refused with an entry added before the trailer', async () => {
    const bytes = await reencrypted(small, passphrase, (records) => [
      ...records.slice(0, -1),
      JSON.stringify({ type: 'entry', n: 5, manifest: { name: 'prod/app/planted' }, value: { utf8: 'x' } }),
      records.at(-1)!,
    ]);

    expectRefused(await attempt(bytes), 'altered');
  });

  it('is refused with the trailer removed', async () => {
    const bytes = await reencrypted(small, passphrase, (records) => records.slice(0, -1));

    const outcome = await attempt(bytes);

    expectRefused(outcome, 'altered');
    expect(outcome.yielded).toBe(4);
  });

  it('is refused with a record after the trailer', async () => {
    const bytes = await reencrypted(small, passphrase, (records) => [...records, records[1]!]);

    expectRefused(await attempt(bytes), 'altered');
  });

  it('is refused with the header altered', async () => {
    const bytes = await reencrypted(small, passphrase, (records) => [
      records[0]!.replace('test-entries', 'other-entries'),
      ...records.slice(1),
    ]);

    expectRefused(await attempt(bytes), 'altered');
  });

  it('is refused when the message is unsigned', async () => {
    const bytes = await reencrypted(small, passphrase, (records) => records, { unsigned: true });

    const outcome = await attempt(bytes);

    expectRefused(outcome, 'altered');
    expect(outcome.yielded).toBe(0);
  });
});

describe('the wrong key', () => {
  it('refuses a wrong passphrase as wrong-key before decrypting anything', async () => {
    const outcome = await attempt(small, { passphrase: 'incorrect horse battery staple' });

    expectRefused(outcome, 'wrong-key');
    expect(outcome.yielded).toBe(0);
  });

  it('refuses another KMS key as wrong-key before any KMS call', async () => {
    const kms = local.kms();
    const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const sent: string[] = [];
    const send = kms.send.bind(kms);
    kms.send = ((command: { constructor: { name: string } }, ...rest: unknown[]) => {
      sent.push(command.constructor.name);
      return (send as (...args: unknown[]) => unknown)(command, ...rest);
    }) as typeof kms.send;

    const outcome = await attempt(smallKms, { kms: { keyId: other, kms } });

    expectRefused(outcome, 'wrong-key');
    expect(sent).toEqual([]);
  });

  it('refuses a passphrase for a KMS bundle, and a KMS key for a passphrase bundle', async () => {
    expectRefused(await attempt(smallKms, passphrase), 'wrong-key');
    expectRefused(await attempt(small, kmsProtection), 'wrong-key');
  });

  it('reports a disabled KMS key as KMS says, not as tampering', async () => {
    const kms = local.kms();
    await kms.send(new DisableKeyCommand({ KeyId: kmsKeyId }));
    try {
      const outcome = await attempt(smallKms, kmsProtection);

      expect(outcome.error).toBeInstanceOf(KeystageError);
      expect(outcome.error).not.toBeInstanceOf(BundleAuthenticationError);
      expect((outcome.error as KeystageError).code).toBe('CONFLICT');
    } finally {
      await kms.send(new EnableKeyCommand({ KeyId: kmsKeyId }));
    }
  });
});

describe('refusals carry no content', () => {
  it('never quotes a value, a manifest or the passphrase', async () => {
    const errors: unknown[] = [];
    errors.push((await attempt(small, { passphrase: 'incorrect horse battery staple' })).error);
    errors.push((await attempt(await reencrypted(small, passphrase, (r) => r.slice(0, -1)))).error);
    const copy = Buffer.from(small);
    copy[copy.length - 300]! ^= 1;
    errors.push((await attempt(copy)).error);

    for (const error of errors) {
      const text = `${(error as Error).message} ${JSON.stringify(error)} ${inspect(error, { depth: 6 })}`;
      expect(text).not.toContain(PLANTED);
      expect(text).not.toContain('prod/app/secret');
      expect(text).not.toContain('battery staple');
    }
  });

  it('the plaintext the test writer sees holds the planted value (the check above can fail)', async () => {
    expect(await plaintextOf(small, passphrase)).toContain(PLANTED);
  });
});

describe('verifyBundle', () => {
  it('refuses what openBundle refuses', async () => {
    const bytes = await reencrypted(small, passphrase, (records) => records.filter((_, i) => i !== 2));
    const path = await saved(dir.path('verify.bundle'), bytes);

    await expect(verifyBundle(path, passphrase)).rejects.toBeInstanceOf(BundleAuthenticationError);
  });
});
