import type * as EncryptionSdk from '@aws-crypto/client-node';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { encryptionSdk } from '../../crypto/encryption-sdk';
import { KeystageError, SecretDecodeError, ValidationError, show } from '../../errors';
import { BundleAuthenticationError, sdkFailure } from './bundle-error';
import {
  BUNDLE_FORMAT_VERSION,
  FRAME_LENGTH,
  MAX_PREAMBLE_BYTES,
  MAX_RECORD_BYTES,
  PREAMBLE_CONTEXT_KEY,
  chainNext,
  chainStart,
  preambleDigest,
  type Preamble,
} from './format';
import { firstLine, lines } from './lines';
import { parsePreamble } from './preamble';
import { openingKey, type BundleKey } from './bundle-key';
import { checkProtection, type BundleProtection, type CheckedProtection } from './protection';
import { parseRecord, type BundleInfo, type BundledEntry } from './records';
import type { BundleSource, BundleSummary } from './writer';

/** Options for opening a bundle. */
export interface OpenBundleOptions {
  /**
   * The content the bundle must hold (its header's `content`, such as `keystage-export`):
   * another is a ValidationError before any entry is read.
   * @default - any content
   */
  readonly content?: string;
}

/**
 * An open bundle: its header, authenticated, and its entries, read afresh (and
 * authenticated afresh) by each call of `entries()`.
 */
export interface BundleReader {
  readonly header: BundleInfo;
  /**
   * The entries in order, one in memory at a time. Every entry yielded was in a frame whose
   * tag checked, but the bundle as a whole (nothing removed, added or altered; the final
   * frame and the signature) is known to be intact only when the iteration ends without
   * error: it throws BundleAuthenticationError at the first sign of trouble, at the latest
   * at the end. Act on entries only after that, or read twice (as importSecrets does).
   */
  entries(): AsyncIterable<BundledEntry>;
}

const SIGNED_SUITE = 'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384';

function checkSource(source: unknown): BundleSource {
  if ((typeof source === 'string' && source.length > 0) || typeof source === 'function') {
    return source as BundleSource;
  }
  throw new ValidationError(
    'source',
    'source must be a file path or a function that opens a readable stream of the bundle ' +
      '(it is read more than once, so a stream by itself will not do).',
  );
}

function checkOpenOptions(options: unknown): OpenBundleOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', 'options must be an object.');
  }
  const { content } = options as { content?: unknown };
  if (content !== undefined && typeof content !== 'string') {
    throw new ValidationError('options.content', `options.content must be a string, got ${show(content)}.`);
  }
  return { ...(content === undefined ? {} : { content }) };
}

function altered(detail: string, cause?: unknown): BundleAuthenticationError {
  return new BundleAuthenticationError(
    'altered',
    `The bundle fails authentication: ${detail}.`,
    cause === undefined ? undefined : { cause },
  );
}

function openSource(source: BundleSource): NodeJS.ReadableStream {
  if (typeof source === 'string') return createReadStream(source, { highWaterMark: FRAME_LENGTH });
  const stream = source();
  if (typeof (stream as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] !== 'function') {
    throw new ValidationError('source', 'source() must return a readable stream.');
  }
  return stream;
}

function ignoreLateError(): void {}

/** How a read went wrong, as the caller should hear it. */
function readFailure(error: unknown, key: BundleKey | undefined): unknown {
  if (error instanceof KeystageError) return error;
  const kms = key?.kmsFailure();
  if (kms !== undefined) {
    // The key ARN matched the preamble, so a wrapped key KMS cannot decrypt was altered.
    return kms instanceof SecretDecodeError ? altered('its wrapped data key does not decrypt', kms) : kms;
  }
  const { code } = (error ?? {}) as { code?: unknown };
  if (code === 'ENOENT') {
    return new ValidationError('source', 'There is no bundle file at the path given: check source.', {
      cause: error,
    });
  }
  if (code !== undefined) return error; // a file or stream error
  const failure = sdkFailure(error);
  return altered(`it was altered or cut short (Encryption SDK: ${failure.message})`, failure);
}

