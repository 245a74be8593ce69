import { invalidParameter, notFound } from '../fault';
import { OrderedIndex, type IndexKey } from '../storage/ordered-index';
import { Table, type Transaction } from '../storage/table';
import { arnSuffix, regionsOf, arnIn, type SecretRecord, type StoredValue } from './records';

/** What ListSecrets can sort by, as the API names it. */
export type SortBy = 'created-date' | 'last-accessed-date' | 'last-changed-date' | 'name';
const SORTS: readonly SortBy[] = ['created-date', 'last-accessed-date', 'last-changed-date', 'name'];

function cloneSecret(record: SecretRecord): SecretRecord {
  return {
    ...record,
    rotation: {
      ...record.rotation,
      ...(record.rotation.rules === undefined ? {} : { rules: { ...record.rotation.rules } }),
    },
    tags: { ...record.tags },
    replicas: record.replicas.map((replica) => ({ ...replica })),
    versions: record.versions.map((version) => ({ ...version, stages: [...version.stages] })),
  };
}

const valueKey = (arn: string, versionId: string): string => `${arn}\n${versionId}`;
/** Reads in a replica's region are dated apart from the primary's ('@' never starts a VersionId). */
const replicaKey = (arn: string, region: string): string => `${arn}\n@${region}`;
const regionName = (region: string, name: string): string => `${region}\n${name}`;

/**
 * All secrets of one endpoint, across regions: rows in tables, with indexes from name and
 * ARN to the row, an order per region for each ListSecrets sort, and the pending deletions
 * by date. Indexes follow committed rows only (through the tables' change listeners).
 */
export class SecretStore {
  readonly secrets = new Table<SecretRecord>('secrets', cloneSecret);
  /** Values by ARN and VersionId; a version's value never changes once stored. */
  readonly values = new Table<StoredValue>('secret-values', (value) => value);
  /** Day of the last read, by ARN (and ARN + VersionId); kept apart so reads rewrite no secret. */
  readonly accessed = new Table<number>('secret-access', (day) => day);

  readonly #byName = new Map<string, string>();
  readonly #orders = new Map<string, Map<SortBy, OrderedIndex<string>>>();
  readonly #deletions = new OrderedIndex<string>();
  #nextSeq = 1;

