import { OrderedIndex, type IndexEntry, type IndexKey } from '../storage/ordered-index';
import { Table, type Transaction } from '../storage/table';
import { EventBatch, type BatchRow } from './event-batch';
import { EventIndex, type EventKey } from './event-index';
import { groupNotFound, streamNotFound } from './faults';

export { EventBatch } from './event-batch';
export type { EventKey } from './event-index';

/** A log group, by `${region}\n${name}`. */
export interface GroupRecord {
  /** Unique across the endpoint and never reused: a group made again under the same name is new. */
  readonly id: number;
  readonly region: string;
  readonly name: string;
  readonly createdAt: number;
  /** Days events are kept; absent, forever. */
  readonly retentionInDays?: number;
  readonly kmsKeyId?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly logGroupClass: string;
  readonly deletionProtection: boolean;
}

/** A log stream, by `${group id}\n${name}`. */
export interface StreamRecord {
  readonly id: number;
  readonly groupId: number;
  readonly name: string;
  readonly createdAt: number;
  readonly firstEventTimestamp?: number;
  readonly lastEventTimestamp?: number;
  readonly lastIngestionTime?: number;
  /** PutLogEvents calls that stored events: what the (ignored) sequence tokens count. */
  readonly puts: number;
}

/** An event as an index yields it: its position and the batch that holds it. */
export class StoredEvent {
  #message: string | undefined;

  constructor(
    readonly key: EventKey,
    readonly batch: EventBatch,
  ) {}

  get timestamp(): number {
    return this.key[0];
  }

  /** Decoded when first asked for: a scan that passes an event by never builds its string. */
  get message(): string {
    return (this.#message ??= this.batch.message(this.key[2]));
  }

  /** The message's size in UTF-8. */
  get bytes(): number {
    return this.batch.messageBytes(this.key[2]);
  }
}

/** The bytes an event counts for in PutLogEvents' limits: its message in UTF-8, plus 26. */
export const EVENT_OVERHEAD = 26;

const groupKey = (region: string, name: string): string => `${region}\n${name}`;
const streamKey = (groupId: number, name: string): string => `${groupId}\n${name}`;
/** Streams without events sort first by last event time. */
const byTimeKey = (stream: StreamRecord): IndexKey => [
  stream.lastEventTimestamp ?? -1,
  stream.name,
  stream.id,
];

function indexIn<K, V>(map: Map<K, OrderedIndex<V>>, key: K): OrderedIndex<V> {
  let index = map.get(key);
  if (index === undefined) map.set(key, (index = new OrderedIndex<V>()));
  return index;
}

function eventIndexIn<K>(map: Map<K, EventIndex>, key: K): EventIndex {
  let index = map.get(key);
  if (index === undefined) map.set(key, (index = new EventIndex()));
  return index;
}

function removeFrom<K, V>(map: Map<K, OrderedIndex<V>>, key: K, entry: IndexKey): void {
  const index = map.get(key);
  if (index === undefined) return;
  index.delete(entry);
  if (index.size === 0) map.delete(key);
}

/**
 * The endpoint's CloudWatch Logs state, across regions: rows in three tables (groups,
 * streams, and batches of events) with indexes that follow committed rows through the tables'
 * change listeners: groups by region and name, streams by group and name or last event time,
 * and each stream's and each group's events by `[timestamp, batch, index]`. Lookups are by key
 * and reading events is a seek followed by a scan. Events are held compactly (an
 * {@link EventBatch} per PutLogEvents, {@link EventIndex} keys in typed arrays): a put leaves a
 * few objects behind, not several per event, so garbage collection stays short however many
 * events the endpoint holds.
 */
export class LogStore {
  readonly groups = new Table<GroupRecord>('logs-groups', (row) => ({ ...row, tags: { ...row.tags } }));
  readonly streams = new Table<StreamRecord>('logs-streams', (row) => ({ ...row }));
  /** Batches are never changed, so a copy is the batch itself; on disk they are {@link BatchRow}s. */
  readonly batches = new Table<EventBatch>(
    'logs-batches',
    (row) => row,
    (row) => EventBatch.fromRow(row as BatchRow),
  );

  readonly #groupsByRegion = new Map<string, OrderedIndex<string>>();
  readonly #groupKeyById = new Map<number, string>();
  readonly #streamsByName = new Map<number, OrderedIndex<string>>();
  readonly #streamsByTime = new Map<number, OrderedIndex<string>>();
  readonly #streamNameById = new Map<number, string>();
  readonly #streamEvents = new Map<number, EventIndex>();
  readonly #groupEvents = new Map<number, EventIndex>();
  readonly #batchById = new Map<number, EventBatch>();
  readonly #batchesOfStream = new Map<number, Set<string>>();
  readonly #storedBytes = new Map<number, number>();
  #nextId = 1;