/** What one read of a bundle learns, for the caller's checks. */
interface ReadState {
  info: BundleInfo | undefined;
  /** The header line's chain start, hex: the same bundle read twice gives the same. */
  headerDigest: string | undefined;
  entries: number;
  digest: string | undefined;
}

/**
 * One authenticated read of a bundle. `untilHeader` stops after the header; `expectHeader`
 * refuses a bundle whose header differs from an earlier read's. Streams and file handles
 * are released however the iteration ends.
 */
async function* read(
  source: BundleSource,
  protection: CheckedProtection,
  state: ReadState,
  options: { readonly untilHeader: boolean; readonly expectHeader?: string; readonly content?: string },
): AsyncGenerator<BundledEntry> {
  let key: BundleKey | undefined;
  let stream: NodeJS.ReadableStream | undefined;
  let input: Readable | undefined;
  let decrypt: ReturnType<ReturnType<typeof EncryptionSdk.buildClient>['decryptStream']> | undefined;
  try {
    stream = openSource(source);
    const first = await firstLine(
      stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>,
      MAX_PREAMBLE_BYTES,
    );
    if (first === undefined) {
      throw new BundleAuthenticationError(
        'not-a-bundle',
        'This is not a keystage bundle: it does not start with a keystage-bundle line.',
      );
    }
    const preamble: Preamble = parsePreamble(first.line);
    key = await openingKey(protection, preamble);
    const sdk = encryptionSdk('Export, import and backup bundles');
    const client = sdk.buildClient({
      commitmentPolicy: sdk.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
      maxEncryptedDataKeys: 1,
    });
    const opened = key;
    const messageHeader = await opened.run(async () => {
      decrypt = client.decryptStream(opened.keyring());
      // The SDK's inner streams report a teardown ("Premature close") after this read has
      // stopped; the read has seen the failure that mattered by then.
      decrypt.on('error', ignoreLateError);
      let header: { suiteId?: unknown; encryptionContext?: Record<string, string> } | undefined;
      decrypt.once('MessageHeader', (parsed: typeof header) => (header = parsed));
      input = Readable.from(first.rest, { objectMode: false });
      const feeding = input;
      const decrypting = decrypt;
      feeding.on('error', (error) => decrypting.destroy(error));
      feeding.pipe(decrypting);
      return () => header;
    });
    let records = 0;
    let chain: Buffer | undefined;
    let trailer = false;
    for await (const line of lines(decrypt as AsyncIterable<Uint8Array>, MAX_RECORD_BYTES)) {
      if (trailer) throw altered('records follow the trailer');
      if (chain === undefined) {
        // The first plaintext implies the message header authenticated; now check it is ours.
        const header = messageHeader();
        if (header?.suiteId !== sdk.AlgorithmSuiteIdentifier[SIGNED_SUITE]) {
          throw altered('its message is not signed with the suite keystage writes');
        }
        const context = header.encryptionContext ?? {};
        const keys = Object.keys(context).filter((name) => name !== 'aws-crypto-public-key');
        if (keys.length !== 1 || context[PREAMBLE_CONTEXT_KEY] !== preambleDigest(first.line)) {
          throw altered('its preamble is not the one it was written with');
        }
        const record = parseRecord(line);
        if (record.type !== 'header') throw altered('its first record is not the header');
        chain = chainStart(line);
        const headerDigest = chain.toString('hex');
        if (options.expectHeader !== undefined && headerDigest !== options.expectHeader) {
          throw altered('it is not the bundle that was opened (its header changed)');
        }
        if (options.content !== undefined && record.info.content !== options.content) {
          throw new ValidationError(
            'source',
            `The bundle holds ${JSON.stringify(record.info.content)}, not ${JSON.stringify(options.content)}: ` +
              'check that this is the right file.',
          );
        }
        state.headerDigest = headerDigest;
        state.info = {
          ...record.info,
          formatVersion: BUNDLE_FORMAT_VERSION,
          protection: preamble.protection,
        };
        if (options.untilHeader) return;
        continue;
      }
      const record = parseRecord(line);
      if (record.type === 'header') throw altered('it has a second header');
      if (record.type === 'trailer') {
        if (record.entries !== records || record.digest !== chain.toString('hex')) {
          throw altered('entries were added, removed or altered');
        }
        trailer = true;
        continue;
      }
      if (record.n !== records + 1) throw altered(`entry ${records + 1} is missing or out of order`);
      records++;
      chain = chainNext(chain, line);
      state.entries = records;
      yield record.entry;
    }
    if (chain === undefined) throw altered('it has no header');
    if (!trailer) throw altered('it was cut short (no trailer)');
    state.digest = chain.toString('hex');
  } catch (error) {
    throw readFailure(error, key);
  } finally {
    input?.destroy();
    (decrypt as { destroy?: () => void } | undefined)?.destroy?.();
    (stream as { destroy?: () => void } | undefined)?.destroy?.();
  }
}

