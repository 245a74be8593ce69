import fc from 'fast-check';
import { compareKeys, OrderedIndex, type IndexKey } from '../../../../lib/local/storage/ordered-index';

type Op = { readonly insert: boolean; readonly key: number };

/** Applies the operations to the index and to a plain sorted array, the reference. */
function replay(ops: readonly Op[], chunk: number): { index: OrderedIndex<number>; reference: number[] } {
  // Small chunks, so that splits and emptied chunks happen within a few hundred operations.
  const index = new OrderedIndex<number>(chunk);
  const present = new Set<number>();
  for (const op of ops) {
    if (op.insert && !present.has(op.key)) {
      index.insert([op.key % 97, op.key], op.key);
      present.add(op.key);
    } else if (!op.insert) {
      expect(index.delete([op.key % 97, op.key])).toBe(present.delete(op.key));
    }
  }
  const reference = [...present].sort((a, b) => compareKeys([a % 97, a], [b % 97, b]));
  return { index, reference };
}

const ops = fc.array(fc.record({ insert: fc.boolean(), key: fc.integer({ min: 0, max: 300 }) }), {
  maxLength: 600,
});

describe('OrderedIndex', () => {
  it('holds exactly the inserted keys, in order, through any mix of inserts and deletes', () => {
    fc.assert(
      fc.property(ops, fc.integer({ min: 1, max: 8 }), (list, chunk) => {
        const { index, reference } = replay(list, chunk);
        expect([...index.scan()].map((entry) => entry.value)).toEqual(reference);
        expect([...index.scan(true)].map((entry) => entry.value)).toEqual([...reference].reverse());
        expect(index.size).toBe(reference.length);
      }),
      { numRuns: 200 },
    );
  });

  it('continues strictly after (or before) any position, present or not', () => {
    fc.assert(
      fc.property(
        ops,
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 8 }),
        (list, at, chunk) => {
          const { index, reference } = replay(list, chunk);
          const position: IndexKey = [at % 97, at];
          const after = reference.filter((key) => compareKeys([key % 97, key], position) > 0);
          const before = reference.filter((key) => compareKeys([key % 97, key], position) < 0).reverse();
          expect([...index.scan(false, position)].map((entry) => entry.value)).toEqual(after);
          expect([...index.scan(true, position)].map((entry) => entry.value)).toEqual(before);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('loads unsorted entries in one go', () => {
    const index = new OrderedIndex<string>();
    index.load([
      { key: ['b', 2], value: 'b' },
      { key: ['a', 1], value: 'a' },
      { key: ['c', 3], value: 'c' },
    ]);
    expect([...index.scan()].map((entry) => entry.value)).toEqual(['a', 'b', 'c']);
    expect(index.first()?.value).toBe('a');
  });

  it('orders numbers numerically and strings by code unit', () => {
    expect(compareKeys([10], [9])).toBeGreaterThan(0);
    expect(compareKeys(['B'], ['a'])).toBeLessThan(0);
    expect(compareKeys(['a', 1], ['a', 1])).toBe(0);
  });
});
