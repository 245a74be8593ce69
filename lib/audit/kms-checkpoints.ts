import type { KMSClient } from '@aws-sdk/client-kms';
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { toKeystageError } from '../core';
import { kmsSdk } from '../core/kms-sdk';
import { ValidationError } from '../errors';
import {
  CHECKPOINT_ALGORITHM,
  macsEqual,
  type CheckpointSigner,
  type CheckpointVerifier,
} from './checkpoint';

export interface KmsCheckpointOptions {
  /** The KMS key: an ARN is best, since an alias can later point elsewhere. */
  readonly keyId: string;
  /**
   * The KMS client.
   * @default - a KMSClient with the standard SDK configuration, created on first use
   */
  readonly kms?: KMSClient;
}

function checkKeyId(keyId: unknown): string {
  if (typeof keyId !== 'string' || keyId === '') {
    throw new ValidationError(
      'keyId',
      'Checkpoints need the KMS key to sign with: pass keyId (a key ARN or alias).',
    );
  }
  return keyId;
}

function lazyClient(kms: KMSClient | undefined): () => KMSClient {
  let client = kms;
  return () => (client ??= new (kmsSdk().KMSClient)({}));
}

/**
 * Checkpoints signed by KMS with an HMAC key (key spec `HMAC_256`, usage
 * `GENERATE_VERIFY_MAC`): GenerateMac signs and VerifyMac checks, so the key never leaves
 * KMS and KMS does the comparison. One KMS request per checkpoint and per verified checkpoint.
 * @example
 * const key = kmsMacCheckpoints({ keyId: 'arn:aws:kms:eu-west-1:123456789012:key/…' });
 * const sink = new CloudWatchLogsAuditSink({ logGroupName: '/keystage/audit', checkpoints: { key } });
 * const report = await verifyAuditTrail(events, { verifier: key });
 */
export function kmsMacCheckpoints(options: KmsCheckpointOptions): CheckpointSigner & CheckpointVerifier {
  const keyId = checkKeyId(options.keyId);
  const client = lazyClient(options.kms);
  return {
    keyId,
    async sign(message) {
      const { GenerateMacCommand } = kmsSdk();
      try {
        const output = await client().send(
          new GenerateMacCommand({ KeyId: keyId, Message: message, MacAlgorithm: CHECKPOINT_ALGORITHM }),
        );
        return { mac: output.Mac ?? new Uint8Array() };
      } catch (error) {
        throw toKeystageError(error, { operation: 'GenerateMac' });
      }
    },
    async verify(checkpoint) {
      if (checkpoint.keyId !== keyId) return false;
      const { VerifyMacCommand } = kmsSdk();
      try {
        const output = await client().send(
          new VerifyMacCommand({
            KeyId: keyId,
            Message: checkpoint.message,
            Mac: checkpoint.mac,
            MacAlgorithm: CHECKPOINT_ALGORITHM,
          }),
        );
        return output.MacValid === true;
      } catch (error) {
        // KMS answers a MAC that does not verify with an exception, not with MacValid: false.
        if ((error as { name?: unknown } | null)?.name === 'KMSInvalidMacException') return false;
        throw toKeystageError(error, { operation: 'VerifyMac' });
      }
    },
  };
}

/** How many decrypted data keys a verifier keeps (one per writer process, typically). */
const DECRYPTED_KEYS = 64;

/**
 * Checkpoints signed with an HMAC-SHA256 over a KMS data key: one GenerateDataKey per sink
 * (the plaintext stays in memory, never shown), then every checkpoint is a local HMAC, and
 * each checkpoint carries the encrypted data key so a verifier with kms:Decrypt can check
 * it. Use it when a KMS request per checkpoint is too many, or the key must be a symmetric
 * encryption key.
 * @example
 * const key = kmsDataKeyCheckpoints({ keyId: 'alias/keystage-audit' });
 * const report = await verifyAuditTrail(events, { verifier: key });
 */
export function kmsDataKeyCheckpoints(options: KmsCheckpointOptions): CheckpointSigner & CheckpointVerifier {
  const keyId = checkKeyId(options.keyId);
  const client = lazyClient(options.kms);
  let dataKey: Promise<{ plaintext: Buffer; encrypted: string }> | undefined;
  const decrypted = new Map<string, Promise<Buffer>>();

  const generate = async (): Promise<{ plaintext: Buffer; encrypted: string }> => {
    const { GenerateDataKeyCommand } = kmsSdk();
    try {
      const output = await client().send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
      return {
        plaintext: Buffer.from(output.Plaintext ?? new Uint8Array()),
        encrypted: Buffer.from(output.CiphertextBlob ?? new Uint8Array()).toString('base64'),
      };
    } catch (error) {
      throw toKeystageError(error, { operation: 'GenerateDataKey' });
    }
  };

  const decrypt = async (encrypted: string): Promise<Buffer> => {
    const { DecryptCommand } = kmsSdk();
    try {
      const output = await client().send(
        new DecryptCommand({ KeyId: keyId, CiphertextBlob: Buffer.from(encrypted, 'base64') }),
      );
      return Buffer.from(output.Plaintext ?? new Uint8Array());
    } catch (error) {
      throw toKeystageError(error, { operation: 'Decrypt' });
    }
  };

  return {
    keyId,
    async sign(message) {
      // A failed GenerateDataKey is not kept: the next checkpoint asks again.
      dataKey ??= generate().catch((error: unknown) => {
        dataKey = undefined;
        throw error;
      });
      const { plaintext, encrypted } = await dataKey;
      return {
        mac: createHmac('sha256', plaintext).update(message).digest(),
        details: { encrypted_key: encrypted },
      };
    },
    async verify(checkpoint) {
      const encrypted = checkpoint.details['encrypted_key'];
      if (checkpoint.keyId !== keyId || typeof encrypted !== 'string') return false;
      let key = decrypted.get(encrypted);
      if (key === undefined) {
        if (decrypted.size >= DECRYPTED_KEYS) decrypted.delete(decrypted.keys().next().value!);
        key = decrypt(encrypted);
        decrypted.set(encrypted, key);
        key.catch(() => decrypted.delete(encrypted));
      }
      const mac = createHmac('sha256', await key)
        .update(checkpoint.message)
        .digest();
      return macsEqual(mac, checkpoint.mac);
    },
    // The plaintext data key signs every checkpoint: never shown.
    [inspect.custom]: () => `KmsDataKeyCheckpoints { keyId: ${JSON.stringify(keyId)} }`,
    toJSON: () => ({ keyId }),
  } as CheckpointSigner & CheckpointVerifier;
}
