import { OrderedIndex, type IndexEntry, type IndexKey } from '../storage/ordered-index';
import { Table, type Transaction } from '../storage/table';
import { hierarchyName, parameterArn, type ParameterRef } from './names';
import type { ParameterRecord, StoredParameterValue } from './records';

const parameterKey = (region: string, name: string): string => `${region}\n${name}`;
const valueKey = (region: string, name: string, version: number): string => `${region}\n${name}\n${version}`;
/** Index positions: `[name in its hierarchy form, name]`, so `x` and `/x` both sort under `/`. */
const positionOf = (name: string): IndexKey => [hierarchyName(name), name];

function cloneParameter(row: ParameterRecord): ParameterRecord {
  return {
    ...row,
    tags: { ...row.tags },
    versions: row.versions.map((version) => ({ ...version, labels: [...version.labels] })),
  };
}

/**
 * The endpoint's parameters across Regions: a row per parameter (its versions' settings and
 * labels, its tags) and a row per version's value, so labelling or tagging rewrites no value.
 * An index per Region orders names by their place in the hierarchy; it follows committed rows
 * through the table's change listener, so a path or a page of names is a seek and a scan.
 */
export class ParameterStore {
  readonly parameters = new Table<ParameterRecord>('ssm-parameters', cloneParameter);
  readonly values = new Table<StoredParameterValue>('ssm-values', (row) => row);
  readonly #byRegion = new Map<string, OrderedIndex<string>>();

  constructor(readonly accountId: string) {
    this.parameters.onChange((key, before, after) => {
      if (before !== undefined) this.#index(before.region).delete(positionOf(before.name));
      if (after !== undefined) this.#index(after.region).insert(positionOf(after.name), key);
    });
  }

  get tables(): Table<unknown>[] {
    return [this.parameters, this.values] as Table<unknown>[];
  }

  /** Builds the indexes from the rows, after loading (one sort per Region). */
  rebuild(): void {
    this.#byRegion.clear();
    const entries = new Map<string, IndexEntry<string>[]>();
    for (const [key, row] of this.parameters.entries()) {
      let list = entries.get(row.region);
      if (list === undefined) entries.set(row.region, (list = []));
      list.push({ key: positionOf(row.name), value: key });
    }
    for (const [region, list] of entries) this.#index(region).load(list);
  }

  arn(record: ParameterRecord): string {
    return parameterArn(record.region, this.accountId, record.name);
  }

  /** The parameter of that exact name, as the transaction sees it. */
  find(tx: Transaction, region: string, name: string): ParameterRecord | undefined {
    return tx.get(this.parameters, parameterKey(region, name));
  }

  /** The parameter a read names (the first of its candidate names that exists). */
  lookup(tx: Transaction, region: string, ref: ParameterRef): ParameterRecord | undefined {
    for (const name of ref.candidates) {
      const record = this.find(tx, region, name);
      if (record !== undefined) return record;
    }
    return undefined;
  }

  /** A copy of the parameter to change; what commits. */
  edit(tx: Transaction, record: ParameterRecord): ParameterRecord {
    return tx.edit(this.parameters, parameterKey(record.region, record.name))!;
  }

  insert(tx: Transaction, record: ParameterRecord): void {
    tx.put(this.parameters, parameterKey(record.region, record.name), record);
  }

  /** Removes the parameter with every value it kept. */
  remove(tx: Transaction, record: ParameterRecord): void {
    tx.delete(this.parameters, parameterKey(record.region, record.name));
    for (const { version } of record.versions) this.dropValue(tx, record, version);
  }

  value(tx: Transaction, record: ParameterRecord, version: number): StoredParameterValue | undefined {
    return tx.get(this.values, valueKey(record.region, record.name, version));
  }

  setValue(tx: Transaction, record: ParameterRecord, version: number, value: StoredParameterValue): void {
    tx.put(this.values, valueKey(record.region, record.name, version), value);
  }

  dropValue(tx: Transaction, record: ParameterRecord, version: number): void {
    tx.delete(this.values, valueKey(record.region, record.name, version));
  }

  /**
   * Committed parameters of a Region in hierarchy order, strictly after `after` (a position
   * from this scan, or `[prefix]` to start at the first name at or after a prefix).
   */
  *scan(region: string, after?: IndexKey): Generator<{ record: ParameterRecord; position: IndexKey }> {
    const index = this.#byRegion.get(region);
    if (index === undefined) return;
    for (const entry of index.scan(false, after)) {
      const record = this.parameters.get(entry.value);
      if (record !== undefined) yield { record, position: entry.key };
    }
  }

  #index(region: string): OrderedIndex<string> {
    let index = this.#byRegion.get(region);
    if (index === undefined) this.#byRegion.set(region, (index = new OrderedIndex<string>()));
    return index;
  }
}