  constructor(readonly accountId: string) {
    this.secrets.onChange((arn, before, after) => this.#reindex(arn, before, after));
    this.accessed.onChange((key) => {
      if (key.includes('\n')) return;
      const record = this.secrets.get(key);
      if (record !== undefined) this.#reindex(key, record, record, true);
    });
  }

  get tables(): Table<unknown>[] {
    return [this.secrets, this.values, this.accessed] as Table<unknown>[];
  }

  /** Builds every index from the rows, after loading. */
  rebuild(): void {
    this.#byName.clear();
    this.#orders.clear();
    this.#accessKeys.clear();
    const perRegion = new Map<string, Map<SortBy, { key: IndexKey; value: string }[]>>();
    const deletions: { key: IndexKey; value: string }[] = [];
    for (const record of this.secrets.values()) {
      this.#nextSeq = Math.max(this.#nextSeq, record.seq + 1);
      for (const region of regionsOf(record)) {
        this.#byName.set(regionName(region, record.name), record.arn);
        let sorts = perRegion.get(region);
        if (sorts === undefined) perRegion.set(region, (sorts = new Map(SORTS.map((s) => [s, []]))));
        for (const sort of SORTS)
          sorts.get(sort)!.push({ key: this.#sortKey(record, sort), value: record.arn });
      }
      this.#accessKeys.set(record.arn, this.#sortKey(record, 'last-accessed-date'));
      if (record.deletionDate !== undefined)
        deletions.push({ key: [record.deletionDate, record.seq], value: record.arn });
    }
    for (const [region, sorts] of perRegion) {
      const indexes = this.#ordersIn(region);
      for (const [sort, entries] of sorts) indexes.get(sort)!.load(entries);
    }
    this.#deletions.load(deletions);
  }

  nextSeq(): number {
    return this.#nextSeq++;
  }

  arnFor(name: string, region: string): string {
    return `arn:aws:secretsmanager:${region}:${this.accountId}:secret:${name}-${arnSuffix()}`;
  }

  /**
   * By name, full ARN or partial ARN (an ARN without the suffix), among the secrets
   * visible in `region`; the transaction's own writes included.
   */
  find(tx: Transaction, id: string, region: string): SecretRecord | undefined {
    const arn = this.#arnOf(id, region);
    return arn === undefined ? undefined : tx.get(this.secrets, arn);
  }

  resolve(tx: Transaction, id: string, region: string): SecretRecord {
    const record = this.find(tx, id, region);
    if (record === undefined) throw notFound("Secrets Manager can't find the specified secret.");
    return record;
  }

  /** A copy to change, for writes, which are for the primary region only. */
  resolveForWrite(tx: Transaction, id: string, region: string): SecretRecord {
    const record = this.resolve(tx, id, region);
    if (record.region !== region) {
      throw invalidParameter(
        `Operation not permitted on a replica secret. Call must be made in primary secret's region (${record.region}).`,
      );
    }
    return tx.edit(this.secrets, record.arn)!;
  }

  /** A copy of a record found earlier in this transaction, to change. */
  edit(tx: Transaction, record: SecretRecord): SecretRecord {
    return tx.edit(this.secrets, record.arn)!;
  }

  insert(tx: Transaction, record: SecretRecord): void {
    tx.put(this.secrets, record.arn, record);
  }

  /** Removes the secret with every value and access date it had. */
  remove(tx: Transaction, record: SecretRecord): void {
    tx.delete(this.secrets, record.arn);
    tx.delete(this.accessed, record.arn);
    for (const replica of record.replicas) tx.delete(this.accessed, replicaKey(record.arn, replica.region));
    for (const version of record.versions) {
      tx.delete(this.values, valueKey(record.arn, version.id));
      tx.delete(this.accessed, valueKey(record.arn, version.id));
    }
  }

  value(tx: Transaction, record: SecretRecord, versionId: string): StoredValue | undefined {
    return tx.get(this.values, valueKey(record.arn, versionId));
  }

  setValue(tx: Transaction, record: SecretRecord, versionId: string, value: StoredValue): void {
    tx.put(this.values, valueKey(record.arn, versionId), value);
  }

  /** Forgets a version that is dropped (its value and access date go with it). */
  dropVersion(tx: Transaction, record: SecretRecord, versionId: string): void {
    tx.delete(this.values, valueKey(record.arn, versionId));
    tx.delete(this.accessed, valueKey(record.arn, versionId));
  }

  lastAccessed(record: SecretRecord, versionId?: string): number | undefined {
    return this.accessed.get(versionId === undefined ? record.arn : valueKey(record.arn, versionId));
  }

  /** The day of the last read of the secret in `region` (its own, or a replica's). */
  lastAccessedIn(record: SecretRecord, region: string): number | undefined {
    return region === record.region
      ? this.lastAccessed(record)
      : this.accessed.get(replicaKey(record.arn, region));
  }

  /**
   * Records a read in `region` on `day`; a change only when the day moved on (once a day per
   * secret). The secret's own date (the one ListSecrets sorts by) counts reads in its region.
   */
  touch(tx: Transaction, record: SecretRecord, versionId: string, day: number, region = record.region): void {
    if (region === record.region) {
      if (this.lastAccessed(record) !== day) this.setAccessed(tx, record, undefined, day);
    } else if (this.lastAccessedIn(record, region) !== day) {
      tx.put(this.accessed, replicaKey(record.arn, region), day);
    }
    if (this.lastAccessed(record, versionId) !== day) this.setAccessed(tx, record, versionId, day);
  }

  /** Forgets the read dates of a replica that is removed. */
  dropReplicaAccess(tx: Transaction, record: SecretRecord, region: string): void {
    tx.delete(this.accessed, replicaKey(record.arn, region));
  }

  /** Sets the day of the last read of the secret, or of one version of it. */
  setAccessed(tx: Transaction, record: SecretRecord, versionId: string | undefined, day: number): void {
    tx.put(this.accessed, versionId === undefined ? record.arn : valueKey(record.arn, versionId), day);
  }

  /**
   * Secrets visible in `region` in the order of `sortBy`, strictly after the position
   * `after` (a key from {@link positionOf}); deleted or changed entries are simply where
   * their current key puts them, so a position stays valid while writes happen.
   */
  *scan(region: string, sortBy: SortBy, descending: boolean, after?: IndexKey): Generator<SecretRecord> {
    const index = this.#orders.get(region)?.get(sortBy);
    if (index === undefined) return;
    for (const entry of index.scan(descending, after)) {
      const record = this.secrets.get(entry.value);
      if (record !== undefined) yield record;
    }
  }

  positionOf(record: SecretRecord, sortBy: SortBy): IndexKey {
    return this.#sortKey(record, sortBy);
  }

  /** Secrets whose recovery window ended at or before `now`. */
  dueForDeletion(now: number): SecretRecord[] {
    const due: SecretRecord[] = [];
    for (const entry of this.#deletions.scan()) {
      if ((entry.key[0] as number) > now) break;
      const record = this.secrets.get(entry.value);
      if (record !== undefined) due.push(record);
    }
    return due;
  }

  #arnOf(id: string, region: string): string | undefined {
    if (!id.startsWith('arn:')) return this.#byName.get(regionName(region, id));
    const prefix = `arn:aws:secretsmanager:${region}:${this.accountId}:secret:`;
    if (!id.startsWith(prefix)) return undefined;
    const rest = id.slice(prefix.length);
    // A full ARN ends in '-' and six characters; a partial ARN is the name alone.
    const full = /^(.+)-[A-Za-z0-9]{6}$/.exec(rest);
    if (full !== null) {
      const arn = this.#byName.get(regionName(region, full[1]!));
      if (arn !== undefined && this.#regionalArn(arn, region) === id) return arn;
    }
    return this.#byName.get(regionName(region, rest));
  }

  #regionalArn(arn: string, region: string): string | undefined {
    const record = this.secrets.get(arn);
    return record === undefined ? undefined : arnIn(record, region);
  }

  #sortKey(record: SecretRecord, sortBy: SortBy): IndexKey {
    switch (sortBy) {
      case 'created-date':
        return [record.createdAt, record.seq];
      case 'last-changed-date':
        return [record.lastChangedAt, record.seq];
      case 'last-accessed-date':
        return [this.accessed.get(record.arn) ?? 0, record.seq];
      case 'name':
        return [record.name, record.seq];
    }
  }

  #ordersIn(region: string): Map<SortBy, OrderedIndex<string>> {
    let indexes = this.#orders.get(region);
    if (indexes === undefined) {
      indexes = new Map(SORTS.map((sort) => [sort, new OrderedIndex<string>()]));
      this.#orders.set(region, indexes);
    }
    return indexes;
  }

