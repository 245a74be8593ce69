import { accessDenied, disabled, invalidState } from './faults';
import type { KeyUsageName, SupportedSpec } from './key-spec';

/*
 * KMS keys as rows: plain JSON, never changed in place (an operation writes a new row), and
 * the checks KMS makes of a key's state before it is used or changed.
 */

/** Deletion windows and rotation periods are in days. */
export const DAY_MS = 86_400_000;

/** The key states the endpoint's keys can be in (no imported material, no custom key stores). */
export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';
/** How a version of key material replaced the one before, as ListKeyRotations reports it. */
export type RotationType = 'AUTOMATIC' | 'ON_DEMAND';

/** One version of a key's material; a symmetric key gets one more at every rotation. */
export interface KeyMaterial {
  /** Symmetric or HMAC key bytes (base64), or the private key as PKCS#8 DER (base64). */
  readonly secret: string;
  readonly createdAt: number;
  /** How this version replaced the one before; absent on the first. */
  readonly rotation?: RotationType;
}

/** A key's automatic rotation settings and its count of on-demand rotations. */
export interface KeyRotation {
  readonly enabled: boolean;
  readonly periodInDays: number;
  /** When the next automatic rotation is due (only while enabled). */
  readonly nextAt?: number;
  /** On-demand rotations done so far (KMS allows 10). */
  readonly onDemand: number;
}

/** A KMS key as stored: plain JSON, never changed in place. */
export interface KeyRecord {
  readonly format: 2;
  readonly id: string;
  readonly arn: string;
  readonly region: string;
  readonly createdAt: number;
  readonly description: string;
  readonly spec: SupportedSpec;
  readonly usage: KeyUsageName;
  readonly manager: 'CUSTOMER' | 'AWS';
  readonly multiRegion: boolean;
  readonly state: KeyState;
  readonly deletionDate?: number;
  readonly rotation: KeyRotation;
  readonly materials: readonly KeyMaterial[];
}

/** A key as keystage 0.1 stored it (and as a migrated data directory may still hold it). */
export interface LegacyKeyRecord {
  readonly id: string;
  readonly arn: string;
  readonly region: string;
  readonly material: string;
  readonly createdAt: number;
  readonly description: string;
  readonly enabled: boolean;
  readonly rotationEnabled: boolean;
}

/** A row of the kms-keys table. */
export type StoredKey = KeyRecord | LegacyKeyRecord;

export interface AliasRecord {
  readonly name: string;
  readonly arn: string;
  readonly targetKeyId: string;
  readonly createdAt?: number;
  readonly updatedAt?: number;
}

/** The AWS managed keys the endpoint creates on first use, by alias, in every Region. */
export const MANAGED_ALIASES: Readonly<Record<string, { service: string; description: string }>> = {
  'alias/aws/secretsmanager': {
    service: 'secretsmanager',
    description: 'Default key that protects my Secrets Manager data when no other key is defined',
  },
  'alias/aws/ssm': {
    service: 'ssm',
    description: 'Default key that protects my SSM parameters when no other key is defined',
  },
};

/** Rotation of a new customer managed key: off, with KMS's default period of 365 days. */
export const NO_ROTATION: KeyRotation = { enabled: false, periodInDays: 365, onDemand: 0 };

/** A stored row in the current form: keystage 0.1 keys become symmetric keys with one material. */
export function normalize(row: StoredKey): KeyRecord {
  if ('format' in row) return row;
  return {
    format: 2,
    id: row.id,
    arn: row.arn,
    region: row.region,
    createdAt: row.createdAt,
    description: row.description,
    spec: 'SYMMETRIC_DEFAULT',
    usage: 'ENCRYPT_DECRYPT',
    manager: 'CUSTOMER',
    multiRegion: false,
    state: row.enabled ? 'Enabled' : 'Disabled',
    rotation: row.rotationEnabled
      ? { enabled: true, periodInDays: 365, nextAt: row.createdAt + 365 * DAY_MS, onDemand: 0 }
      : NO_ROTATION,
    materials: [{ secret: row.material, createdAt: row.createdAt }],
  };
}

/** Refuses a key that cannot be used cryptographically, as KMS does for each state. */
export function requireUsable(key: KeyRecord): KeyRecord {
  if (key.state === 'Disabled') {
    throw disabled(`${key.arn} is disabled: enable it with EnableKey, or use another key.`);
  }
  requireNotPendingDeletion(key);
  return key;
}

/** Refuses a key pending deletion, for the operations KMS refuses on one. */
export function requireNotPendingDeletion(key: KeyRecord): KeyRecord {
  if (key.state === 'PendingDeletion') {
    throw invalidState(
      `${key.arn} is pending deletion: cancel it with CancelKeyDeletion to use the key again.`,
    );
  }
  return key;
}

/** AWS manages the state, rotation, policy, tags and deletion of its keys; its policy denies them. */
export function requireCustomerManaged(key: KeyRecord, what: string): KeyRecord {
  if (key.manager === 'AWS') {
    throw accessDenied(
      `${key.arn} is an AWS managed key: you cannot ${what}. Create a customer managed key instead.`,
    );
  }
  return key;
}
