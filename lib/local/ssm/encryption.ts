import { ServiceFault } from '../fault';
import type { KmsContext } from '../kms/context';
import { decryptBlob, encryptUnder, encryptingKey } from '../kms/encryption';
import type { SsmContext } from './context';
import { invalidKeyId } from './faults';

/** The AWS managed key a SecureString uses when the request names none. */
export const DEFAULT_KEY = 'alias/aws/ssm';

/**
 * SecureString values are encrypted with the endpoint's own KMS, as Parameter Store calls
 * KMS: Encrypt under the parameter's key with its ARN as the encryption context, so a
 * ciphertext only decrypts as the parameter it was made for. The stored value, and what a
 * read without decryption answers, is that ciphertext in base64.
 */
function kmsOf(ctx: SsmContext): KmsContext {
  return { keys: ctx.keys, tx: ctx.tx, region: ctx.region, now: ctx.now };
}

const contextOf = (arn: string): Readonly<Record<string, string>> => ({ PARAMETER_ARN: arn });

/** KMS's refusal, in Parameter Store's terms (InvalidKeyId), naming the key and what KMS said. */
function keyRefused(keyId: string, error: unknown, what: string): never {
  if (!(error instanceof ServiceFault)) throw error;
  throw invalidKeyId(
    `The KMS key ${keyId} can't ${what} (${error.type}: ${error.message}). Use an enabled symmetric key of this Region, or omit KeyId to use ${DEFAULT_KEY}.`,
  );
}

/** The ciphertext (base64) of a SecureString value under `keyId`. */
export function encryptValue(ctx: SsmContext, keyId: string, arn: string, plaintext: string): string {
  const kms = kmsOf(ctx);
  try {
    const key = encryptingKey(kms, keyId, 'SYMMETRIC_DEFAULT', 'Encrypt');
    return encryptUnder(key, 'SYMMETRIC_DEFAULT', Buffer.from(plaintext, 'utf8'), contextOf(arn)).toString(
      'base64',
    );
  } catch (error) {
    return keyRefused(keyId, error, 'encrypt the parameter value');
  }
}

/** The plaintext of a stored SecureString value. */
export function decryptValue(ctx: SsmContext, keyId: string, arn: string, ciphertext: string): string {
  try {
    const { plaintext } = decryptBlob(kmsOf(ctx), Buffer.from(ciphertext, 'base64'), {
      keyId: undefined,
      algorithm: 'SYMMETRIC_DEFAULT',
      context: contextOf(arn),
    });
    return plaintext.toString('utf8');
  } catch (error) {
    return keyRefused(keyId, error, 'decrypt the parameter value');
  }
}
