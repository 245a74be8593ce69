import { randomBytes, randomUUID } from 'node:crypto';
import { invalidRequest, notFound } from '../fault';

/** A stored value: text, or bytes kept base64 so the state serialises as JSON. */
export type StoredValue = { readonly text: string } | { readonly binary: string };

export interface VersionRecord {
  readonly id: string;
  /** Undefined for the empty version RotateSecret creates before createSecret fills it. */
  value: StoredValue | undefined;
  stages: string[];
  readonly createdAt: number;
  lastAccessedAt?: number;
}

export interface RotationConfig {
  enabled: boolean;
  lambdaArn?: string;
  rules?: { AutomaticallyAfterDays?: number; Duration?: string; ScheduleExpression?: string };
}

export interface ReplicaRecord {
  readonly region: string;
  kmsKeyId?: string;
}

export interface SecretRecord {
  readonly name: string;
  /** The ARN in the primary region; replicas differ only in the region field. */
  readonly arn: string;
  readonly region: string;
  description?: string;
  kmsKeyId?: string;
  readonly createdAt: number;
  lastChangedAt: number;
  lastAccessedAt?: number;
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

/** All secrets of one endpoint, across regions. */
export class SecretStore {
  readonly secrets = new Map<string, SecretRecord>();

  constructor(readonly accountId: string) {}

  arnFor(name: string, region: string): string {
    return `arn:aws:secretsmanager:${region}:${this.accountId}:secret:${name}-${arnSuffix()}`;
  }

  /** The record's ARN as seen from `region` (its own, or a replica's). */
  arnIn(record: SecretRecord, region: string): string {
    return record.arn.replace(`:secretsmanager:${record.region}:`, `:secretsmanager:${region}:`);
  }

  visibleIn(record: SecretRecord, region: string): boolean {
    return record.region === region || record.replicas.some((replica) => replica.region === region);
  }

  /** By name, full ARN or partial ARN (no suffix), among the secrets visible in `region`. */
  find(id: string, region: string): SecretRecord | undefined {
    for (const record of this.secrets.values()) {
      if (!this.visibleIn(record, region)) continue;
      const arn = this.arnIn(record, region);
      if (id === record.name || id === arn || id === arn.slice(0, -7)) return record;
    }
    return undefined;
  }

  resolve(id: string, region: string): SecretRecord {
    const record = this.find(id, region);
    if (record === undefined) throw notFound("Secrets Manager can't find the specified secret.");
    return record;
  }

  /** Writes are for the primary region only. */
  resolveForWrite(id: string, region: string): SecretRecord {
    const record = this.resolve(id, region);
    if (record.region !== region) {
      throw invalidRequest(`Operation is not permitted on a replica secret. Call it in ${record.region}.`);
    }
    return record;
  }
}

/** Reads and writes of a secret scheduled for deletion fail, as in the service. */
export function assertNotDeleted(record: SecretRecord): void {
  if (record.deletionDate !== undefined) {
    throw invalidRequest(
      "You can't perform this operation on the secret because it was marked for deletion.",
    );
  }
}

export function holderOf(record: SecretRecord, stage: string): VersionRecord | undefined {
  return record.versions.find((version) => version.stages.includes(stage));
}

export function versionById(record: SecretRecord, id: string): VersionRecord | undefined {
  return record.versions.find((version) => version.id === id);
}

/**
 * Puts `stage` on `target`, taking it off whichever version had it. Moving AWSCURRENT
 * moves AWSPREVIOUS to the version that held AWSCURRENT, as the service does.
 */
export function attachStage(record: SecretRecord, stage: string, target: VersionRecord): void {
  const previous = holderOf(record, stage);
  if (previous === target) return;
  if (previous !== undefined) previous.stages = previous.stages.filter((s) => s !== stage);
  target.stages.push(stage);
  if (stage === 'AWSCURRENT' && previous !== undefined) {
    const oldPrevious = holderOf(record, 'AWSPREVIOUS');
    if (oldPrevious !== undefined) oldPrevious.stages = oldPrevious.stages.filter((s) => s !== 'AWSPREVIOUS');
    previous.stages.push('AWSPREVIOUS');
  }
}

/** Drops the oldest unlabelled versions beyond the service's limit. */
export function pruneVersions(record: SecretRecord): void {
  const unlabelled = record.versions.filter((version) => version.stages.length === 0);
  const excess = unlabelled.length - MAX_DEPRECATED_VERSIONS;
  if (excess <= 0) return;
  const dropped = new Set(unlabelled.slice(0, excess));
  record.versions = record.versions.filter((version) => !dropped.has(version));
}
