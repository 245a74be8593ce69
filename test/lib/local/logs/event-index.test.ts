import fc from 'fast-check';
import { EventBatch } from '../../../../lib/local/logs/event-batch';
import { EventIndex, type EventKey } from '../../../../lib/local/logs/event-index';
import { compareKeys, OrderedIndex, type IndexKey } from '../../../../lib/local/storage/ordered-index';

type Op = { readonly insert: boolean; readonly key: EventKey };

// Few distinct timestamps and batches, so that equal timestamps and batch ties are common.
const eventKey = fc.tuple(
  fc.integer({ min: 0, max: 20 }),
  fc.integer({ min: 1, max: 6 }),
  fc.integer({ min: 0, max: 6 }),
) as fc.Arbitrary<EventKey>;

const ops = fc.array(fc.record({ insert: fc.boolean(), key: eventKey }), { maxLength: 400 });

/** Applies the operations to an index and to a plain set of keys, the reference. */
function replay(list: readonly Op[], chunk: number): { index: EventIndex; reference: EventKey[] } {
  const index = new EventIndex(chunk);
  const present = new Map<string, EventKey>();
  for (const { insert, key } of list) {
    const id = key.join(',');
    if (insert && !present.has(id)) {
      index.insert(...key);
      present.set(id, key);
    } else if (!insert) {
      expect(index.delete(...key)).toBe(present.delete(id));
    }
  }
  return { index, reference: [...present.values()].sort(compareKeys) };
}

/** Any position a page token may carry: prefixes, keys between events, longer keys, strings. */
const position: fc.Arbitrary<IndexKey> = fc.array(
  fc.oneof(
    fc.integer({ min: -1, max: 22 }),
    fc.integer({ min: -2, max: 44 }).map((half) => half / 2),
    fc.constantFrom('', '1', '10', 'a'),
  ),
  { maxLength: 4 },
);

describe('EventIndex', () => {
  it('holds exactly the inserted events in [timestamp, batch, index] order, through inserts and deletes', () => {
    fc.assert(
      fc.property(ops, fc.integer({ min: 2, max: 8 }), (list, chunk) => {
        const { index, reference } = replay(list, chunk);
        expect([...index.scan()]).toEqual(reference);
        expect([...index.scan(true)]).toEqual([...reference].reverse());
        expect(index.size).toBe(reference.length);
      }),
      { numRuns: 200 },
    );
  });

  it('continues strictly after (or before) any position exactly as an OrderedIndex of the same keys does', () => {
    fc.assert(
      fc.property(
        ops,
        fc.integer({ min: 2, max: 8 }),
        position,
        fc.boolean(),
        (list, chunk, after, descending) => {
          const { index, reference } = replay(list, chunk);
          const ordered = new OrderedIndex<EventKey>(chunk);
          for (const key of reference) ordered.insert(key, key);
          const expected = [...ordered.scan(descending, after)].map((entry) => entry.value);
          expect([...index.scan(descending, after)]).toEqual(expected);
          expect(expected).toEqual(
            descending
              ? [...reference].reverse().filter((key) => compareKeys(key, after) < 0)
              : reference.filter((key) => compareKeys(key, after) > 0),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('loads batches in any order into the order inserting them one by one gives, overlapping in time or not', () => {
    const batch = (id: number, timestamps: number[]) =>
      EventBatch.of(
        { id, groupId: 1, streamId: 1, ingestedAt: 0 },
        timestamps.map((timestamp) => ({ timestamp, message: `${id}` })),
      );
    const batches = [
      batch(3, [5, 5, 9]),
      batch(1, [1, 5, 12]),
      batch(2, [0, 5, 5, 6]),
      batch(4, [13, 14]),
      batch(5, [5]),
    ];
    const loaded = new EventIndex(2);
    loaded.load(batches);
    const inserted = new EventIndex(2);
    for (const each of batches) inserted.insertBatch(each);
    const expected = batches
      .flatMap((each) =>
        Array.from({ length: each.size }, (_, i): EventKey => [each.timestamp(i), each.id, i]),
      )
      .sort(compareKeys);
    expect([...loaded.scan()]).toEqual(expected);
    expect([...inserted.scan()]).toEqual(expected);
    loaded.deleteBatch(batches[1]!);
    expect([...loaded.scan()]).toEqual(expected.filter((key) => key[1] !== 1));
  });
});
