import { randomBytes, randomUUID } from 'node:crypto';

/** A stored value: text, or bytes kept base64 so rows serialise as JSON. */
export type StoredValue = { readonly text: string } | { readonly binary: string };

export interface VersionRecord {
  readonly id: string;
  /** False for the empty version RotateSecret creates before createSecret fills it. */
  hasValue: boolean;
  stages: string[];
  readonly createdAt: number;
}

export interface RotationConfig {
  enabled: boolean;
  lambdaArn?: string;
  rules?: { AutomaticallyAfterDays?: number; Duration?: string; ScheduleExpression?: string };
}

export interface ReplicaRecord {
  readonly region: string;
  /** As the caller named it; absent for the region's aws/secretsmanager key. */
  kmsKeyId?: string;
  /** Failed when the replica was not created (the region already had a secret of that name, say). */
  status: 'InSync' | 'Failed' | 'InProgress';
  statusMessage?: string;
}

export interface SecretRecord {
  /** Creation order, unique per endpoint: the tiebreaker of every sort. */
  readonly seq: number;
  readonly name: string;
  /** The ARN in the primary region; replicas differ only in the region field. */
  readonly arn: string;
  readonly region: string;
  description?: string;
  kmsKeyId?: string;
  readonly createdAt: number;
  lastChangedAt: number;
  lastRotatedAt?: number;
  nextRotationAt?: number;
  /** When a scheduled deletion becomes final. */
  deletionDate?: number;
  rotation: RotationConfig;
  tags: Record<string, string>;
  policy?: string;
  replicas: ReplicaRecord[];
  /** Oldest first. */
  versions: VersionRecord[];
}

/** How many versions without a label a secret keeps before the oldest go. */
export const MAX_DEPRECATED_VERSIONS = 100;

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Secrets Manager appends '-' and six random characters to every secret's ARN. */
export function arnSuffix(): string {
  // 248 = 4 * 62: bytes at or above it are dropped so every character is equally likely.
  let suffix = '';
  while (suffix.length < 6) {
    for (const byte of randomBytes(12)) {
      if (byte < 248 && suffix.length < 6) suffix += SUFFIX_ALPHABET[byte % 62];
    }
  }
  return suffix;
}

export function newVersionId(): string {
  return randomUUID();
}

/** The regions a secret can be read in: its own and those of replicas that are in sync. */
export function regionsOf(record: SecretRecord): string[] {
  return [record.region, ...record.replicas.filter((r) => r.status === 'InSync').map((r) => r.region)];
}

/** The record's ARN as seen from `region` (its own, or a replica's). */
export function arnIn(record: SecretRecord, region: string): string {
  return record.arn.replace(`:secretsmanager:${record.region}:`, `:secretsmanager:${region}:`);
}