function emptyState(): ReadState {
  return { info: undefined, headerDigest: undefined, entries: 0, digest: undefined };
}

/** Reads as far as the header, for openBundle. */
async function openChecked(
  source: BundleSource,
  protection: CheckedProtection,
  options: OpenBundleOptions,
): Promise<{ readonly info: BundleInfo; readonly headerDigest: string }> {
  const state = emptyState();
  for await (const entry of read(source, protection, state, { ...options, untilHeader: true })) void entry;
  const { info, headerDigest } = state;
  if (info === undefined || headerDigest === undefined) throw altered('it has no header');
  return { info, headerDigest };
}

/**
 * Opens a bundle: reads its preamble, derives or unwraps its key and authenticates its
 * header. The entries are read when `entries()` is iterated, each time afresh from `source`
 * (a path, or a function that opens a new stream), and checked to be the same bundle.
 *
 * Errors: a wrong passphrase or KMS key is BundleAuthenticationError with reason
 * `wrong-key`, a file that is not a bundle `not-a-bundle`, any tampering `altered`; KMS
 * failures keep their codes (PERMISSION_DENIED, THROTTLED, ...). Nothing of the content is
 * in any message.
 * @example
 * const reader = await openBundle('secrets.bundle', { passphrase });
 * for await (const entry of reader.entries()) names.push(String(entry.manifest.name));
 */
export async function openBundle(
  source: BundleSource,
  protection: BundleProtection,
  options: OpenBundleOptions = {},
): Promise<BundleReader> {
  return openCheckedBundle(checkSource(source), checkProtection(protection), checkOpenOptions(options));
}

/** `openBundle` with its arguments checked (importSecrets fills in the KMS client). */
export async function openCheckedBundle(
  source: BundleSource,
  protection: CheckedProtection,
  options: OpenBundleOptions,
): Promise<BundleReader> {
  const { info, headerDigest } = await openChecked(source, protection, options);
  return {
    header: info,
    entries: () => read(source, protection, emptyState(), { untilHeader: false, expectHeader: headerDigest }),
  };
}

/**
 * Reads a whole bundle and checks it end to end (every frame, the signature, every entry
 * against the chain and the count), keeping nothing: memory for one entry.
 * @example
 * const { entries, digest } = await verifyBundle('secrets.bundle', { kms: { keyId: keyArn } });
 */
export async function verifyBundle(
  source: BundleSource,
  protection: BundleProtection,
  options: OpenBundleOptions = {},
): Promise<BundleSummary> {
  const checkedSource = checkSource(source);
  const checkedProtection = checkProtection(protection);
  const checkedOptions = checkOpenOptions(options);
  return verifyChecked(checkedSource, checkedProtection, checkedOptions);
}

/** `verifyBundle` with its arguments checked. */
export async function verifyChecked(
  source: BundleSource,
  protection: CheckedProtection,
  options: OpenBundleOptions,
): Promise<BundleSummary> {
  const state = emptyState();
  for await (const entry of read(source, protection, state, { ...options, untilHeader: false })) void entry;
  const { info, digest } = state;
  if (info === undefined || digest === undefined) throw altered('it has no header');
  return {
    bundleId: info.bundleId,
    createdAt: info.createdAt,
    content: info.content,
    entries: state.entries,
    digest,
    bytes: 0,
  };
}
