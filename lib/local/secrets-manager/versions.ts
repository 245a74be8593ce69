import { invalidRequest } from '../fault';
import type { Transaction } from '../storage/table';
import type { SecretRecord, VersionRecord } from './records';
import { MAX_DEPRECATED_VERSIONS } from './records';
import type { SecretStore } from './store';

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

/** Drops the oldest unlabelled versions beyond the service's limit, with their values. */
export function pruneVersions(store: SecretStore, tx: Transaction, record: SecretRecord): void {
  const unlabelled = record.versions.filter((version) => version.stages.length === 0);
  const excess = unlabelled.length - MAX_DEPRECATED_VERSIONS;
  if (excess <= 0) return;
  const dropped = new Set(unlabelled.slice(0, excess));
  for (const version of dropped) store.dropVersion(tx, record, version.id);
  record.versions = record.versions.filter((version) => !dropped.has(version));
}
