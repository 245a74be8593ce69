import { CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { inspect } from 'node:util';
import { AuditStream } from '../../../lib/audit/audit-stream';
import type { AuditEvent } from '../../../lib/audit/audit-event';
import { hmacCheckpoints, type CheckpointSigner } from '../../../lib/audit/checkpoint';
import { kmsDataKeyCheckpoints, kmsMacCheckpoints } from '../../../lib/audit/kms-checkpoints';
import { verifyAuditTrail } from '../../../lib/audit/verify-audit-trail';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';
import { MemoryTransport, entry } from './audit-fixtures';

/** A trail of `count` events closed with a checkpoint signed by `key`. */
async function signed(key: CheckpointSigner, count = 5): Promise<AuditEvent[]> {
  const transport = new MemoryTransport();
  const stream = new AuditStream(transport, { checkpoints: { key } });
  for (let i = 0; i < count; i++) stream.record(entry({}, i), false);
  await stream.close();
  return transport.events;
}

describe('checkpoint keys', () => {
  let local: LocalFixture;
  let kms: KMSClient;
  beforeAll(async () => {
    local = await startLocal();
    kms = local.kms();
  });
  afterAll(() => local.endpoint.close());

  async function newKey(spec: 'HMAC_256' | 'SYMMETRIC_DEFAULT'): Promise<string> {
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand(
        spec === 'HMAC_256'
          ? { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }
          : { KeySpec: 'SYMMETRIC_DEFAULT' },
      ),
    );
    return KeyMetadata!.Arn!;
  }

  describe('kmsMacCheckpoints (GenerateMac / VerifyMac with an HMAC_256 key)', () => {
    it('signs checkpoints that verify', async () => {
      const key = kmsMacCheckpoints({ keyId: await newKey('HMAC_256'), kms });
      const report = await verifyAuditTrail(await signed(key), { verifier: key });
      expect(report).toMatchObject({ valid: true, verifiedCheckpoints: 1, signedThroughSeq: 5 });
    });

    it('finds a forged MAC: KMS says it does not verify', async () => {
      const events = await signed(kmsMacCheckpoints({ keyId: await newKey('HMAC_256'), kms }));
      const other = kmsMacCheckpoints({ keyId: String(events.at(-1)!.details!['key_id']), kms });
      // Same key id in the checkpoint, a MAC from elsewhere: KMS says it does not verify.
      const forged = events.map((event, i) =>
        i === events.length - 1
          ? { ...event, details: { ...event.details, mac: Buffer.alloc(32, 1).toString('base64') } }
          : event,
      );
      const report = await verifyAuditTrail(forged, { verifier: other });
      expect(report.problems.map((problem) => problem.kind)).toEqual(['bad_checkpoint']);
    });
  });

  describe('kmsDataKeyCheckpoints (an HMAC over a KMS data key)', () => {
    it('asks KMS for one data key, however many checkpoints it signs', async () => {
      const key = kmsDataKeyCheckpoints({ keyId: await newKey('SYMMETRIC_DEFAULT'), kms });
      const transport = new MemoryTransport();
      const stream = new AuditStream(transport, { checkpoints: { key, everyEvents: 2 } });
      const send = jest.spyOn(kms, 'send');
      for (let i = 0; i < 6; i++) await stream.record(entry({}, i), true);
      await stream.close();
      expect(
        send.mock.calls.filter(([command]) => command.constructor.name === 'GenerateDataKeyCommand'),
      ).toHaveLength(1);
      send.mockRestore();
      const report = await verifyAuditTrail(transport.events, { verifier: key });
      expect(report.valid).toBe(true);
      expect(report.verifiedCheckpoints).toBeGreaterThanOrEqual(2);
    });

    it('verifies with a fresh verifier that decrypts the data key from the checkpoint', async () => {
      const keyId = await newKey('SYMMETRIC_DEFAULT');
      const events = await signed(kmsDataKeyCheckpoints({ keyId, kms }));
      const report = await verifyAuditTrail(events, { verifier: kmsDataKeyCheckpoints({ keyId, kms }) });
      expect(report).toMatchObject({ valid: true, verifiedCheckpoints: 1 });
    });

    it('never shows the data key', async () => {
      const key = kmsDataKeyCheckpoints({ keyId: await newKey('SYMMETRIC_DEFAULT'), kms });
      await signed(key);
      expect(`${inspect(key, { depth: 10, showHidden: true })}${JSON.stringify(key)}`).not.toMatch(
        /plaintext|Plaintext/,
      );
    });
  });

  describe('hmacCheckpoints (a key in memory)', () => {
    it('refuses a key shorter than 32 bytes', () => {
      expect(() => hmacCheckpoints(Buffer.alloc(16), 'k')).toThrow(expect.objectContaining({ field: 'key' }));
    });

    it('never shows the key', () => {
      const key = hmacCheckpoints(Buffer.alloc(32, 0x42), 'k');
      expect(`${inspect(key, { depth: 10 })}${JSON.stringify(key)}`).not.toContain('4242');
    });
  });
});
