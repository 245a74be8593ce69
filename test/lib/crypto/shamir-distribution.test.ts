import { splitSecret } from '../../../lib/crypto';
import { chiSquareCritical, looksUniform } from '../../support/chi-square';
import { bytesOf } from '../../support/shamir-shares';

// Threshold - 1 shares must reveal nothing about the secret: their bytes are distributed the
// same whatever the secret, and uniformly. Shares of a 5-of-8 split of two very different
// secrets, the first 4 shares of each split (everything a coalition below the threshold has).
const THRESHOLD = 5;
const COUNT = 8;
const SPLITS = 200;
const SECRET_A = Buffer.alloc(32, 0x00);
const SECRET_B = Buffer.alloc(32, 0xff);

interface Sample {
  /** Every random byte of the shares: split id (once per split), key bytes (y) and tags. */
  readonly bytes: Uint32Array;
  /** XOR of the key bytes of share 1 and share 2, position by position: a joint property. */
  readonly xored: Uint32Array;
  /** The x coordinates, in 16 bins of x >> 4 (no split has x = 0, so bin 0 is one short). */
  readonly xBins: Uint32Array;
}

async function sample(secret: Buffer): Promise<Sample> {
  const bytes = new Uint32Array(256);
  const xored = new Uint32Array(256);
  const xBins = new Uint32Array(16);
  for (let n = 0; n < SPLITS; n++) {
    const { shares } = await splitSecret(secret, { threshold: THRESHOLD, shares: COUNT });
    const seen = shares.slice(0, THRESHOLD - 1).map(bytesOf);
    // The split id is the same in every share of a split: count it once.
    for (const offset of range(1, 17)) bytes[seen[0]![offset]!]!++;
    for (const share of seen) {
      for (const offset of [...range(20, 52), ...range(53, 85)]) bytes[share[offset]!]!++;
      xBins[share[52]! >> 4]!++;
    }
    for (const offset of range(20, 52)) xored[seen[0]![offset]! ^ seen[1]![offset]!]!++;
  }
  return { bytes, xored, xBins };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** Pearson's statistic for "both count vectors come from one distribution" (df = bins - 1). */
function homogeneity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const totalA = Array.from(a).reduce((sum, n) => sum + n, 0);
  const totalB = Array.from(b).reduce((sum, n) => sum + n, 0);
  let statistic = 0;
  for (let i = 0; i < a.length; i++) {
    const both = a[i]! + b[i]!;
    if (both === 0) continue;
    const expectedA = (both * totalA) / (totalA + totalB);
    const expectedB = (both * totalB) / (totalA + totalB);
    statistic += (a[i]! - expectedA) ** 2 / expectedA + (b[i]! - expectedB) ** 2 / expectedB;
  }
  return statistic;
}

describe('threshold - 1 shares of a split', () => {
  let a: Sample;
  let b: Sample;
  beforeAll(async () => {
    a = await sample(SECRET_A);
    b = await sample(SECRET_B);
  });

  it('have uniformly distributed bytes, for either secret (chi-square, p = 1e-6)', () => {
    expect(a.bytes.reduce((sum, n) => sum + n, 0)).toBe(SPLITS * (16 + (THRESHOLD - 1) * 64));
    expect(looksUniform(a.bytes)).toBe(true);
    expect(looksUniform(b.bytes)).toBe(true);
    expect(looksUniform(a.xored)).toBe(true);
    expect(looksUniform(b.xored)).toBe(true);
  });

  it('are distributed the same for two different secrets (chi-square homogeneity, p = 1e-6)', () => {
    expect(homogeneity(a.bytes, b.bytes)).toBeLessThan(chiSquareCritical(255));
    expect(homogeneity(a.xored, b.xored)).toBeLessThan(chiSquareCritical(255));
    expect(homogeneity(a.xBins, b.xBins)).toBeLessThan(chiSquareCritical(15));
  });

  it('the same test, on this many samples, catches a leak of one secret byte in 20', () => {
    // What the check can see: shares with every 20th byte replaced by the secret's byte.
    const leaky = Uint32Array.from(a.bytes, (n) => Math.round(n * 0.95));
    leaky[SECRET_A[0]!]! += Math.round(a.bytes.reduce((sum, n) => sum + n, 0) * 0.05);
    expect(homogeneity(leaky, b.bytes)).toBeGreaterThan(chiSquareCritical(255));
    expect(looksUniform(leaky)).toBe(false);
  });
});
