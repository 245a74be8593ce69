import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { ShareDecodeError } from './share-errors';
import { DATA_KEY_BYTES, type DecodedShare } from './share-format';
import { shamirLibrary } from './shamir-peers';

/**
 * Recovering a split's data key from shares whose headers already agree, and naming the bad
 * ones. The tag of each share is keyed by the data key, so it can only be checked once a key
 * is in hand:
 * 1. combine all given shares; every tag that verifies under the result certifies it (a tag
 *    verifies under another key only by an HMAC forgery);
 * 2. otherwise, with more than t shares, combine t-subsets, most likely first, until one
 *    gives a key that some tag verifies under;
 * 3. with a certified key, every share whose tag fails is named; with none, the bad share
 *    cannot be told apart (with exactly t shares any t points interpolate to some key), and
 *    the error says so.
 * This detects damage, mix-ups and shares of other splits. It is not authentication against
 * someone who holds t shares of their own split and rewrites headers and tags.
 */

/** The most subsets tried before giving up naming: 256 combines of 128 shares take about a second. */
export const MAX_SUBSET_ATTEMPTS = 256;
const TAG_INFO = 'keystage shamir share tag v1';

/**
 * The HMAC-SHA256 key for share tags: HKDF-SHA256 of the data key, salted with the split id,
 * with an info string naming the purpose (so it is never the key the sealed value is under).
 * @example
 * const key = tagKey(dataKey, splitId);
 */
export function tagKey(dataKey: Uint8Array, splitId: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, splitId, TAG_INFO, 32));
}

/**
 * HMAC-SHA256 over a share's header and point.
 * @example
 * const tag = shareTag(tagKey(dataKey, splitId), signed);
 */
export function shareTag(key: Buffer, signed: Uint8Array): Buffer {
  return createHmac('sha256', key).update(signed).digest();
}

/**
 * How a share is named in messages: by position and index, never by its bytes.
 * @example
 * label(2, { index: 4, count: 5 }); // 'shares[2] (share 4 of 5)'
 */
export function label(position: number, share?: Pick<DecodedShare, 'index' | 'count'>): string {
  return share === undefined
    ? `shares[${position}]`
    : `shares[${position}] (share ${share.index} of ${share.count})`;
}

/** Shown in full up to this many; a 128-of-255 split would otherwise name 128 shares in one message. */
const LISTED = 8;

/**
 * Several shares named, the first few in full when there are many (the error's
 * `positions` or `suspects` field has them all).
 * @example
 * labels([0, 3], decoded); // 'shares[0] (share 1 of 5), shares[3] (share 4 of 5)'
 */
export function labels(positions: readonly number[], shares?: ReadonlyMap<number, DecodedShare>): string {
  const shown = positions.length > LISTED ? positions.slice(0, LISTED - 2) : positions;
  const named = shown.map((position) => label(position, shares?.get(position))).join(', ');
  return shown.length === positions.length ? named : `${named} and ${positions.length - shown.length} more`;
}

/**
 * The data key, once every given share's tag verifies under it.
 * `shares` are distinct and from one split; `positions[i]` is where `shares[i]` was in the caller's array.
 * @throws ShareDecodeError `damaged-share` naming the shares whose tag fails, or
 * `unidentified-share` when no subset reconstructs a key that any tag verifies under.
 * @example
 * const dataKey = await recoverDataKey([...decoded.values()], [...decoded.keys()]);
 */
export async function recoverDataKey(
  shares: readonly DecodedShare[],
  positions: readonly number[],
): Promise<Buffer> {
  const { combine } = shamirLibrary();
  const byPosition = new Map(shares.map((share, i) => [positions[i]!, share]));
  const threshold = shares[0]!.threshold;
  let tried = 0;
  let exhausted = true;
  for (const subset of candidateSubsets(shares.length, threshold)) {
    if (tried === MAX_SUBSET_ATTEMPTS) {
      exhausted = false;
      break;
    }
    tried++;
    const points = subset.map((i) => shares[i]!.point);
    if (!distinctX(points)) continue;
    // The library checks `constructor === Uint8Array`: a Buffer is refused, so each point is
    // viewed as a plain Uint8Array over the same bytes.
    const key = Buffer.from(
      await combine(points.map((p) => new Uint8Array(p.buffer, p.byteOffset, p.length))),
    );
    const verified = verifyTags(shares, key);
    if (verified.some(Boolean)) {
      const failing = positions.filter((_, i) => !verified[i]);
      if (failing.length === 0) return key;
      key.fill(0);
      throw new ShareDecodeError(
        'damaged-share',
        `${failing.length === 1 ? 'A share is' : `${failing.length} shares are`} damaged or altered: ` +
          `${labels(failing, byPosition)} ${failing.length === 1 ? 'fails its' : 'fail their'} integrity tag ` +
          `under the key the other shares reconstruct. Replace ${failing.length === 1 ? 'it' : 'them'} with intact copies.`,
        { positions: failing },
      );
    }
    key.fill(0);
  }
  throw unidentified(shares, positions, byPosition, exhausted, tried);
}

