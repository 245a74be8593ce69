import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  TagResourceCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { KEYSTAGE_TAGS, toKeystageError } from '../core';
import { SecretDecodeError } from '../errors';

/**
 * A distribution's state, kept as the JSON value of one Secrets Manager secret,
 * `keystage/distributions/<id>`. The distributor's key half and the proof key are plain
 * base64url in it: Secrets Manager encrypts the value at rest under the record's KMS key
 * (`recordKmsKeyId`), and IAM on `keystage/distributions/*` decides who may read it. The
 * record never holds the value, the envelope or its ciphertext.
 */
export interface DistributionRecord {
  readonly format: 'keystage/distribution/record';
  readonly version: 1;
  readonly id: string;
  readonly secretName: string;
  readonly secretArn: string;
  readonly secretVersionId: string;
  /** The recipient's principal id. */
  readonly recipient: string;
  /** The recipient's X25519 public key, base64url: the redemption answer is sealed to it. */
  readonly recipientPublicKey: string;
  /** Hex SHA-256 of the public key. */
  readonly recipientKey: string;
  readonly purpose: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly maxUses: number;
  readonly uses: number;
  readonly revoked: boolean;
  readonly revokedReason: string | null;
  readonly revokedAt: number | null;
  /** The nonces of the redemptions that succeeded: a replayed request is refused. */
  readonly nonces: readonly string[];
  /** Hex SHA-256 of the envelope's signed bytes. */
  readonly envelopeDigest: string;
  /** The distributor's half of the content key: the HPKE PSK, 32 bytes base64url. */
  readonly keyHalf: string;
  /** The key the recipient's redemption requests are MACed with, 32 bytes base64url. */
  readonly proofKey: string;
}

/** The name of a distribution's record secret. */
export function recordName(id: string): string {
  return `keystage/distributions/${id}`;
}

/** A staging label the new record version carries until the CAS moves AWSCURRENT onto it. */
const NEXT_STAGE = 'KEYSTAGE_NEXT';

const STRING_FIELDS = [
  'id',
  'secretName',
  'secretArn',
  'secretVersionId',
  'recipient',
  'recipientPublicKey',
  'recipientKey',
  'purpose',
  'envelopeDigest',
  'keyHalf',
  'proofKey',
] as const;
const INTEGER_FIELDS = ['issuedAt', 'expiresAt', 'maxUses', 'uses'] as const;

function parseRecord(text: string, id: string): DistributionRecord {
  const corrupt = (): never => {
    throw new SecretDecodeError(
      `The record of distribution ${JSON.stringify(id)} (${recordName(id)}) is not a keystage distribution record: it was edited outside keystage.`,
      { secretId: recordName(id) },
    );
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return corrupt();
  }
  const record = value as Record<string, unknown>;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return corrupt();
  if (record.format !== 'keystage/distribution/record' || record.version !== 1 || record.id !== id) corrupt();
  if (!STRING_FIELDS.every((field) => typeof record[field] === 'string')) corrupt();
  if (!INTEGER_FIELDS.every((field) => Number.isSafeInteger(record[field]))) corrupt();
  if (typeof record.revoked !== 'boolean') corrupt();
  if (record.revokedReason !== null && typeof record.revokedReason !== 'string') corrupt();
  if (record.revokedAt !== null && !Number.isSafeInteger(record.revokedAt)) corrupt();
  if (!Array.isArray(record.nonces) || !record.nonces.every((nonce) => typeof nonce === 'string')) corrupt();
  return value as DistributionRecord;
}

/** A record as read: its value and the version that holds AWSCURRENT (the CAS's expected version). */
export interface StoredRecord {
  readonly record: DistributionRecord;
  readonly versionId: string;
}

/**
 * Distribution records in Secrets Manager, read and updated with compare-and-swap: a new
 * value is written as a new version labelled KEYSTAGE_NEXT (PutSecretValue), then AWSCURRENT
 * is moved onto it with UpdateSecretVersionStage naming, in RemoveFromVersionId, the version
 * read. The service refuses the move when AWSCURRENT is no longer on that version (someone
 * else's update won), so of concurrent updates from one version exactly one lands.
 */
export class RecordStore {
  constructor(
    private readonly sm: SecretsManagerClient,
    private readonly kmsKeyId: string | undefined,
  ) {}

  /** Stores a new distribution's record. */
  async create(record: DistributionRecord): Promise<void> {
    const name = recordName(record.id);
    try {
      await this.sm.send(
        new CreateSecretCommand({
          Name: name,
          ClientRequestToken: randomUUID(),
          SecretString: JSON.stringify(record),
          Description: `keystage sealed distribution of ${record.secretName} to ${record.recipient}`,
          ...(this.kmsKeyId === undefined ? {} : { KmsKeyId: this.kmsKeyId }),
          Tags: [
            { Key: KEYSTAGE_TAGS.type, Value: 'distribution' },
            { Key: KEYSTAGE_TAGS.status, Value: 'active' },
          ],
        }),
      );
    } catch (error) {
      throw toKeystageError(error, { operation: 'CreateSecret', secretId: name });
    }
  }

  /** The record and its current version, or undefined when there is no such distribution. */
  async read(id: string): Promise<StoredRecord | undefined> {
    const name = recordName(id);
    let answer;
    try {
      answer = await this.sm.send(new GetSecretValueCommand({ SecretId: name }));
    } catch (error) {
      if ((error as { name?: unknown }).name === 'ResourceNotFoundException') return undefined;
      throw toKeystageError(error, { operation: 'GetSecretValue', secretId: name });
    }
    return { record: parseRecord(answer.SecretString ?? '', id), versionId: answer.VersionId! };
  }

  /**
   * Writes `next` if the record is still at `expected`. True when it landed; false when
   * another update won (read again and decide again).
   */
  async swap(next: DistributionRecord, expected: string): Promise<boolean> {
    const name = recordName(next.id);
    const versionId = randomUUID();
    try {
      await this.sm.send(
        new PutSecretValueCommand({
          SecretId: name,
          ClientRequestToken: versionId,
          SecretString: JSON.stringify(next),
          VersionStages: [NEXT_STAGE],
        }),
      );
    } catch (error) {
      throw toKeystageError(error, { operation: 'PutSecretValue', secretId: name });
    }
    try {
      await this.sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: versionId,
          RemoveFromVersionId: expected,
        }),
      );
      return true;
    } catch (error) {
      // RemoveFromVersionId no longer holds AWSCURRENT (or our version was pruned): lost.
      if ((error as { name?: unknown }).name === 'InvalidParameterException') return false;
      throw toKeystageError(error, { operation: 'UpdateSecretVersionStage', secretId: name });
    }
  }

  /** Tags a revoked distribution's record `keystage:status=revoked`. */
  async markRevoked(id: string): Promise<void> {
    const name = recordName(id);
    try {
      await this.sm.send(
        new TagResourceCommand({ SecretId: name, Tags: [{ Key: KEYSTAGE_TAGS.status, Value: 'revoked' }] }),
      );
    } catch (error) {
      throw toKeystageError(error, { operation: 'TagResource', secretId: name });
    }
  }
}
