import { ServiceFault } from '../fault';
import type { SmContext } from './context';
import type { SecretRecord } from './records';

/** The AWS managed key a secret uses when it names none. */
export const DEFAULT_KEY = 'alias/aws/secretsmanager';

/** Whether a KmsKeyId means the AWS managed key (absent, empty, or its alias or alias ARN). */
export function isDefaultKey(keyId: string | undefined): boolean {
  return keyId === undefined || keyId === '' || keyId === DEFAULT_KEY || keyId.endsWith(`:${DEFAULT_KEY}`);
}

/**
 * Why `keyId` can't be used in `region`, in KMS's words, or undefined when it can. The AWS
 * managed key always can: it is created on first use.
 */
export function keyProblem(ctx: SmContext, keyId: string | undefined, region: string): string | undefined {
  if (isDefaultKey(keyId)) return undefined;
  try {
    ctx.keys.usable(ctx.tx, keyId!, region);
    return undefined;
  } catch (error) {
    if (error instanceof ServiceFault) return `${error.type}: ${error.message}`;
    throw error;
  }
}

/**
 * Refuses to encrypt with a key that does not exist in the region, is disabled or is pending
 * deletion, as the service answers: EncryptionFailure.
 */
export function assertCanEncrypt(ctx: SmContext, keyId: string | undefined, region: string): void {
  const problem = keyProblem(ctx, keyId, region);
  if (problem !== undefined) {
    throw new ServiceFault(
      'EncryptionFailure',
      `Secrets Manager can't encrypt the secret value with the KMS key ${keyId!} (${problem}). Use a key that exists in ${region} and is enabled, or omit KmsKeyId to use aws/secretsmanager.`,
    );
  }
}

/** The key that protects the secret's value in `region`: its own, or its replica's there. */
export function keyIn(record: SecretRecord, region: string): string | undefined {
  if (region === record.region) return record.kmsKeyId;
  return record.replicas.find((replica) => replica.region === region)?.kmsKeyId;
}

/** Refuses to decrypt with a key that can't be used any more: DecryptionFailure. */
export function assertCanDecrypt(ctx: SmContext, record: SecretRecord, region: string): void {
  const keyId = keyIn(record, region);
  const problem = keyProblem(ctx, keyId, region);
  if (problem !== undefined) {
    throw new ServiceFault(
      'DecryptionFailure',
      `Secrets Manager can't decrypt the secret value with the KMS key ${keyId!} (${problem}). Enable the key, or cancel its deletion.`,
    );
  }
}
