import { randomInt } from 'node:crypto';
import { ShareDecodeError, combineShares, splitSecret } from '../../../lib/crypto';
import { flipDecodedBit } from '../../support/shamir-shares';
import { stopShamirWorker } from '../../support/shamir-worker';

// The largest splits the format allows. The package's arithmetic runs in a worker thread,
// outside Jest's sandbox, where it is about 80 times faster (see test/support/shamir-worker.ts);
// everything of keystage's runs here as usual.
jest.mock('shamir-secret-sharing', () =>
  (
    jest.requireActual('../../support/shamir-worker') as typeof import('../../support/shamir-worker')
  ).workerShamir(),
);

const SECRET = Buffer.from('Canary-large-split-5e4d3c2b');

/** `count` distinct indices from 0..of-1, in random order (a partial Fisher-Yates shuffle). */
function randomSubset(of: number, count: number): number[] {
  const indices = Array.from({ length: of }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + randomInt(of - i);
    [indices[i], indices[j]] = [indices[j]!, indices[i]!];
  }
  return indices.slice(0, count);
}

describe('large splits', () => {
  afterAll(stopShamirWorker);

  describe('128 of 255', () => {
    let split: Awaited<ReturnType<typeof splitSecret>>;
    beforeAll(async () => {
      split = await splitSecret(SECRET, { threshold: 128, shares: 255 });
    });

    it('recovers the secret from random subsets of 128 to 255 shares', async () => {
      expect(new Set(split.shares).size).toBe(255);
      for (const size of [128, 128, 128, 128, 128, 129, 200, 255]) {
        const subset = randomSubset(255, size);
        const recovered = await combineShares(
          subset.map((i) => split.shares[i]!),
          split.sealed,
        );
        expect(recovered.equals(SECRET)).toBe(true);
      }
    });

    it('refuses 127 shares', async () => {
      await expect(combineShares(split.shares.slice(0, 127), split.sealed)).rejects.toMatchObject({
        code: 'VALIDATION_ERROR',
        field: 'shares',
      });
    });

    it('with exactly 128 shares and one damaged, suspects all 128 and lists a few in the message', async () => {
      const shares = split.shares.slice(0, 128);
      shares[7] = flipDecodedBit(shares[7]!, 30 * 8);
      const error = (await combineShares(shares, split.sealed).catch((e: unknown) => e)) as ShareDecodeError;
      expect(error).toMatchObject({ problem: 'unidentified-share', positions: [] });
      expect(error.suspects).toHaveLength(128);
      expect(error.message).toMatch(/shares\[5\] \(share 6 of 255\) and 122 more is damaged/);
    });

    it('names a damaged share among 129', async () => {
      const shares = split.shares.slice(0, 129);
      shares[5] = flipDecodedBit(shares[5]!, 30 * 8);
      await expect(combineShares(shares, split.sealed)).rejects.toMatchObject({
        code: 'DECODE_ERROR',
        problem: 'damaged-share',
        positions: [5],
      });
    });
  });

  it('recovers a 255-of-255 split from all its shares, shuffled', async () => {
    const split = await splitSecret(SECRET, { threshold: 255, shares: 255 });
    const order = randomSubset(255, 255);
    const recovered = await combineShares(
      order.map((i) => split.shares[i]!),
      split.sealed,
    );
    expect(recovered.equals(SECRET)).toBe(true);
  });
});
