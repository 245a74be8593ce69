import { randomUUID } from 'node:crypto';
import { ConflictError, ValidationError } from '../../errors';
import { readRecord, type JobRecord } from './record';
import type { ResolvedMapping, SecretState } from './secrets';
import { versionsOf } from './secrets';
import type { InjectedReference } from './types';

/**
 * The job's id: the one asked for, else the one the target records, else a new one. A
 * target holds one job; another id is a conflict, not a second job.
 * @throws ConflictError when the target records a job with another id
 */
export function jobId(requested: string | undefined, record: JobRecord | undefined, target: string): string {
  if (record !== undefined && requested !== undefined && record.id !== requested) {
    throw new ConflictError(
      `${target} already carries injection ${JSON.stringify(record.id)}, not ${JSON.stringify(requested)}: ` +
        'a target holds one injection; pass its id to change it, or revoke it first.',
    );
  }
  return requested ?? record?.id ?? randomUUID();
}

/**
 * The job the target records, for refresh.
 * @throws ValidationError (field `job`) when the target records none
 * @throws ConflictError when it records another id
 */
export function requireRecord(
  tags: Readonly<Record<string, string>>,
  requested: string | undefined,
  target: string,
): JobRecord {
  const record = readRecord(tags);
  if (record === undefined) {
    throw new ValidationError(
      'job',
      `${target} carries no keystage injection (no keystage:injection tag): inject first.`,
    );
  }
  jobId(requested, record, target);
  return record;
}

/**
 * The versions to record: what the secrets are now when this call deployed (or nothing was
 * recorded), else what the last deployment read, which is still what the workload holds.
 */
export function recordedVersions(
  deployed: boolean,
  record: JobRecord | undefined,
  secrets: readonly SecretState[],
): Map<string, string> {
  const now = versionsOf(secrets);
  if (deployed || record === undefined) return now;
  return new Map([...now].map(([arn, version]) => [arn, record.versions.get(arn) ?? version]));
}

/** The references of resolved mappings, as the result reports them. */
export function referencesOf(
  mappings: readonly ResolvedMapping[],
  reference: (mapping: ResolvedMapping) => string,
): InjectedReference[] {
  return mappings.map((m) => ({
    name: m.name,
    secretArn: m.secretArn,
    jsonKey: m.jsonKey,
    reference: reference(m),
  }));
}
