import type * as EncryptionSdk from '@aws-crypto/client-node';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { encryptionSdk } from '../../crypto/encryption-sdk';
import { KeystageError, SecretDecodeError, ValidationError } from '../../errors';
import { sdkFailure } from './bundle-error';
import {
  FRAME_LENGTH,
  PREAMBLE_CONTEXT_KEY,
  chainNext,
  chainStart,
  preambleDigest,
  preambleLine,
} from './format';
import { sealingKey, type BundleKey } from './bundle-key';
import { checkProtection, type BundleProtection, type CheckedProtection } from './protection';
import {
  checkHeader,
  entryLine,
  headerLine,
  trailerLine,
  type BundleEntry,
  type BundleHeader,
} from './records';

/** Where a bundle goes: a file path (written atomically, mode 0600) or any writable stream. */
export type BundleDestination = string | NodeJS.WritableStream;

/** Where a bundle comes from: a file path, or a function that opens a fresh stream of it each time. */
export type BundleSource = string | (() => NodeJS.ReadableStream);

/** What a bundle holds, as its writer or `verifyBundle` reports it. */
export interface BundleSummary {
  readonly bundleId: string;
  /** When the bundle was written (ISO 8601). */
  readonly createdAt: string;
  readonly content: string;
  /** The number of entries. */
  readonly entries: number;
  /** The end of the entries' SHA-256 chain, hex: two bundles with the same entries in the same order agree. */
  readonly digest: string;
  /** Bytes written, preamble included (0 from verifyBundle). */
  readonly bytes: number;
}

const NEWLINE = Buffer.from('\n', 'utf8');

function checkDestination(destination: unknown): BundleDestination {
  if (typeof destination === 'string' && destination.length > 0) return destination;
  if (typeof (destination as { write?: unknown } | null)?.write === 'function') {
    return destination as NodeJS.WritableStream;
  }
  throw new ValidationError('destination', 'destination must be a file path or a writable stream.');
}

function checkEntries(entries: unknown): AsyncIterable<BundleEntry> | Iterable<BundleEntry> {
  const iterable = entries as { [Symbol.asyncIterator]?: unknown; [Symbol.iterator]?: unknown } | null;
  if (
    typeof iterable?.[Symbol.asyncIterator] !== 'function' &&
    typeof iterable?.[Symbol.iterator] !== 'function'
  ) {
    throw new ValidationError(
      'entries',
      'entries must be an iterable or async iterable of { manifest, value? }.',
    );
  }
  return entries as AsyncIterable<BundleEntry> | Iterable<BundleEntry>;
}

/** What the writer learns while the entries stream through. */
interface Progress {
  bytes: number;
  entries: number;
  digest: Buffer;
  /**
   * What failed while the entries were read and encoded (the caller's iterable, or an entry
   * refused): the error to report, whatever the streams downstream then say.
   */
  sourceError: { readonly error: unknown } | undefined;
}

async function* plaintext(
  header: Buffer,
  entries: AsyncIterable<BundleEntry> | Iterable<BundleEntry>,
  progress: Progress,
): AsyncGenerator<Buffer> {
  yield Buffer.concat([header, NEWLINE]);
  progress.digest = chainStart(header);
  const iterator = (
    Symbol.asyncIterator in entries
      ? (entries as AsyncIterable<BundleEntry>)[Symbol.asyncIterator]()
      : (entries as Iterable<BundleEntry>)[Symbol.iterator]()
  ) as AsyncIterator<BundleEntry> | Iterator<BundleEntry>;
  for (;;) {
    let line: Buffer;
    try {
      const next = await iterator.next();
      if (next.done === true) break;
      line = entryLine(next.value, progress.entries + 1);
    } catch (error) {
      progress.sourceError = { error };
      throw error;
    }
    progress.entries++;
    progress.digest = chainNext(progress.digest, line);
    yield Buffer.concat([line, NEWLINE]);
  }
  yield Buffer.concat([trailerLine(progress.entries, progress.digest.toString('hex')), NEWLINE]);
}

/**
 * The whole bundle into `sink`: preamble, then the Encryption SDK message, with backpressure
 * both ways. On failure the SDK's stream is left unended and unreferenced rather than
 * destroyed: destroying it makes its inner streams throw "Premature close" where no one
 * listens; unended, it never completes a message that could verify.
 */
