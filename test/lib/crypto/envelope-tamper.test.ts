import { decodeBodyHeader } from '@aws-crypto/serialize';
import { EnvelopeEncryption } from '../../../lib/crypto';
import { SecretDecodeError } from '../../../lib/errors';
import {
  WORKER_CONTEXT,
  messageHeader,
  startEnvelopeWorkerSetup,
  type EnvelopeWorkerSetup,
} from './envelope-fixture';

// RELIABILITY 27: any flipped byte of IV, tag, ciphertext, wrapped key, or a changed
// encryption context fails to decrypt. That no (key, IV) pair repeats is
// envelope-message-ids.test.ts.

let env: EnvelopeWorkerSetup;
beforeAll(async () => {
  env = await startEnvelopeWorkerSetup();
});
afterAll(() => env?.close());

const context = WORKER_CONTEXT;

/** Names each byte of a message by the region of the message format it lies in. */
function regions(message: Uint8Array): string[] {
  const info = messageHeader(message);
  const names: string[] = new Array<string>(message.length).fill('footer (signature)');
  const edk = info.messageHeader.encryptedDataKeys[0]!.encryptedDataKey;
  const edkAt = Buffer.from(message).indexOf(Buffer.from(edk));
  for (let i = 0; i < info.headerLength; i++) names[i] = 'header';
  for (let i = edkAt; i < edkAt + edk.length; i++) names[i] = 'wrapped data key';
  const authEnd = info.headerLength + info.headerAuth.headerAuthLength;
  for (let i = info.headerLength; i < authEnd; i++) names[i] = 'header auth tag';
  const body = decodeBodyHeader(message, info, authEnd);
  if (body === false) throw new SecretDecodeError('test: incomplete body');
  // A final frame: marker, sequence number, IV, content length, then content and tag (its length is in bits).
  for (let i = authEnd; i < body.readPos; i++) names[i] = 'frame header';
  const iv = Buffer.from(message).indexOf(Buffer.from(body.iv), authEnd);
  for (let i = iv; i < iv + body.iv.length; i++) names[i] = 'IV';
  for (let i = body.readPos; i < body.readPos + body.contentLength; i++) names[i] = 'ciphertext';
  const tagEnd = body.readPos + body.contentLength + body.tagLength / 8;
  for (let i = body.readPos + body.contentLength; i < tagEnd; i++) names[i] = 'tag';
  return names;
}

describe('EnvelopeEncryption tampering', () => {
  // Every byte of the whole message, header included, for both suites. A signed decryption
  // whose header misses the data-key cache rebuilds the verification key from the header
  // (the SDK's point decompression, in pure JavaScript: about 30 ms in Jest's sandbox), so
  // the flips run in a worker thread outside the sandbox (test/support/envelope-env.worker.ts):
  // keystage's EnvelopeEncryption bundled from lib/, with its KMS calls going to this file's
  // local endpoint. The cache is on, as a service would run it: it makes flips outside the
  // header cheap, and it is keyed by the header's wrapped keys and context, so it never lets
  // a flipped header byte through.
  it.each([false, true])(
    'fails to decrypt the message with any one of its bytes flipped (signed: %s)',
    async (signed) => {
      const { message, outcomes, intactDecrypts } = await env.worker.tamper({
        keyId: env.keyArn,
        context,
        plaintext: 'tamper me',
        signed,
      });
      const names = regions(message);
      expect(outcomes).toHaveLength(message.length);
      const decrypted = outcomes.flatMap((outcome, position) =>
        outcome === 'SecretDecodeError:DECODE_ERROR' ? [] : [`${position} (${names[position]}): ${outcome}`],
      );
      expect(decrypted).toEqual([]);
      expect([...new Set(names)].sort()).toEqual(
        [
          'header',
          'wrapped data key',
          'header auth tag',
          'frame header',
          'IV',
          'ciphertext',
          'tag',
          ...(signed ? ['footer (signature)'] : []),
        ].sort(),
      );
      // The untouched message still decrypts: the failures were the flips.
      expect(intactDecrypts).toBe(true);
    },
  );

  it('fails for every context pair changed, removed or added', async () => {
    const envelope = new EnvelopeEncryption({ keyId: env.keyArn, kms: env.fx.local.kms() });
    const message = await envelope.encrypt('bound', { context });
    const variants: Array<Record<string, string>> = [];
    for (const key of Object.keys(context)) {
      variants.push({ ...context, [key]: `${context[key]}x` });
      const removed: Record<string, string> = { ...context };
      delete removed[key];
      variants.push(removed);
    }
    variants.push({ ...context, extra: 'pair' }, {});
    for (const expectedContext of variants) {
      await expect(envelope.decrypt(message, { expectedContext })).rejects.toBeInstanceOf(SecretDecodeError);
    }
  });
});