  /** Moves the record's index entries from what `before` had to what `after` has. */
  #reindex(
    arn: string,
    before: SecretRecord | undefined,
    after: SecretRecord | undefined,
    accessOnly = false,
  ): void {
    const sorts: readonly SortBy[] = accessOnly ? ['last-accessed-date'] : SORTS;
    const afterRegions = after === undefined ? [] : regionsOf(after);
    if (before !== undefined) {
      for (const region of regionsOf(before)) {
        if (
          !accessOnly &&
          !afterRegions.includes(region) &&
          this.#byName.get(regionName(region, before.name)) === arn
        ) {
          this.#byName.delete(regionName(region, before.name));
        }
        const indexes = this.#ordersIn(region);
        for (const sort of sorts) {
          // The access row may have moved on since the entry was made: remove what was indexed.
          const key = sort === 'last-accessed-date' ? this.#accessKeys.get(arn) : this.#sortKey(before, sort);
          if (key !== undefined) indexes.get(sort)!.delete(key);
        }
      }
      if (!accessOnly && before.deletionDate !== undefined)
        this.#deletions.delete([before.deletionDate, before.seq]);
    }
    if (after === undefined) {
      this.#accessKeys.delete(arn);
      return;
    }
    for (const region of afterRegions) {
      if (!accessOnly) this.#byName.set(regionName(region, after.name), arn);
      const indexes = this.#ordersIn(region);
      for (const sort of sorts) indexes.get(sort)!.insert(this.#sortKey(after, sort), arn);
    }
    if (!accessOnly && after.deletionDate !== undefined)
      this.#deletions.insert([after.deletionDate, after.seq], arn);
    this.#accessKeys.set(arn, this.#sortKey(after, 'last-accessed-date'));
  }

  /** The last-accessed key each record is indexed under. */
  readonly #accessKeys = new Map<string, IndexKey>();
}
