import { inspect } from 'node:util';
import { SecretSplit, ShareDecodeError, combineShares, splitSecret } from '../../../lib/crypto';
import { bytesOf, flipCharBit, flipDecodedBit, rejection } from '../../support/shamir-shares';

const SECRET = 'Canary-sealed-tamper-3c2b1a09';

async function decodeError(promise: Promise<unknown>): Promise<ShareDecodeError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ShareDecodeError);
  expect(error.code).toBe('DECODE_ERROR');
  expect(`${error.message}\n${error.stack}\n${inspect(error)}\n${JSON.stringify(error)}`).not.toContain(
    SECRET,
  );
  return error as unknown as ShareDecodeError;
}

describe('combineShares against a damaged sealed value', () => {
  let split: SecretSplit;
  beforeAll(async () => {
    split = await splitSecret(SECRET, { threshold: 2, shares: 3 });
  });

  it('detects any one bit flipped in it, naming no share', async () => {
    const bits = bytesOf(split.sealed).length * 8;
    const problems = new Set<string>();
    for (let bit = 0; bit < bits; bit++) {
      const error = await decodeError(
        combineShares(split.shares.slice(0, 2), flipDecodedBit(split.sealed, bit)),
      );
      expect({ bit, positions: error.positions, sealed: error.problem.endsWith('-sealed') }).toEqual({
        bit,
        positions: [],
        sealed: true,
      });
      problems.add(error.problem);
    }
    expect([...problems].sort()).toEqual(['damaged-sealed', 'foreign-sealed', 'malformed-sealed']);
  });

  it('detects a flipped bit in its printed text: characters outside the alphabet, the prefix, unused trailing bits', async () => {
    const text = split.sealed;
    const damaged = new Set<string>();
    // Bit 6 turns most base64url characters into characters outside the alphabet.
    for (let index = 0; index < text.length; index++) damaged.add(flipCharBit(text, index, 6));
    // Every bit of the prefix and of the last two characters (whose low bits may be unused).
    for (const index of [...Array.from({ length: 11 }, (_, i) => i), text.length - 2, text.length - 1]) {
      for (let bit = 0; bit < 8; bit++) damaged.add(flipCharBit(text, index, bit));
    }
    for (const sealed of damaged) {
      const error = await decodeError(combineShares(split.shares.slice(1, 3), sealed));
      expect(error.problem.endsWith('-sealed')).toBe(true);
    }
    expect(damaged.size).toBe(text.length + 13 * 8 - 13);
  });

  it('refuses the sealed value of another split relabelled with this split’s header', async () => {
    const other = await splitSecret('another secret', { threshold: 2, shares: 3 });
    const relabelled = Buffer.concat([
      bytesOf(split.sealed).subarray(0, 19),
      bytesOf(other.sealed).subarray(19),
    ]);
    const sealed = `ks1-sealed-${relabelled.toString('base64url')}`;
    const error = await decodeError(combineShares(split.shares.slice(0, 2), sealed));
    expect(error).toMatchObject({ problem: 'damaged-sealed', positions: [] });
  });
});
