import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { ServiceFault } from '../../../lib/local/fault';
import { BLOB_OVERHEAD, readHeader } from '../../../lib/local/kms/ciphertext';
import type { KmsContext } from '../../../lib/local/kms/context';
import { decryptBlob, encryptUnder } from '../../../lib/local/kms/encryption';
import { KeyStore, type KeyRecord } from '../../../lib/local/kms/keys';
import { Transaction } from '../../../lib/local/storage/table';

const NOW = Date.UTC(2026, 0, 1);

function setup(region = 'us-east-1'): { ctx: KmsContext; key: KeyRecord } {
  const keys = new KeyStore('111122223333', () => NOW);
  const ctx: KmsContext = { keys, tx: new Transaction(), region, now: () => NOW };
  const key = keys.create(
    ctx.tx,
    region,
    {
      spec: 'SYMMETRIC_DEFAULT',
      usage: 'ENCRYPT_DECRYPT',
      description: '',
      multiRegion: false,
      manager: 'CUSTOMER',
    },
    NOW,
  );
  return { ctx, key };
}

const decrypt = (ctx: KmsContext, blob: Buffer, context: Record<string, string> = {}) =>
  decryptBlob(ctx, blob, { keyId: undefined, algorithm: 'SYMMETRIC_DEFAULT', context });

/** The exception type a decryption fails with, or 'decrypted'. */
function outcome(ctx: KmsContext, blob: Buffer, context: Record<string, string> = {}): string {
  try {
    decrypt(ctx, blob, context);
    return 'decrypted';
  } catch (error) {
    if (error instanceof ServiceFault) return error.type;
    throw error;
  }
}

describe('symmetric ciphertext blobs', () => {
  it('round-trip under the key and its encryption context', () => {
    const { ctx, key } = setup();
    const blob = encryptUnder(key, 'SYMMETRIC_DEFAULT', Buffer.from('secret'), { b: '2', a: '1' });
    expect(blob.length).toBe(BLOB_OVERHEAD + 6);
    expect(decrypt(ctx, blob, { a: '1', b: '2' }).plaintext.toString()).toBe('secret');
  });

  it('refuses a blob with any single bit of it flipped, header included', () => {
    const { ctx, key } = setup();
    const blob = encryptUnder(key, 'SYMMETRIC_DEFAULT', Buffer.from('attack at dawn'), { purpose: 'test' });
    const outcomes = new Set<string>();
    for (let bit = 0; bit < blob.length * 8; bit++) {
      const tampered = Buffer.from(blob);
      tampered[bit >> 3]! ^= 1 << (bit & 7);
      outcomes.add(outcome(ctx, tampered, { purpose: 'test' }));
    }
    expect([...outcomes]).toEqual(['InvalidCiphertextException']);
  });

  it('refuses a key id whose high bit is set instead of reading it as its ASCII lookalike', () => {
    const { ctx, key } = setup();
    const blob = encryptUnder(key, 'SYMMETRIC_DEFAULT', Buffer.from('x'), {});
    const tampered = Buffer.from(blob);
    tampered[4]! |= 0x80;
    expect(readHeader(tampered)).toBeUndefined();
    expect(outcome(ctx, tampered)).toBe('InvalidCiphertextException');
  });

  it('refuses truncated and extended blobs', () => {
    const { ctx, key } = setup();
    const blob = encryptUnder(key, 'SYMMETRIC_DEFAULT', Buffer.from('payload'), {});
    for (const length of [0, 3, 40, 56, BLOB_OVERHEAD - 1, blob.length - 1]) {
      expect(outcome(ctx, blob.subarray(0, length))).toBe('InvalidCiphertextException');
    }
    expect(outcome(ctx, Buffer.concat([blob, Buffer.from([0])]))).toBe('InvalidCiphertextException');
  });

  it('binds the encryption context exactly: extra, missing or changed pairs fail', () => {
    const { ctx, key } = setup();
    const blob = encryptUnder(key, 'SYMMETRIC_DEFAULT', Buffer.from('x'), { app: 'billing' });
    for (const context of [
      {},
      { app: 'billing', extra: '' },
      { app: 'Billing' },
      { App: 'billing' },
    ] as Array<Record<string, string>>) {
      expect(outcome(ctx, blob, context)).toBe('InvalidCiphertextException');
    }
  });

  it('does not open in another Region, where the key does not exist', () => {
    const { ctx, key } = setup('us-east-1');
    const blob = encryptUnder(key, 'SYMMETRIC_DEFAULT', Buffer.from('x'), {});
    const elsewhere: KmsContext = { ...ctx, region: 'eu-west-1' };
    expect(outcome(elsewhere, blob)).toBe('InvalidCiphertextException');
  });

  it('opens blobs of keystage 0.1 under the key material it migrated, strictly parsed', () => {
    const keys = new KeyStore('111122223333', () => NOW);
    const tx = new Transaction();
    const id = randomUUID();
    const material = randomBytes(32);
    tx.put(keys.keys, id, {
      id,
      arn: keys.keyArn('us-east-1', id),
      region: 'us-east-1',
      material: material.toString('base64'),
      createdAt: NOW,
      description: 'migrated',
      enabled: true,
      rotationEnabled: false,
    } as unknown as KeyRecord);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', material, iv);
    cipher.setAAD(Buffer.from(JSON.stringify([id, [['k', 'v']]])));
    const body = Buffer.concat([cipher.update('legacy'), cipher.final()]);
    const legacy = Buffer.concat([Buffer.from('KSK1'), Buffer.from(id), iv, cipher.getAuthTag(), body]);
    const ctx: KmsContext = { keys, tx, region: 'us-east-1', now: () => NOW };
    expect(decrypt(ctx, legacy, { k: 'v' }).plaintext.toString()).toBe('legacy');
    const flipped = Buffer.from(legacy);
    flipped[10]! ^= 0x80;
    expect(outcome(ctx, flipped, { k: 'v' })).toBe('InvalidCiphertextException');
  });

  it('opens blobs sealed under every earlier version of the key material', () => {
    const { ctx, key } = setup();
    const first = encryptUnder(key, 'SYMMETRIC_DEFAULT', Buffer.from('v0'), {});
    const rotated = ctx.keys.rotate(ctx.tx, key, NOW, 'ON_DEMAND');
    const second = encryptUnder(rotated, 'SYMMETRIC_DEFAULT', Buffer.from('v1'), {});
    expect(readHeader(first)?.version).toBe(0);
    expect(readHeader(second)?.version).toBe(1);
    expect(decrypt(ctx, first).plaintext.toString()).toBe('v0');
    expect(decrypt(ctx, second).plaintext.toString()).toBe('v1');
  });
});
