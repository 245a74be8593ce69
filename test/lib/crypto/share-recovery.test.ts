import fc from 'fast-check';
import { candidateSubsets } from '../../../lib/crypto/share-recovery';
import { subsets } from '../../support/shamir-shares';

describe('candidateSubsets', () => {
  it('yields all shares first, then every threshold-subset exactly once (property)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 10 })
          .chain((given) => fc.tuple(fc.constant(given), fc.integer({ min: 2, max: given }))),
        ([given, threshold]) => {
          const [all, ...rest] = [...candidateSubsets(given, threshold)];
          expect(all).toEqual(Array.from({ length: given }, (_, i) => i));
          const expected = given === threshold ? [] : subsets(given, threshold);
          const keys = rest.map((subset) => subset.join(','));
          expect(new Set(keys).size).toBe(keys.length);
          expect(new Set(keys)).toEqual(new Set(expected.map((subset) => subset.join(','))));
        },
      ),
    );
  });

  it('leaves out each single share within the first threshold + 1 candidates after the first t', () => {
    // A single bad share among t + 1 is left out by one of the first subsets tried.
    const [, first, ...rest] = [...candidateSubsets(6, 4)];
    expect(first).toEqual([0, 1, 2, 3]);
    expect(rest.slice(0, 4)).toEqual([
      [1, 2, 3, 4],
      [0, 2, 3, 4],
      [0, 1, 3, 4],
      [0, 1, 2, 4],
    ]);
  });
});
