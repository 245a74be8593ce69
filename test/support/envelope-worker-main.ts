import { NodeAlgorithmSuite } from '@aws-crypto/client-node';
import { decodeBodyHeader, deserializeFactory } from '@aws-crypto/serialize';
import { KMSClient } from '@aws-sdk/client-kms';
import { parentPort, workerData } from 'node:worker_threads';
import { EnvelopeEncryption, type EncryptionContext, type EnvelopeStats } from '../../lib/crypto';

/**
 * The worker side of test/support/envelope-worker.ts: keystage's EnvelopeEncryption, bundled
 * from the sources, run outside Jest's sandbox. Bundled and started by that file only.
 */

/** Limits wide enough that one data key serves every message of a task. */
const LIMITS = { maxAgeMs: 600_000, maxMessagesEncrypted: 1_000_000, maxBytesEncrypted: 2 ** 40 };
const BATCH = 100;

export interface EncryptManyTask {
  readonly keyId: string;
  readonly context: EncryptionContext;
  readonly plaintext: string;
  readonly count: number;
}

export interface EncryptManyResult {
  /** The message id of each message, 32 bytes each, in order. */
  readonly messageIds: Uint8Array;
  /** Every distinct frame sequence number and IV (hex) the messages carry. */
  readonly sequenceNumbers: readonly number[];
  readonly ivs: readonly string[];
  readonly stats: EnvelopeStats;
  /** The first and the last message, for the test to decrypt. */
  readonly first: Uint8Array;
  readonly last: Uint8Array;
}

export interface TamperTask {
  readonly keyId: string;
  readonly context: EncryptionContext;
  readonly plaintext: string;
  readonly signed: boolean;
}

export interface TamperResult {
  readonly message: Uint8Array;
  /** Per byte position: `decrypted`, or the `name:code` of the error its flip gave. */
  readonly outcomes: readonly string[];
  /** Whether the untouched message still decrypts to the plaintext afterwards. */
  readonly intactDecrypts: boolean;
  readonly stats: EnvelopeStats;
}

const { deserializeMessageHeader } = deserializeFactory(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  NodeAlgorithmSuite,
);

const { endpoint } = workerData as { endpoint: string };
const kms = new KMSClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 1,
});

/** Message format v2: each message's key derives from the data key and its message id. */
function frameOf(message: Uint8Array): { messageId: Uint8Array; sequenceNumber: number; iv: Uint8Array } {
  const info = deserializeMessageHeader(message);
  if (info === false) throw new Error('incomplete header');
  const body = decodeBodyHeader(message, info, info.headerLength + info.headerAuth.headerAuthLength);
  if (body === false) throw new Error('incomplete body');
  return { messageId: info.messageHeader.messageId, sequenceNumber: body.sequenceNumber, iv: body.iv };
}

async function encryptMany(task: EncryptManyTask): Promise<EncryptManyResult> {
  const envelope = new EnvelopeEncryption({ keyId: task.keyId, kms, signed: false, cache: LIMITS });
  const messageIds = new Uint8Array(task.count * 32);
  const sequenceNumbers = new Set<number>();
  const ivs = new Set<string>();
  const record = (message: Uint8Array, index: number) => {
    const frame = frameOf(message);
    messageIds.set(frame.messageId, index * 32);
    sequenceNumbers.add(frame.sequenceNumber);
    ivs.add(Buffer.from(frame.iv).toString('hex'));
  };
  // The first message alone fills the data-key cache; the rest, in concurrent batches (a
  // little faster than one at a time), all hit it.
  const first = await envelope.encrypt(task.plaintext, { context: task.context });
  record(first, 0);
  let last = first;
  for (let done = 1; done < task.count;) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(BATCH, task.count - done) }, () =>
        envelope.encrypt(task.plaintext, { context: task.context }),
      ),
    );
    for (const message of batch) record((last = message), done++);
  }
  return {
    messageIds,
    sequenceNumbers: [...sequenceNumbers],
    ivs: [...ivs],
    stats: envelope.stats(),
    first,
    last,
  };
}

function outcomeOf(error: unknown): string {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  return `${String(name)}:${String(code)}`;
}

async function tamper(task: TamperTask): Promise<TamperResult> {
  const envelope = new EnvelopeEncryption({ keyId: task.keyId, kms, signed: task.signed, cache: LIMITS });
  const options = { expectedContext: task.context };
  const message = await envelope.encrypt(task.plaintext, { context: task.context });
  const outcomes: string[] = [];
  for (let position = 0; position < message.length; position++) {
    const altered = Buffer.from(message);
    altered[position]! ^= 0x01;
    outcomes.push(
      await envelope.decrypt(altered, options).then(
        () => 'decrypted',
        (error: unknown) => outcomeOf(error),
      ),
    );
  }
  const opened = await envelope.decrypt(message, options);
  return {
    message,
    outcomes,
    intactDecrypts: Buffer.from(opened).toString('utf8') === task.plaintext,
    stats: envelope.stats(),
  };
}

const tasks = { encryptMany, tamper } as const;

parentPort!.on('message', ({ id, op, task }: { id: number; op: keyof typeof tasks; task: never }) => {
  tasks[op](task).then(
    (value) => parentPort!.postMessage({ id, value }),
    (error: unknown) =>
      parentPort!.postMessage({
        id,
        error: `${outcomeOf(error)} ${String((error as Error | undefined)?.message)}`,
      }),
  );
});
