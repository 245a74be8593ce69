import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ValidationError, show } from '../errors';
import { ShareDecodeError } from './share-errors';
import {
  DATA_KEY_BYTES,
  MAX_SHARES,
  SHARE_FORMAT_VERSION,
  SPLIT_ID_BYTES,
  decodeSealed,
  decodeShare,
  encodeSealed,
  encodeShare,
  sameSplit,
  shareHeaderBytes,
  type DecodedShare,
  type SplitHeader,
} from './share-format';
import { openSealed, sealSecret } from './sealed-secret';
import { shamirLibrary } from './shamir-peers';
import { label, labels, recoverDataKey, shareTag, tagKey } from './share-recovery';

/**
 * Split knowledge: a secret that t of n holders must bring together to recover. The secret is
 * never split itself: a random 256-bit data key is split with `shamir-secret-sharing` and the
 * secret is encrypted under it with the AWS Encryption SDK (AES-256-GCM with key commitment,
 * the data key wrapped by a raw AES keyring). Each share carries the split id, t, n, its index
 * and an HMAC-SHA256 tag, so a damaged, foreign or mixed-in share is found and named.
 */

export interface SplitOptions {
  /** How many shares recover the secret: an integer from 2 to `shares`. Fewer reveal nothing about it. */
  readonly threshold: number;
  /** How many shares to make: an integer from `threshold` to 255. */
  readonly shares: number;
}

/**
 * A split secret: the shares to hand to their holders, one each, and the sealed secret to keep
 * with any of them (it is useless without `threshold` shares). Both are secret material:
 * `JSON.stringify`, `util.inspect`, `String()` and an object spread show only the split id,
 * threshold and count. Read `shares` and `sealed` by name.
 * @example
 * const split = await splitSecret('the vault root token', { threshold: 3, shares: 5 });
 * split.shares.forEach((share, i) => deliver(holders[i], share));
 * store(split.sealed);
 * JSON.stringify(split); // {"splitId":"…","threshold":3,"count":5,"shares":"[REDACTED]","sealed":"[REDACTED]"}
 */
export class SecretSplit {
  /** One `ks1-share-…` string per holder, share index i + 1 at position i. Each is secret material. */
  declare readonly shares: readonly string[];
  /** The secret, encrypted under the split data key (`ks1-sealed-…`). */
  declare readonly sealed: string;
  /** The split's random id, hex; it is in every share and the sealed value, and is not secret. */
  readonly splitId: string;
  readonly threshold: number;
  readonly count: number;

  constructor(shares: readonly string[], sealed: string, header: SplitHeader) {
    // Not enumerable, so a spread or a logger that walks own keys copies nothing secret.
    Object.defineProperty(this, 'shares', { value: Object.freeze([...shares]), enumerable: false });
    Object.defineProperty(this, 'sealed', { value: sealed, enumerable: false });
    this.splitId = header.splitId.toString('hex');
    this.threshold = header.threshold;
    this.count = header.count;
  }

  toJSON(): {
    splitId: string;
    threshold: number;
    count: number;
    shares: '[REDACTED]';
    sealed: '[REDACTED]';
  } {
    return {
      splitId: this.splitId,
      threshold: this.threshold,
      count: this.count,
      shares: '[REDACTED]',
      sealed: '[REDACTED]',
    };
  }

