import { AlgorithmSuiteIdentifier, CommitmentPolicy, buildClient } from '@aws-crypto/client-node';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PREAMBLE_CONTEXT_KEY, preambleDigest } from '../../../../lib/transfer/bundle/format';
import { parsePreamble } from '../../../../lib/transfer/bundle/preamble';
import { openingKey } from '../../../../lib/transfer/bundle/bundle-key';
import { checkProtection, type BundleProtection } from '../../../../lib/transfer/bundle/protection';

const client = buildClient({
  commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  maxEncryptedDataKeys: 1,
});

/** A temporary directory for a suite's bundles. */
export async function bundleDirectory(): Promise<{
  readonly path: (name: string) => string;
  remove(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'keystage-bundle-'));
  return { path: (name) => join(dir, name), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A bundle's parts: the preamble line (newline included) and the Encryption SDK message. */
export function split(bundle: Buffer): { readonly preamble: Buffer; readonly message: Buffer } {
  const end = bundle.indexOf(0x0a) + 1;
  return { preamble: bundle.subarray(0, end), message: bundle.subarray(end) };
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part as Uint8Array));
  return Buffer.concat(parts);
}

/** The NDJSON plaintext of a bundle, decrypted with the keystage key of `protection` (test-only). */
export async function plaintextOf(bundle: Buffer, protection: BundleProtection): Promise<string> {
  const { preamble, message } = split(bundle);
  const key = await openingKey(checkProtection(protection), parsePreamble(preamble));
  return (await collect(Readable.from([message]).pipe(client.decryptStream(key.keyring())))).toString('utf8');
}

/**
 * A test-only writer: the bundle's NDJSON records, edited, encrypted again under the same key
 * and preamble, as someone holding the key could. What the Encryption SDK then accepts, only
 * the records' own chain and positions can catch.
 */
export async function reencrypted(
  bundle: Buffer,
  protection: BundleProtection,
  edit: (records: string[]) => string[],
  options: { readonly unsigned?: boolean } = {},
): Promise<Buffer> {
  const { preamble } = split(bundle);
  const records = (await plaintextOf(bundle, protection)).split('\n').slice(0, -1);
  const edited = Buffer.from(
    edit(records)
      .map((line) => `${line}\n`)
      .join(''),
    'utf8',
  );
  const key = await openingKey(checkProtection(protection), parsePreamble(preamble));
  const encrypt = client.encryptStream(key.keyring(), {
    suiteId:
      options.unsigned === true
        ? AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY
        : AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    encryptionContext: { [PREAMBLE_CONTEXT_KEY]: preambleDigest(preamble) },
    frameLength: 64 * 1024,
  });
  const collected = collect(encrypt);
  encrypt.end(edited);
  return Buffer.concat([preamble, await collected]);
}

/** Writes `bytes` to `path` and returns the path (for openBundle). */
export async function saved(path: string, bytes: Buffer): Promise<string> {
  await writeFile(path, bytes);
  return path;
}

export { readFile };
