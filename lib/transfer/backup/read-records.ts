import type { CallOptions } from '../../client/options';
import type { SecretListItem } from '../../client/operations/secret-summary';
import { runOperation, type SecretsClient } from '../../client/secrets-client';
import { CURRENT, PENDING, type BackupRecord, type BackupVersion } from './backup-record';
import { BATCH_SIZE, readCurrentValues, readVersion, type VersionValue } from './read-operations';
import { captureState, type SecretState } from './secret-state';

/** Why a secret the listing found is not in the backup. */
export type SkipReason =
  /** Its values cannot be read until it is restored, and a backup never writes. */
  | 'scheduled-for-deletion'
  /** A replica of a secret whose primary is in another region: back up that region. */
  | 'replica'
  /** Deleted between the listing and the read. */
  | 'gone';

export interface SkippedSecret {
  readonly name: string;
  readonly reason: SkipReason;
}

/** What the reader yields, in listing order: a record, or a secret left out and why. */
export type ReadItem = { readonly record: BackupRecord } | { readonly skipped: SkippedSecret };

export interface ReadRecordsOptions extends CallOptions {
  /** Only secrets tagged with one of these environments. @default - every secret */
  readonly environments: readonly string[] | undefined;
  /** Secrets read at once. */
  readonly concurrency: number;
}

/** `work` over `items`, at most `limit` at a time, answers in the items' order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The region in a Secrets Manager ARN. */
function regionOf(arn: string): string | undefined {
  return arn.split(':')[3];
}

function skipReason(item: SecretListItem): SkipReason | undefined {
  if (item.deletionDate !== undefined) return 'scheduled-for-deletion';
  if (item.primaryRegion !== undefined && item.primaryRegion !== regionOf(item.arn)) return 'replica';
  return undefined;
}

/**
 * A record from a secret's state and the values of its labelled versions. AWSPENDING is
 * left out (a version holding only it is a rotation under way, possibly an empty
 * placeholder), so a restore never leaves a rotation half done.
 */
async function recordOf(
  client: SecretsClient,
  state: SecretState,
  current: VersionValue | undefined,
  options: CallOptions,
): Promise<BackupRecord> {
  const versions: BackupVersion[] = [];
  for (const version of state.versions) {
    const stages = version.stages.filter((stage) => stage !== PENDING);
    if (stages.length === 0) continue;
    // The batch read AWSCURRENT a moment apart from the listing: used only if it is the same version.
    const value =
      stages.includes(CURRENT) && current?.versionId === version.versionId
        ? current.value
        : (await runOperation(client, readVersion, [state.arn, version.versionId, options], options)).value;
    versions.push({
      versionId: version.versionId,
      stages,
      createdAt: version.createdAt ?? new Date(0),
      value,
    });
  }
  return {
    name: state.name,
    arn: state.arn,
    ...(state.description === undefined ? {} : { description: state.description }),
    ...(state.kmsKeyId === undefined ? {} : { kmsKeyId: state.kmsKeyId }),
    tags: state.tags,
    ...(state.policy === undefined ? {} : { policy: state.policy }),
    rotation: state.rotation,
    replicas: state.replicas,
    versions: versions.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()),
  };
}

/** One batch of up to 20 listed secrets: their states, their current values in one call, then the rest. */
async function* readBatch(
  client: SecretsClient,
  items: readonly SecretListItem[],
  options: ReadRecordsOptions,
): AsyncGenerator<ReadItem> {
  const call: CallOptions = options.principal === undefined ? {} : { principal: options.principal };
  const states = await mapLimit(items, options.concurrency, (item) =>
    skipReason(item) === undefined ? captureState(client, item.arn, false, call) : Promise.resolve(undefined),
  );
  const live = states.filter((state): state is SecretState => state !== undefined);
  const current =
    live.length === 0
      ? undefined
      : await runOperation(client, readCurrentValues, [live.map((state) => state.arn), call], call);
  const records = await mapLimit(live, options.concurrency, (state) =>
    recordOf(client, state, current?.values.get(state.arn), call),
  );
  const byArn = new Map(records.map((record) => [record.arn, record]));
  for (const item of items) {
    const reason = skipReason(item);
    const record = byArn.get(item.arn);
    if (reason !== undefined) yield { skipped: { name: item.name, reason } };
    else if (record === undefined) yield { skipped: { name: item.name, reason: 'gone' } };
    else yield { record };
  }
}

/**
 * Every secret of the environments (each once), as records, streamed: the listing is read
 * page by page and secrets 20 at a time, so memory holds one batch whatever the number of
 * secrets. Per secret: DescribeSecret, ListSecretVersionIds, GetResourcePolicy, and a
 * GetSecretValue for each labelled version but AWSCURRENT, which one BatchGetSecretValue
 * reads for the whole batch. Any failure to read a secret fails the backup: a backup that
 * silently lacks a secret would be found out at the worst time.
 */
export async function* readRecords(
  client: SecretsClient,
  options: ReadRecordsOptions,
): AsyncGenerator<ReadItem> {
  const scopes = options.environments === undefined ? [undefined] : [...new Set(options.environments)];
  const call: CallOptions = options.principal === undefined ? {} : { principal: options.principal };
  for (const environment of scopes) {
    let batch: SecretListItem[] = [];
    const listing = client.list({
      ...call,
      ...(environment === undefined ? {} : { environment }),
      includeScheduledForDeletion: true,
    });
    for await (const item of listing) {
      batch.push(item);
      if (batch.length === BATCH_SIZE) {
        yield* readBatch(client, batch, options);
        batch = [];
      }
    }
    if (batch.length > 0) yield* readBatch(client, batch, options);
  }
}