  /** `SecretSplit(<splitId>, 3 of 5, shares [REDACTED])`. */
  toString(): string {
    return `SecretSplit(${this.splitId}, ${this.threshold} of ${this.count}, shares [REDACTED])`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Splits `secret` so that any `threshold` of `shares` holders can recover it with
 * {@link combineShares}, and fewer learn nothing about it (beyond its length, which the
 * sealed value shows to within a few bytes).
 * @param secret A non-empty string (as UTF-8) or bytes. A string comes back from
 * `combineShares` as its UTF-8 bytes.
 * @throws ValidationError (field `secret`, `options`, `threshold` or `shares`) for bad arguments.
 * @throws ConfigurationError when `shamir-secret-sharing` or `@aws-crypto/client-node` is not installed.
 * @example
 * const { shares, sealed } = await splitSecret(rootToken, { threshold: 3, shares: 5 });
 */
export async function splitSecret(secret: string | Uint8Array, options: SplitOptions): Promise<SecretSplit> {
  const { threshold, count } = splitShape(options);
  const plaintext = secretBytes(secret);
  const header: SplitHeader = {
    version: SHARE_FORMAT_VERSION,
    splitId: randomBytes(SPLIT_ID_BYTES),
    threshold,
    count,
  };
  const dataKey = randomBytes(DATA_KEY_BYTES);
  // The library checks `constructor === Uint8Array`, which a Buffer fails.
  const keyCopy = new Uint8Array(dataKey);
  const key = tagKey(dataKey, header.splitId);
  let points: Uint8Array[] = [];
  try {
    points = await shamirLibrary().split(keyCopy, count, threshold);
    const shares = points.map((point, i) => {
      const signed = Buffer.concat([shareHeaderBytes(header, i + 1), point]);
      return encodeShare(signed, shareTag(key, signed));
    });
    const sealed = encodeSealed(header, await sealSecret(dataKey, header, plaintext));
    return new SecretSplit(shares, sealed, header);
  } finally {
    for (const bytes of [plaintext, dataKey, keyCopy, key, ...points]) bytes.fill(0);
  }
}

/**
 * Recovers the secret of a split from at least `threshold` of its shares and its sealed value.
 * Every share given is checked, in this order, each failure naming the share by its position
 * in `shares` and its share index (never its bytes):
 * 1. it decodes (`malformed-share`) and belongs to the sealed value's split (`foreign-share`;
 *    a sealed value that matches no share is `foreign-sealed`);
 * 2. no share is given twice and there are at least `threshold` (ValidationError, field `shares`);
 * 3. the data key is combined and every share's tag must verify under it (`damaged-share`).
 *    With more than `threshold` shares a bad one is found by trying subsets; with exactly
 *    `threshold` a share whose key bytes are damaged cannot be told from the others, and the
 *    error (`unidentified-share`) lists them all as suspects;
 * 4. the sealed value decrypts under the key with its encryption context (`damaged-sealed`).
 * @returns The secret's bytes, in a new Buffer (`toString('utf8')` for a string secret);
 * overwrite it with `fill(0)` when done.
 * @throws ValidationError for wrong argument types, a repeated share or too few shares.
 * @throws ShareDecodeError (code `DECODE_ERROR`) for damaged, foreign or mixed shares or sealed value.
 * @example
 * const secret = (await combineShares([shareFromAlice, shareFromBob, shareFromCarol], sealed)).toString('utf8');
 */
export async function combineShares(shares: readonly string[], sealed: string): Promise<Buffer> {
  checkArguments(shares, sealed);
  const split = decodeSealed(sealed);
  if (!split.ok) throw new ShareDecodeError('malformed-sealed', `sealed does not decode: ${split.why}.`);
  const decoded = decodeAll(shares);
  checkMembership(decoded, split.value);
  checkCount(shares, decoded, split.value.threshold);
  const dataKey = await recoverDataKey([...decoded.values()], [...decoded.keys()]);
  try {
    return await openSealed(dataKey, split.value);
  } finally {
    dataKey.fill(0);
  }
}

function secretBytes(secret: unknown): Buffer {
  if (typeof secret === 'string') {
    if (secret.length === 0) throw new ValidationError('secret', 'secret is empty: pass the value to split.');
    const bytes = Buffer.from(secret, 'utf8');
    // Lone surrogates would become U+FFFD and come back different; say so instead.
    if (bytes.toString('utf8') !== secret) {
      bytes.fill(0);
      throw new ValidationError(
        'secret',
        'secret is not well-formed Unicode (a lone surrogate): pass bytes instead.',
      );
    }
    return bytes;
  }
  if (secret instanceof Uint8Array) {
    if (secret.length === 0) throw new ValidationError('secret', 'secret is empty: pass the bytes to split.');
    return Buffer.from(secret);
  }
  throw new ValidationError('secret', `secret must be a string, Buffer or Uint8Array, got ${show(secret)}.`);
}

function splitShape(options: unknown): { threshold: number; count: number } {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', `options must be { threshold, shares }, got ${show(options)}.`);
  }
  const { threshold, shares } = options as Record<string, unknown>;
  if (typeof shares !== 'number' || !Number.isInteger(shares) || shares < 2 || shares > MAX_SHARES) {
    throw new ValidationError(
      'shares',
      `shares must be an integer from 2 to ${MAX_SHARES}, got ${show(shares)}.`,
    );
  }
  if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 2) {
    throw new ValidationError(
      'threshold',
      `threshold must be an integer from 2 to shares, got ${show(threshold)}.`,
    );
  }
  if (threshold > shares) {
    throw new ValidationError(
      'threshold',
      `threshold ${threshold} is more than shares ${shares}: the secret could never be recovered. ` +
        'Make at least as many shares as the threshold.',
    );
  }
  return { threshold, count: shares };
}

