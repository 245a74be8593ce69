import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { ServiceFault } from '../fault';
import { Table, type Transaction } from '../storage/table';

/** KMS names this fault differently from Secrets Manager. */
const notFound = (message: string): ServiceFault => new ServiceFault('NotFoundException', message);

export interface KeyRecord {
  readonly id: string;
  readonly arn: string;
  readonly region: string;
  /** 32 bytes, base64, so the state serialises as JSON. */
  readonly material: string;
  readonly createdAt: number;
  description: string;
  enabled: boolean;
  rotationEnabled: boolean;
}

export interface AliasRecord {
  readonly name: string;
  readonly arn: string;
  targetKeyId: string;
}

/** Ciphertext blob: magic, key id, IV, GCM tag, ciphertext. */
const MAGIC = Buffer.from('KSK1');
const ID_LENGTH = 36;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;

export const invalidCiphertext = (): ServiceFault =>
  new ServiceFault(
    'InvalidCiphertextException',
    'The ciphertext is invalid, or the encryption context does not match.',
  );

/**
 * The encryption context is authenticated data: sorted so the order of its keys does not
 * matter, and bound to the key id so a blob cannot be replayed under another key.
 */
function aad(keyId: string, context: Readonly<Record<string, string>>): Buffer {
  const sorted = Object.keys(context)
    .sort()
    .map((key) => [key, context[key]]);
  return Buffer.from(JSON.stringify([keyId, sorted]), 'utf8');
}

export class KeyStore {
  readonly keys = new Table<KeyRecord>('kms-keys', (key) => ({ ...key }));
  /** By `${region}/${alias name}`. */
  readonly aliases = new Table<AliasRecord>('kms-aliases', (alias) => ({ ...alias }));

  constructor(readonly accountId: string) {}

  get tables(): Table<unknown>[] {
    return [this.keys, this.aliases] as Table<unknown>[];
  }

  create(tx: Transaction, region: string, description: string, now: number): KeyRecord {
    const id = randomUUID();
    const key: KeyRecord = {
      id,
      arn: `arn:aws:kms:${region}:${this.accountId}:key/${id}`,
      region,
      material: randomBytes(32).toString('base64'),
      createdAt: now,
      description,
      enabled: true,
      rotationEnabled: false,
    };
    tx.put(this.keys, id, key);
    return key;
  }

  /** By key id, key ARN, alias name or alias ARN. */
  resolve(tx: Transaction, keyId: string, region: string): KeyRecord {
    let id = keyId;
    if (keyId.startsWith('alias/') || keyId.includes(':alias/')) {
      const name = keyId.slice(keyId.indexOf('alias/'));
      const alias = tx.get(this.aliases, `${region}/${name}`);
      if (alias === undefined) throw notFound(`Alias ${keyId} is not found.`);
      id = alias.targetKeyId;
    } else if (keyId.startsWith('arn:')) {
      id = keyId.slice(keyId.lastIndexOf('/') + 1);
    }
    const key = tx.get(this.keys, id);
    if (key === undefined || key.region !== region) throw notFound(`Key '${keyId}' does not exist.`);
    return key;
  }

  usable(tx: Transaction, keyId: string, region: string): KeyRecord {
    const key = this.resolve(tx, keyId, region);
    if (!key.enabled) throw new ServiceFault('DisabledException', `${key.arn} is disabled.`);
    return key;
  }

  encrypt(key: KeyRecord, plaintext: Buffer, context: Readonly<Record<string, string>>): Buffer {
    const iv = randomBytes(IV_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(key.material, 'base64'), iv);
    cipher.setAAD(aad(key.id, context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([MAGIC, Buffer.from(key.id, 'ascii'), iv, cipher.getAuthTag(), body]);
  }

  decrypt(
    blob: Buffer,
    region: string,
    context: Readonly<Record<string, string>>,
  ): { key: KeyRecord; plaintext: Buffer } {
    const header = MAGIC.length + ID_LENGTH + IV_LENGTH + TAG_LENGTH;
    if (blob.length < header || !blob.subarray(0, MAGIC.length).equals(MAGIC)) throw invalidCiphertext();
    const id = blob.subarray(MAGIC.length, MAGIC.length + ID_LENGTH).toString('ascii');
    const key = this.keys.get(id);
    if (key === undefined || key.region !== region) throw invalidCiphertext();
    if (!key.enabled) throw new ServiceFault('DisabledException', `${key.arn} is disabled.`);
    const ivStart = MAGIC.length + ID_LENGTH;
    const decipher = createDecipheriv(
      'aes-256-gcm',
      Buffer.from(key.material, 'base64'),
      blob.subarray(ivStart, ivStart + IV_LENGTH),
    );
    decipher.setAAD(aad(key.id, context));
    decipher.setAuthTag(blob.subarray(ivStart + IV_LENGTH, header));
    try {
      return { key, plaintext: Buffer.concat([decipher.update(blob.subarray(header)), decipher.final()]) };
    } catch {
      throw invalidCiphertext();
    }
  }
}