async function writeTo(
  sink: NodeJS.WritableStream,
  key: BundleKey,
  header: Buffer,
  entries: AsyncIterable<BundleEntry> | Iterable<BundleEntry>,
  progress: Progress,
): Promise<void> {
  const sdk: typeof EncryptionSdk = encryptionSdk('Export, import and backup bundles');
  const client = sdk.buildClient({
    commitmentPolicy: sdk.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
    maxEncryptedDataKeys: 1,
  });
  const preamble = preambleLine(key.preamble);
  await key.run(async () => {
    const encrypt = client.encryptStream(key.keyring(), {
      suiteId: sdk.AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
      encryptionContext: { [PREAMBLE_CONTEXT_KEY]: preambleDigest(preamble) },
      frameLength: FRAME_LENGTH,
    });
    let failure: { readonly error: unknown } | undefined;
    let reject: (error: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, rejectFailed) => (reject = rejectFailed));
    failed.catch(() => undefined);
    const fail = (error: unknown): void => {
      if (failure !== undefined) return;
      failure = { error };
      reject(error);
    };
    encrypt.on('error', fail);
    sink.on('error', fail);
    const finished = new Promise<void>((resolve) => sink.once('finish', resolve));
    const forward = (chunk: Buffer): void => {
      progress.bytes += chunk.length;
      if (!sink.write(chunk)) {
        encrypt.pause();
        sink.once('drain', () => encrypt.resume());
      }
    };
    try {
      forward(preamble);
      encrypt.on('data', forward);
      encrypt.once('end', () => sink.end());
      for await (const chunk of plaintext(header, entries, progress)) {
        if (failure !== undefined) throw failure.error;
        if (!encrypt.write(chunk)) await Promise.race([once(encrypt, 'drain'), failed]);
      }
      encrypt.end();
      await Promise.race([finished, failed]);
    } catch (error) {
      encrypt.removeListener('data', forward);
      encrypt.pause();
      (sink as Partial<Writable>).destroy?.();
      throw failure?.error ?? error;
    }
  });
}

/** The error to report: ours and the caller's as they are, KMS's mapped, the SDK's as DECODE_ERROR. */
function writeFailure(error: unknown, key: BundleKey, progress: Progress): unknown {
  if (progress.sourceError !== undefined) return progress.sourceError.error;
  if (error instanceof KeystageError) return error;
  const kms = key.kmsFailure();
  if (kms !== undefined) return kms;
  if ((error as { code?: unknown } | null)?.code !== undefined) return error; // a file or stream error
  const failure = sdkFailure(error);
  return new SecretDecodeError(`Bundle encryption failed: ${failure.name}: ${failure.message}`, {
    cause: failure,
  });
}

/**
 * Writes a bundle: `header`, then every entry as `entries` yields it, encrypted under
 * `protection` (see format.ts for the layout). Memory holds one entry at a time, whatever
 * the number of entries; the destination's backpressure is respected.
 *
 * A path is written to a temporary file beside it (mode 0600), flushed, then renamed over
 * the path, so the path holds either the whole bundle or what it held before. A stream is
 * ended when the bundle is complete and destroyed if writing fails; a bundle cut short
 * never verifies (it has no final frame, signature or trailer).
 *
 * Errors: bad arguments, and a malformed or oversized entry, are ValidationError; an error
 * of the `entries` iterable is thrown as it is; KMS failures keep their codes. No error
 * carries a value.
 * @example
 * const summary = await writeBundle('secrets.bundle', { content: 'notes' }, [{ manifest: { name: 'a' }, value: 's3cr3t' }], {
 *   passphrase: 'correct horse battery staple',
 * });
 */
export async function writeBundle(
  destination: BundleDestination,
  header: BundleHeader,
  entries: AsyncIterable<BundleEntry> | Iterable<BundleEntry>,
  protection: BundleProtection,
): Promise<BundleSummary> {
  const checkedDestination = checkDestination(destination);
  const checkedHeader = checkHeader(header);
  const checkedEntries = checkEntries(entries);
  const checkedProtection = checkProtection(protection);
  return writeChecked(checkedDestination, checkedHeader, checkedEntries, checkedProtection);
}

/** `writeBundle` with its arguments already checked (exportSecrets fills in the KMS client). */
export async function writeChecked(
  destination: BundleDestination,
  header: Required<BundleHeader>,
  entries: AsyncIterable<BundleEntry> | Iterable<BundleEntry>,
  protection: CheckedProtection,
): Promise<BundleSummary> {
  const key = await sealingKey(protection);
  const bundleId = randomUUID();
  const createdAt = new Date().toISOString();
  const line = headerLine(header, bundleId, createdAt);
  const progress: Progress = { bytes: 0, entries: 0, digest: Buffer.alloc(0), sourceError: undefined };
  try {
    if (typeof destination === 'string') await writeFile(destination, key, line, entries, progress);
    else await writeTo(destination, key, line, entries, progress);
  } catch (error) {
    throw writeFailure(error, key, progress);
  }
  return {
    bundleId,
    createdAt,
    content: header.content,
    entries: progress.entries,
    digest: progress.digest.toString('hex'),
    bytes: progress.bytes,
  };
}

async function writeFile(
  path: string,
  key: BundleKey,
  header: Buffer,
  entries: AsyncIterable<BundleEntry> | Iterable<BundleEntry>,
  progress: Progress,
): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomUUID()}.partial`);
  const file = createWriteStream(temporary, { flags: 'wx', mode: 0o600 });
  try {
    await writeTo(file, key, header, entries, progress);
    // fsync applies to the file, whichever descriptor asks: the bytes are on disk before the rename.
    const handle = await open(temporary, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    // The stream opens its file asynchronously: only once it has closed is there nothing
    // left that could create the file again after it is removed.
    await new Promise<void>((resolve) => {
      if (file.closed) resolve();
      else {
        file.once('close', () => resolve());
        file.destroy();
      }
    });
    await rm(temporary, { force: true });
    throw error;
  }
}