function checkArguments(shares: unknown, sealed: unknown): void {
  if (!Array.isArray(shares)) {
    throw new ValidationError('shares', `shares must be an array of share strings, got ${show(shares)}.`);
  }
  if (shares.length > MAX_SHARES) {
    throw new ValidationError('shares', `a split has at most ${MAX_SHARES} shares, got ${shares.length}.`);
  }
  shares.forEach((share: unknown, position) => {
    if (typeof share !== 'string') {
      // show() prints a non-string as its type (or a number or boolean), never its content.
      throw new ValidationError(
        `shares[${position}]`,
        `shares[${position}] must be a share string, got ${show(share)}.`,
      );
    }
  });
  if (typeof sealed !== 'string') {
    throw new ValidationError(
      'sealed',
      `sealed must be the sealed string splitSecret returned, got ${show(sealed)}.`,
    );
  }
}

/** Every share decoded, by position; all malformed ones named at once. */
function decodeAll(shares: readonly string[]): Map<number, DecodedShare> {
  const decoded = new Map<number, DecodedShare>();
  const malformed: string[] = [];
  const positions: number[] = [];
  shares.forEach((text, position) => {
    const share = decodeShare(text);
    if (share.ok) decoded.set(position, share.value);
    else {
      malformed.push(`${label(position)}: ${share.why}`);
      positions.push(position);
    }
  });
  if (malformed.length > 0) {
    throw new ShareDecodeError('malformed-share', `Shares that do not decode: ${malformed.join('; ')}.`, {
      positions,
    });
  }
  return decoded;
}

/** Every share belongs to the sealed value's split. */
function checkMembership(decoded: ReadonlyMap<number, DecodedShare>, split: SplitHeader): void {
  const foreign = [...decoded].filter(([, share]) => !sameSplit(share, split));
  if (foreign.length === 0) return;
  if (foreign.length === decoded.size) {
    throw new ShareDecodeError(
      'foreign-sealed',
      `sealed belongs to none of the shares' splits (split ${split.splitId.toString('hex')}, ${split.threshold} of ` +
        `${split.count}), or its header is damaged: pass the sealed value made with these shares.`,
    );
  }
  const reasons = foreign.map(([position, share]) =>
    share.splitId.equals(split.splitId)
      ? `${label(position, share)} has a damaged header (it says ${share.threshold} of ${share.count}, its split is ` +
        `${split.threshold} of ${split.count})`
      : `${label(position, share)} belongs to split ${share.splitId.toString('hex')}`,
  );
  throw new ShareDecodeError(
    'foreign-share',
    `Shares from another split are mixed in: the sealed value is split ${split.splitId.toString('hex')}, and ` +
      `${reasons.join('; ')}. Remove them and pass shares of this split only.`,
    { positions: foreign.map(([position]) => position) },
  );
}

function checkCount(
  shares: readonly string[],
  decoded: ReadonlyMap<number, DecodedShare>,
  threshold: number,
): void {
  const first = new Map<string, number>();
  for (const [position, share] of decoded) {
    const earlier = first.get(shares[position]!);
    if (earlier !== undefined) {
      throw new ValidationError(
        'shares',
        `${label(position, share)} repeats shares[${earlier}]: pass each share once.`,
      );
    }
    first.set(shares[position]!, position);
  }
  if (decoded.size < threshold) {
    throw new ValidationError(
      'shares',
      `This split needs ${threshold} shares to recover its secret, got ${decoded.size} (${labels([...decoded.keys()], decoded)}). ` +
        'Collect more shares from their holders.',
    );
  }
}
