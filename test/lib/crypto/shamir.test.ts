import fc from 'fast-check';
import { inspect } from 'node:util';
import { SecretSplit, combineShares, splitSecret } from '../../../lib/crypto';
import { SHARE_PREFIX, SEALED_PREFIX, bytesOf, subsets } from '../../support/shamir-shares';

const SECRET = 'Canary-shamir-4f1e9a7c';

describe('splitSecret and combineShares', () => {
  describe.each([
    [2, 3],
    [3, 5],
    [4, 7],
  ])('a %i-of-%i split', (threshold, count) => {
    let split: SecretSplit;
    beforeAll(async () => {
      split = await splitSecret(SECRET, { threshold, shares: count });
    });

    it('makes one printable share per holder, each distinct', () => {
      expect(split.shares).toHaveLength(count);
      expect(new Set(split.shares).size).toBe(count);
      for (const share of split.shares) expect(share).toMatch(/^ks1-share-[A-Za-z0-9_-]+$/);
      expect(split.sealed).toMatch(/^ks1-sealed-[A-Za-z0-9_-]+$/);
      expect(split).toMatchObject({ threshold, count });
    });

    it('recovers the secret from every subset of threshold shares', async () => {
      const all = subsets(count, threshold);
      for (const subset of all) {
        const recovered = await combineShares(
          subset.map((i) => split.shares[i]!),
          split.sealed,
        );
        expect(recovered.toString('utf8')).toBe(SECRET);
      }
      expect(all.length).toBeGreaterThanOrEqual(3);
    });

    it('recovers the secret from all shares, in any order', async () => {
      const reversed = [...split.shares].reverse();
      expect((await combineShares(reversed, split.sealed)).toString('utf8')).toBe(SECRET);
    });
  });

  it('round-trips any bytes and any (threshold, shares) up to 12 (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.integer({ min: 2, max: 12 }).chain((count) =>
          fc.tuple(
            fc.constant(count),
            fc.integer({ min: 2, max: count }),
            fc.shuffledSubarray(
              Array.from({ length: count }, (_, i) => i),
              { minLength: count },
            ),
          ),
        ),
        async (secret, [count, threshold, order]) => {
          const split = await splitSecret(secret, { threshold, shares: count });
          const chosen = order.slice(0, threshold).map((i) => split.shares[i]!);
          const recovered = await combineShares(chosen, split.sealed);
          expect(Buffer.from(recovered).equals(Buffer.from(secret))).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('returns a string secret as its UTF-8 bytes', async () => {
    const text = 'pässwörd ✓ 🔑';
    const split = await splitSecret(text, { threshold: 2, shares: 2 });
    expect((await combineShares([...split.shares], split.sealed)).toString('utf8')).toBe(text);
  });

  it('makes shares of one length whatever the secret, and a new split id each time', async () => {
    const short = await splitSecret('x', { threshold: 2, shares: 3 });
    const long = await splitSecret('y'.repeat(5000), { threshold: 2, shares: 3 });
    expect(new Set([...short.shares, ...long.shares].map((share) => share.length))).toEqual(new Set([124]));
    expect(short.splitId).toMatch(/^[0-9a-f]{32}$/);
    expect(long.splitId).not.toBe(short.splitId);
  });

  it('writes the split id, threshold, count and index into every share header', async () => {
    const split = await splitSecret(SECRET, { threshold: 3, shares: 4 });
    split.shares.forEach((share, i) => {
      const bytes = bytesOf(share);
      expect(share.startsWith(SHARE_PREFIX)).toBe(true);
      expect(bytes).toHaveLength(85);
      expect(bytes[0]).toBe(1);
      expect(bytes.subarray(1, 17).toString('hex')).toBe(split.splitId);
      expect([bytes[17], bytes[18], bytes[19]]).toEqual([3, 4, i + 1]);
    });
    const sealed = bytesOf(split.sealed);
    expect(split.sealed.startsWith(SEALED_PREFIX)).toBe(true);
    expect(sealed.subarray(1, 17).toString('hex')).toBe(split.splitId);
  });

  it('never encrypts the same secret to the same sealed value or shares twice', async () => {
    const a = await splitSecret(SECRET, { threshold: 2, shares: 3 });
    const b = await splitSecret(SECRET, { threshold: 2, shares: 3 });
    expect(a.sealed).not.toBe(b.sealed);
    expect(a.shares.filter((share) => b.shares.includes(share))).toEqual([]);
  });
});

describe('SecretSplit', () => {
  let split: SecretSplit;
  beforeAll(async () => {
    split = await splitSecret(SECRET, { threshold: 2, shares: 3 });
  });

  it('shows neither shares nor sealed value in JSON, inspect, String or a spread', () => {
    const shown = [
      JSON.stringify(split),
      inspect(split, { depth: 5 }),
      String(split),
      JSON.stringify({ ...split }),
    ].join('\n');
    for (const secret of [...split.shares, split.sealed]) {
      expect(shown).not.toContain(secret);
      expect(shown).not.toContain(secret.slice(SHARE_PREFIX.length, SHARE_PREFIX.length + 20));
    }
    expect(JSON.parse(JSON.stringify(split))).toEqual({
      splitId: split.splitId,
      threshold: 2,
      count: 3,
      shares: '[REDACTED]',
      sealed: '[REDACTED]',
    });
    expect(String(split)).toBe(`SecretSplit(${split.splitId}, 2 of 3, shares [REDACTED])`);
  });

  it('gives the shares as a frozen array, read by name', () => {
    const { shares, sealed } = split;
    expect(Object.isFrozen(shares)).toBe(true);
    expect(typeof sealed).toBe('string');
  });
});
