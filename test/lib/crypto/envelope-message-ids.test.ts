import { EnvelopeEncryption } from '../../../lib/crypto';
import {
  WORKER_CONTEXT,
  messageHeader,
  startEnvelopeWorkerSetup,
  type EnvelopeWorkerSetup,
} from './envelope-fixture';

// RELIABILITY 27, "no IV repeats", over 10^5 messages. Message format v2 (the committing
// suites keystage uses) derives each message's AES-GCM key from the data key and a fresh
// 256-bit message id, and each frame's IV is then the frame's sequence number, as the format
// specifies. With the data-key cache every message below shares one data key: only the
// message id keeps their keys apart, so "no (key, IV) pair repeats" is "no message id
// repeats, and IV = sequence number".
//
// The 10^5 encryptions run in a worker thread, outside Jest's sandbox (where the SDK is
// about twice as slow): keystage's EnvelopeEncryption bundled from lib/ at test time, with
// its KMS calls going to this file's local endpoint.

const COUNT = 100_000;

let env: EnvelopeWorkerSetup;
beforeAll(async () => {
  env = await startEnvelopeWorkerSetup();
});
afterAll(() => env?.close());

const context = WORKER_CONTEXT;

function messageIdOf(message: Uint8Array): string {
  return Buffer.from(messageHeader(message).messageHeader.messageId).toString('hex');
}

describe('EnvelopeEncryption message ids', () => {
  it(`gives each of ${COUNT} messages under one cached data key its own message id, every frame IV its sequence number`, async () => {
    const result = await env.worker.encryptMany({
      keyId: env.keyArn,
      context,
      plaintext: 'same',
      count: COUNT,
    });

    // One data key for all: the cache served every message after the first.
    expect(result.stats).toMatchObject({
      encrypted: COUNT,
      failures: 0,
      kms: { generateDataKey: 1 },
      cache: { hits: COUNT - 1, misses: 1 },
    });
    const ids = new Set<string>();
    for (let i = 0; i < COUNT; i++) {
      ids.add(Buffer.from(result.messageIds.subarray(i * 32, (i + 1) * 32)).toString('hex'));
    }
    expect(ids.size).toBe(COUNT);
    expect(result.sequenceNumbers).toEqual([1]);
    expect(result.ivs).toEqual(['000000000000000000000001']);

    // The ids are those of real messages: the first and the last decrypt here, in the
    // sandbox, and carry the ids the worker reported.
    const envelope = new EnvelopeEncryption({ keyId: env.keyArn, kms: env.fx.local.kms() });
    for (const [message, index] of [
      [result.first, 0],
      [result.last, COUNT - 1],
    ] as const) {
      const plaintext = await envelope.decrypt(message, { expectedContext: context });
      expect(Buffer.from(plaintext).toString('utf8')).toBe('same');
      expect(messageIdOf(message)).toBe(
        Buffer.from(result.messageIds.subarray(index * 32, (index + 1) * 32)).toString('hex'),
      );
    }
  });
});