function unidentified(
  shares: readonly DecodedShare[],
  positions: readonly number[],
  byPosition: ReadonlyMap<number, DecodedShare>,
  exhausted: boolean,
  tried: number,
): ShareDecodeError {
  const threshold = shares[0]!.threshold;
  const given = shares.length;
  if (given === threshold) {
    const duplicated = duplicateX(shares, positions);
    const suspects = duplicated.length > 0 ? duplicated : [...positions];
    return new ShareDecodeError(
      'unidentified-share',
      `The ${given} shares do not reconstruct the key of their split: at least one of ` +
        `${labels(suspects, byPosition)} is damaged or was made for another secret. With exactly the ` +
        `threshold (${threshold}) shares no single one can be named; add another share of this split ` +
        'to find the bad one.',
      { suspects },
    );
  }
  return new ShareDecodeError(
    'unidentified-share',
    exhausted
      ? `No ${threshold} of the ${given} shares reconstruct the key of their split: fewer than ${threshold} ` +
          `are intact (at least ${given - threshold + 1} are damaged or were made for another secret).`
      : `None of the ${tried} subsets of ${threshold} of the ${given} shares tried reconstructs the ` +
          'key of their split: several shares are damaged or were made for another secret. Combine ' +
          'shares known to be intact.',
    { suspects: positions },
  );
}

/** One boolean per share: its tag verifies under `dataKey`. */
function verifyTags(shares: readonly DecodedShare[], dataKey: Buffer): boolean[] {
  const key = tagKey(dataKey, shares[0]!.splitId);
  try {
    return shares.map((share) => timingSafeEqual(shareTag(key, share.signed), share.tag));
  } finally {
    key.fill(0);
  }
}

function distinctX(points: readonly Buffer[]): boolean {
  return new Set(points.map((point) => point[DATA_KEY_BYTES])).size === points.length;
}

/** Positions of the shares whose x coordinate another share repeats. */
function duplicateX(shares: readonly DecodedShare[], positions: readonly number[]): number[] {
  const xs = shares.map((share) => share.point[DATA_KEY_BYTES]);
  return positions.filter((_, i) => xs.indexOf(xs[i]) !== xs.lastIndexOf(xs[i]));
}

/**
 * Indices of the subsets to combine, most promising first: all shares, the first t, then for
 * each window of the first t + e shares the t-subsets that contain its last share (so each
 * t-subset comes once). A few bad shares near the front are left out within the first windows.
 * @example
 * [...candidateSubsets(4, 3)]; // [[0,1,2,3], [0,1,2], [1,2,3], [0,2,3], [0,1,3]]
 */
export function* candidateSubsets(given: number, threshold: number): Generator<number[]> {
  yield Array.from({ length: given }, (_, i) => i);
  if (given === threshold) return;
  yield Array.from({ length: threshold }, (_, i) => i);
  for (let excluded = 1; excluded <= given - threshold; excluded++) {
    const window = threshold + excluded;
    for (const leftOut of combinations(window - 1, excluded)) {
      const skip = new Set(leftOut);
      const subset: number[] = [];
      for (let i = 0; i < window; i++) if (!skip.has(i)) subset.push(i);
      yield subset;
    }
  }
}

/** The k-element subsets of 0..n-1, in lexicographic order, lazily. */
function* combinations(n: number, k: number): Generator<number[]> {
  const chosen = Array.from({ length: k }, (_, i) => i);
  while (true) {
    yield [...chosen];
    let i = k - 1;
    while (i >= 0 && chosen[i] === n - k + i) i--;
    if (i < 0) return;
    chosen[i]!++;
    for (let j = i + 1; j < k; j++) chosen[j] = chosen[j - 1]! + 1;
  }
}
