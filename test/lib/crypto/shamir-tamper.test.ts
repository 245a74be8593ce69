import { inspect } from 'node:util';
import { SecretSplit, ShareDecodeError, combineShares, splitSecret } from '../../../lib/crypto';
import { MAX_SUBSET_ATTEMPTS } from '../../../lib/crypto/share-recovery';
import { flipCharBit, flipDecodedBit, rejection } from '../../support/shamir-shares';

const SECRET = 'Canary-tamper-7b6a5f4e';
const SHARE_BITS = 85 * 8;

async function decodeError(promise: Promise<unknown>): Promise<ShareDecodeError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ShareDecodeError);
  expect(error.code).toBe('DECODE_ERROR');
  expect(`${error.message}\n${error.stack}\n${inspect(error)}\n${JSON.stringify(error)}`).not.toContain(
    SECRET,
  );
  return error as unknown as ShareDecodeError;
}

describe('combineShares against damaged shares', () => {
  let split: SecretSplit;
  beforeAll(async () => {
    split = await splitSecret(SECRET, { threshold: 2, shares: 3 });
  });

  it('names the share with any one bit flipped, when one share more than the threshold is given', async () => {
    const problems = new Set<string>();
    for (let bit = 0; bit < SHARE_BITS; bit++) {
      const shares = [split.shares[0]!, flipDecodedBit(split.shares[1]!, bit), split.shares[2]!];
      const error = await decodeError(combineShares(shares, split.sealed));
      expect({ bit, positions: error.positions }).toEqual({ bit, positions: [1] });
      problems.add(error.problem);
    }
    // Header, x coordinate and tag damage each reach their own check.
    expect([...problems].sort()).toEqual(['damaged-share', 'foreign-share', 'malformed-share']);
  });

  it('detects any one bit flipped with exactly the threshold, naming it or listing it as a suspect', async () => {
    const seen = { named: 0, suspected: 0 };
    for (let bit = 0; bit < SHARE_BITS; bit++) {
      const error = await decodeError(
        combineShares([flipDecodedBit(split.shares[0]!, bit), split.shares[2]!], split.sealed),
      );
      if (error.problem === 'unidentified-share') {
        expect(error.suspects).toEqual([0, 1]);
        seen.suspected++;
      } else {
        expect({ bit, positions: error.positions }).toEqual({ bit, positions: [0] });
        seen.named++;
      }
    }
    // Only the 33 bytes the key is interpolated from (y bytes and x) cannot be pinned on one share.
    expect(seen.suspected).toBeLessThanOrEqual(33 * 8);
    expect(seen.named).toBeGreaterThanOrEqual(SHARE_BITS - 33 * 8);
  });

  it('names a share with one bit of its printed text flipped', async () => {
    const text = split.shares[1]!;
    for (let index = 0; index < text.length; index++) {
      for (let bit = 0; bit < 8; bit++) {
        const shares = [split.shares[0]!, flipCharBit(text, index, bit), split.shares[2]!];
        const error = await decodeError(combineShares(shares, split.sealed));
        expect({ index, bit, positions: error.positions }).toEqual({ index, bit, positions: [1] });
      }
    }
  });

  it('names a share whose tag alone was altered, even with exactly the threshold', async () => {
    const error = await decodeError(
      combineShares([split.shares[0]!, flipDecodedBit(split.shares[1]!, 84 * 8)], split.sealed),
    );
    expect(error).toMatchObject({ problem: 'damaged-share', positions: [1] });
  });
});

describe('combineShares finding bad shares among spares', () => {
  let split: SecretSplit;
  beforeAll(async () => {
    split = await splitSecret(SECRET, { threshold: 3, shares: 8 });
  });

  it('names two damaged shares among five given for a threshold of 3', async () => {
    const shares = [...split.shares.slice(0, 5)];
    shares[0] = flipDecodedBit(shares[0]!, 20 * 8 + 3);
    shares[3] = flipDecodedBit(shares[3]!, 40 * 8);
    const error = await decodeError(combineShares(shares, split.sealed));
    expect(error).toMatchObject({ problem: 'damaged-share', positions: [0, 3] });
    expect(error.message).toMatch(
      /2 shares are damaged or altered: shares\[0\] \(share 1 of 8\), shares\[3\] \(share 4 of 8\)/,
    );
  });

  it('says fewer than threshold are intact when no subset agrees', async () => {
    const shares = split.shares
      .slice(0, 4)
      .map((share, i) => (i < 2 ? flipDecodedBit(share, (20 + i) * 8) : share));
    const error = await decodeError(combineShares(shares, split.sealed));
    expect(error).toMatchObject({ problem: 'unidentified-share', suspects: [0, 1, 2, 3] });
    expect(error.message).toMatch(
      /No 3 of the 4 shares reconstruct the key .* fewer than 3 are intact \(at least 2 are damaged/,
    );
  });

  it(`gives up naming after ${MAX_SUBSET_ATTEMPTS} subsets, and says so`, async () => {
    const wide = await splitSecret(SECRET, { threshold: 4, shares: 12 });
    // Each damaged share has a different key byte changed, so no mix of them can cancel out
    // (the same change to one byte of several shares can: GF(2^8) sums may vanish).
    const shares = wide.shares.map((share, i) => (i < 9 ? flipDecodedBit(share, (20 + i) * 8) : share));
    const error = await decodeError(combineShares(shares, wide.sealed));
    expect(error.problem).toBe('unidentified-share');
    expect(error.message).toMatch(
      new RegExp(`None of the ${MAX_SUBSET_ATTEMPTS} subsets of 4 of the 12 shares tried`),
    );
  });
});