  constructor(readonly accountId: string) {
    this.groups.onChange((key, before, after) => {
      if (before !== undefined) {
        removeFrom(this.#groupsByRegion, before.region, [before.name, before.id]);
        this.#groupKeyById.delete(before.id);
      }
      if (after !== undefined) {
        indexIn(this.#groupsByRegion, after.region).insert([after.name, after.id], key);
        this.#groupKeyById.set(after.id, key);
      }
    });
    this.streams.onChange((key, before, after) => {
      if (before !== undefined) {
        removeFrom(this.#streamsByName, before.groupId, [before.name, before.id]);
        removeFrom(this.#streamsByTime, before.groupId, byTimeKey(before));
        this.#streamNameById.delete(before.id);
      }
      if (after !== undefined) {
        indexIn(this.#streamsByName, after.groupId).insert([after.name, after.id], key);
        indexIn(this.#streamsByTime, after.groupId).insert(byTimeKey(after), key);
        this.#streamNameById.set(after.id, after.name);
      }
    });
    this.batches.onChange((key, before, after) => {
      if (before !== undefined) this.#unindexBatch(key, before);
      if (after !== undefined) this.#indexBatch(key, after);
    });
  }

  get tables(): Table<unknown>[] {
    return [this.groups, this.streams, this.batches] as Table<unknown>[];
  }

  /** Builds every index from the rows, after loading (one sort per index, not n inserts). */
  rebuild(): void {
    for (const map of [
      this.#groupsByRegion,
      this.#groupKeyById,
      this.#streamsByName,
      this.#streamsByTime,
      this.#streamNameById,
      this.#streamEvents,
      this.#groupEvents,
      this.#batchById,
      this.#batchesOfStream,
      this.#storedBytes,
    ]) {
      map.clear();
    }
    const load = <K, V>(entries: Map<K, IndexEntry<V>[]>, into: Map<K, OrderedIndex<V>>) => {
      for (const [key, list] of entries) indexIn(into, key).load(list);
    };
    const push = <K, V>(map: Map<K, V[]>, key: K, entry: V) => {
      const list = map.get(key);
      if (list === undefined) map.set(key, [entry]);
      else list.push(entry);
    };
    const byRegion = new Map<string, IndexEntry<string>[]>();
    for (const [key, group] of this.groups.entries()) {
      push(byRegion, group.region, { key: [group.name, group.id], value: key });
      this.#groupKeyById.set(group.id, key);
      this.#nextId = Math.max(this.#nextId, group.id + 1);
    }
    load(byRegion, this.#groupsByRegion);
    const byName = new Map<number, IndexEntry<string>[]>();
    const byTime = new Map<number, IndexEntry<string>[]>();
    for (const [key, stream] of this.streams.entries()) {
      push(byName, stream.groupId, { key: [stream.name, stream.id], value: key });
      push(byTime, stream.groupId, { key: byTimeKey(stream), value: key });
      this.#streamNameById.set(stream.id, stream.name);
      this.#nextId = Math.max(this.#nextId, stream.id + 1);
    }
    load(byName, this.#streamsByName);
    load(byTime, this.#streamsByTime);
    const streamBatches = new Map<number, EventBatch[]>();
    const groupBatches = new Map<number, EventBatch[]>();
    for (const [key, batch] of this.batches.entries()) {
      push(streamBatches, batch.streamId, batch);
      push(groupBatches, batch.groupId, batch);
      this.#batchById.set(batch.id, batch);
      this.#trackBatch(key, batch, 1);
      this.#nextId = Math.max(this.#nextId, batch.id + 1);
    }
    for (const [id, list] of streamBatches) eventIndexIn(this.#streamEvents, id).load(list);
    for (const [id, list] of groupBatches) eventIndexIn(this.#groupEvents, id).load(list);
  }

  /** A fresh id for a group, a stream or a batch. */
  nextId(): number {
    return this.#nextId++;
  }

  /** `arn:aws:logs:<region>:<account>:log-group:<name>` (the logGroupArn, without `:*`). */
  groupArn(group: GroupRecord): string {
    return `arn:aws:logs:${group.region}:${this.accountId}:log-group:${group.name}`;
  }

  streamArn(group: GroupRecord, stream: StreamRecord): string {
    return `${this.groupArn(group)}:log-stream:${stream.name}`;
  }

  /** A group by name, or by its ARN (in this region and account), as this transaction sees it. */
  findGroup(tx: Transaction, region: string, identifier: string): GroupRecord | undefined {
    let name = identifier;
    if (identifier.startsWith('arn:')) {
      const prefix = `arn:aws:logs:${region}:${this.accountId}:log-group:`;
      if (!identifier.startsWith(prefix)) return undefined;
      name = identifier.slice(prefix.length);
    }
    return tx.get(this.groups, groupKey(region, name));
  }

  resolveGroup(tx: Transaction, region: string, identifier: string): GroupRecord {
    const group = this.findGroup(tx, region, identifier);
    if (group === undefined) throw groupNotFound();
    return group;
  }

  putGroup(tx: Transaction, group: GroupRecord): void {
    tx.put(this.groups, groupKey(group.region, group.name), group);
  }

  /** Removes a group with its streams and every event in them. */
  deleteGroup(tx: Transaction, group: GroupRecord): void {
    for (const stream of this.streamsOf(group)) this.deleteStream(tx, stream);
    tx.delete(this.groups, groupKey(group.region, group.name));
  }

  /**
   * The committed groups of a region in name order, strictly after `after` (a `[name, id]`
   * position: `[prefix]` starts at the first name >= prefix) or before it when descending.
   */
  *groupsIn(region: string, after?: IndexKey): Generator<{ group: GroupRecord; position: IndexKey }> {
    const index = this.#groupsByRegion.get(region);
    if (index === undefined) return;
    for (const entry of index.scan(false, after)) {
      const group = this.groups.get(entry.value);
      if (group !== undefined) yield { group, position: entry.key };
    }
  }

  stream(tx: Transaction, group: GroupRecord, name: string): StreamRecord | undefined {
    return tx.get(this.streams, streamKey(group.id, name));
  }

  resolveStream(tx: Transaction, group: GroupRecord, name: string): StreamRecord {
    const stream = this.stream(tx, group, name);
    if (stream === undefined) throw streamNotFound();
    return stream;
  }

  putStream(tx: Transaction, stream: StreamRecord): void {
    tx.put(this.streams, streamKey(stream.groupId, stream.name), stream);
  }

  /** Removes a stream and every batch of events in it. */
  deleteStream(tx: Transaction, stream: StreamRecord): void {
    for (const key of this.#batchesOfStream.get(stream.id) ?? []) tx.delete(this.batches, key);
    tx.delete(this.streams, streamKey(stream.groupId, stream.name));
  }

  /**
   * A group's committed streams by name (`[name, id]` positions) or by last event time
   * (`[last event timestamp, name, id]`), strictly after `after` in the direction asked.
   */
  *streamsOf(
    group: GroupRecord,
    order: 'LogStreamName' | 'LastEventTime' = 'LogStreamName',
    descending = false,
    after?: IndexKey,
  ): Generator<StreamRecord & { readonly position: IndexKey }> {
    const index = (order === 'LogStreamName' ? this.#streamsByName : this.#streamsByTime).get(group.id);
    if (index === undefined) return;
    for (const entry of index.scan(descending, after)) {
      const stream = this.streams.get(entry.value);
      if (stream !== undefined) yield { ...stream, position: entry.key };
    }
  }

  /** The name of a stream by id (committed). */
  streamName(streamId: number): string | undefined {
    return this.#streamNameById.get(streamId);
  }

  /** Stores accepted events as one new batch. */
  addBatch(tx: Transaction, batch: EventBatch): void {
    tx.put(this.batches, String(batch.id), batch);
  }

  /** A stream's events in `[timestamp, batch, index]` order from the position `after`. */
  *streamEvents(streamId: number, descending: boolean, after?: IndexKey): Generator<StoredEvent> {
    const index = this.#streamEvents.get(streamId);
    if (index !== undefined) yield* this.#events(index, descending, after);
  }

  /** A group's events across its streams, interleaved in `[timestamp, batch, index]` order. */
  *groupEvents(groupId: number, descending: boolean, after?: IndexKey): Generator<StoredEvent> {
    const index = this.#groupEvents.get(groupId);
    if (index !== undefined) yield* this.#events(index, descending, after);
  }

  /** The bytes of the messages a group holds (DescribeLogGroups' storedBytes). */
  storedBytes(groupId: number): number {
    return this.#storedBytes.get(groupId) ?? 0;
  }

  *#events(index: EventIndex, descending: boolean, after?: IndexKey): Generator<StoredEvent> {
    for (const key of index.scan(descending, after)) {
      yield new StoredEvent(key, this.#batchById.get(key[1])!);
    }
  }

  #indexBatch(key: string, batch: EventBatch): void {
    this.#batchById.set(batch.id, batch);
    eventIndexIn(this.#streamEvents, batch.streamId).insertBatch(batch);
    eventIndexIn(this.#groupEvents, batch.groupId).insertBatch(batch);
    this.#trackBatch(key, batch, 1);
  }

  #unindexBatch(key: string, batch: EventBatch): void {
    for (const [map, id] of [
      [this.#streamEvents, batch.streamId],
      [this.#groupEvents, batch.groupId],
    ] as const) {
      const index = map.get(id);
      if (index === undefined) continue;
      index.deleteBatch(batch);
      if (index.size === 0) map.delete(id);
    }
    this.#batchById.delete(batch.id);
    this.#trackBatch(key, batch, -1);
  }

  #trackBatch(key: string, batch: EventBatch, sign: 1 | -1): void {
    let keys = this.#batchesOfStream.get(batch.streamId);
    if (sign === 1) {
      if (keys === undefined) this.#batchesOfStream.set(batch.streamId, (keys = new Set()));
      keys.add(key);
    } else if (keys !== undefined) {
      keys.delete(key);
      if (keys.size === 0) this.#batchesOfStream.delete(batch.streamId);
    }
    const total = (this.#storedBytes.get(batch.groupId) ?? 0) + sign * batch.bytes;
    if (total === 0) this.#storedBytes.delete(batch.groupId);
    else this.#storedBytes.set(batch.groupId, total);
  }
}
