import type { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SecretsClient } from '../../lib/client';
import { EnvelopeEncryption, type DataKeyCacheOptions } from '../../lib/crypto';
import { median } from '../machine';

// Envelope encryption with the AWS Encryption SDK, 1 KB plaintext: µs per encrypt and per
// decrypt, with and without the data-key cache, signed (EnvelopeEncryption's default, ECDSA
// P-384) and unsigned (the encrypted-json default), and the KMS calls each makes per 1,000
// messages (target with the cache: ≤ 1). Then reads of one encrypted-json secret through
// SecretsClient's read cache: decrypting per read (the default), with a data-key cache, and
// with cacheDecrypted, next to a plain json secret read the same way.

const RUNS = 3;
/** Messages per run: uncached runs make a KMS round trip per message. */
const UNCACHED = 100;
const CACHED = 1000;
const LIMITS: DataKeyCacheOptions = {
  maxAgeMs: 5 * 60_000,
  maxMessagesEncrypted: 1_000_000,
  maxBytesEncrypted: 2 ** 40,
};

interface Measured {
  readonly microseconds: number;
  readonly kmsPerThousand: number;
}

/** Median over RUNS of the mean µs per call, after a warm-up run; KMS calls per 1,000 calls over the measured runs (the warm-up run not counted). */
async function measure(
  perRun: number,
  kmsCalls: () => number,
  call: () => Promise<unknown>,
): Promise<Measured> {
  for (let i = 0; i < perRun; i++) await call();
  const before = kmsCalls();
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    for (let i = 0; i < perRun; i++) await call();
    runs.push(((performance.now() - started) * 1000) / perRun);
  }
  return {
    microseconds: median(runs),
    kmsPerThousand: ((kmsCalls() - before) * 1000) / (perRun * RUNS),
  };
}

const row = (what: string, { microseconds, kmsPerThousand }: Measured): string =>
  `| ${what} | ${microseconds.toFixed(0)} | ${Number.isInteger(kmsPerThousand) ? kmsPerThousand : kmsPerThousand.toFixed(2)} |`;

/** A Secrets Manager client on the KMS client's endpoint (the local endpoint serves both). */
async function secretsManagerBeside(kms: KMSClient): Promise<SecretsManagerClient> {
  const endpoint = await kms.config.endpoint?.();
  const url =
    endpoint === undefined
      ? undefined
      : `${endpoint.protocol}//${endpoint.hostname}${endpoint.port === undefined ? '' : `:${endpoint.port}`}${endpoint.path}`;
  return new SecretsManagerClient({
    region: await kms.config.region(),
    credentials: kms.config.credentials,
    maxAttempts: 1,
    ...(url === undefined ? {} : { endpoint: url }),
  });
}

/**
 * Markdown table rows (no header) of three columns: what, µs per operation, KMS calls per
 * 1,000 operations. `keyId` is a symmetric KMS key ARN; `secretsManager` defaults to a
 * client on `kms`'s endpoint.
 * @example
 * const rows = await envelopeRows(local.kms(), keyArn);
 */
export async function envelopeRows(
  kms: KMSClient,
  keyId: string,
  secretsManager?: SecretsManagerClient,
): Promise<string[]> {
  const plaintext = randomBytes(1024);
  const context = { purpose: 'bench' };
  const rows: string[] = [];
  for (const signed of [true, false]) {
    for (const cache of [undefined, LIMITS]) {
      const env = new EnvelopeEncryption({ keyId, kms, signed, ...(cache === undefined ? {} : { cache }) });
      const calls = () => {
        const { generateDataKey, encrypt, decrypt } = env.stats().kms;
        return generateDataKey + encrypt + decrypt;
      };
      const perRun = cache === undefined ? UNCACHED : CACHED;
      const how = `${signed ? 'signed' : 'unsigned'}, ${cache === undefined ? 'no data-key cache' : 'data-key cache'}`;
      rows.push(
        row(
          `envelope encrypt 1 KB (${how})`,
          await measure(perRun, calls, () => env.encrypt(plaintext, { context })),
        ),
      );
      const message = await env.encrypt(plaintext, { context });
      rows.push(
        row(
          `envelope decrypt 1 KB (${how})`,
          await measure(perRun, calls, () => env.decrypt(message, { expectedContext: context })),
        ),
      );
    }
  }
  rows.push(...(await encryptedJsonRows(kms, keyId, secretsManager ?? (await secretsManagerBeside(kms)))));
  return rows;
}

/** Cached reads of one 1 KB encrypted-json secret, by envelope option, and of a plain json one. */
async function encryptedJsonRows(kms: KMSClient, keyId: string, sm: SecretsManagerClient): Promise<string[]> {
  const value = { blob: randomBytes(700).toString('base64') };
  const suffix = randomBytes(4).toString('hex');
  let decrypts = 0;
  (kms.middlewareStack as { add: (mw: unknown, opts: unknown) => void }).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
      if (context.commandName === 'DecryptCommand') decrypts++;
      return next(args);
    },
    { step: 'initialize', name: 'benchCountDecrypts' },
  );
  const variants = [
    ['encrypted-json get, cached ciphertext, decrypt per read', { keyId }],
    ['encrypted-json get, decrypt per read with data-key cache', { keyId, cache: LIMITS }],
    ['encrypted-json get, cacheDecrypted', { keyId, cacheDecrypted: true }],
  ] as const;
  const rows: string[] = [];
  for (const [what, envelope] of variants) {
    const secrets = new SecretsClient({ secretsManager: sm, kms, envelope });
    const ref = await secrets.create({
      name: `bench/envelope/${suffix}-${rows.length}`,
      kind: 'encrypted-json',
      value,
    });
    rows.push(
      row(
        what,
        await measure(
          CACHED,
          () => decrypts,
          () => secrets.getJson(ref.name),
        ),
      ),
    );
    await secrets.delete(ref.arn, { force: true });
    secrets.close();
  }
  const plain = new SecretsClient({ secretsManager: sm, kms });
  const ref = await plain.create({ name: `bench/envelope/${suffix}-plain`, kind: 'json', value });
  rows.push(
    row(
      'json get (no envelope), cached',
      await measure(
        CACHED,
        () => decrypts,
        () => plain.getJson(ref.name),
      ),
    ),
  );
  await plain.delete(ref.arn, { force: true });
  plain.close();
  return rows;
}
