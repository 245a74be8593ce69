/**
 * The wire formats of a Shamir split, version 1: the share strings handed to the holders and
 * the `sealed` string kept beside them. Pure encoding and decoding, no cryptography: what a
 * field means and how it is checked is in shamir.ts and share-recovery.ts.
 *
 * Share (85 bytes, then `ks1-share-` + base64url, 124 characters):
 *
 * | bytes | field |
 * |---|---|
 * | 0 | format version (1) |
 * | 1..16 | split id (random, 128 bits) |
 * | 17 | threshold t |
 * | 18 | share count n |
 * | 19 | share index, 1..n (this share's number in the split) |
 * | 20..52 | the shamir-secret-sharing share of the data key: 32 bytes, then its x coordinate |
 * | 53..84 | HMAC-SHA256 over bytes 0..52 under a key derived from the data key |
 *
 * Sealed (`ks1-sealed-` + base64url): version, split id, t, n as above (19 bytes), then an
 * AWS Encryption SDK message holding the secret.
 *
 * Decoding is strict: the prefix, canonical base64url (Node's decoder skips characters it does
 * not know, so the text is re-encoded and compared) and the exact length, so that every
 * changed character either fails here or changes the decoded bytes.
 */

/** The one format version this module writes and reads. */
export const SHARE_FORMAT_VERSION = 1;
/** Printed before every share. */
export const SHARE_PREFIX = 'ks1-share-';
/** Printed before every sealed value. */
export const SEALED_PREFIX = 'ks1-sealed-';
/** The split data key: AES-256. */
export const DATA_KEY_BYTES = 32;
export const SPLIT_ID_BYTES = 16;
/** Version, split id, threshold, count, index. */
export const SHARE_HEADER_BYTES = 1 + SPLIT_ID_BYTES + 3;
/** A shamir-secret-sharing share: one byte per key byte, then the x coordinate. */
export const SHARE_POINT_BYTES = DATA_KEY_BYTES + 1;
export const TAG_BYTES = 32;
export const SHARE_BYTES = SHARE_HEADER_BYTES + SHARE_POINT_BYTES + TAG_BYTES;
/** Version, split id, threshold, count. */
export const SEALED_HEADER_BYTES = 1 + SPLIT_ID_BYTES + 2;
/** Most shares a split can have: the x coordinates are the non-zero bytes. */
export const MAX_SHARES = 255;

/** What a split is: the facts every share and the sealed value repeat. */
export interface SplitHeader {
  readonly version: number;
  /** 16 random bytes naming the split. */
  readonly splitId: Buffer;
  readonly threshold: number;
  readonly count: number;
}

/** One decoded share. Its bytes are views into one buffer; `point` and `tag` are secret material. */
export interface DecodedShare extends SplitHeader {
  /** This share's number in its split, 1..count. */
  readonly index: number;
  /** The bytes the tag covers: header and point. */
  readonly signed: Buffer;
  /** The shamir-secret-sharing share: the y bytes, then the x coordinate. */
  readonly point: Buffer;
  readonly tag: Buffer;
}

export interface DecodedSealed extends SplitHeader {
  /** The AWS Encryption SDK message. */
  readonly message: Buffer;
}

/** Why a string did not decode, in words that never quote it. */
export type DecodeResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

/**
 * The header bytes of a share: version, split id, threshold, count, index.
 * @example
 * const signed = Buffer.concat([shareHeaderBytes(split, 1), point]);
 */
export function shareHeaderBytes(split: SplitHeader, index: number): Buffer {
  const header = Buffer.alloc(SHARE_HEADER_BYTES);
  header[0] = split.version;
  split.splitId.copy(header, 1);
  header[17] = split.threshold;
  header[18] = split.count;
  header[19] = index;
  return header;
}

/**
 * `ks1-share-…` from the signed bytes (header and point) and their tag.
 * @example
 * const share = encodeShare(signed, shareTag(key, signed));
 */
export function encodeShare(signed: Buffer, tag: Buffer): string {
  return SHARE_PREFIX + Buffer.concat([signed, tag]).toString('base64url');
}

/**
 * `ks1-sealed-…` from the split's facts and the Encryption SDK message.
 * @example
 * const sealed = encodeSealed(split, message);
 */
export function encodeSealed(split: SplitHeader, message: Uint8Array): string {
  const header = Buffer.alloc(SEALED_HEADER_BYTES);
  header[0] = split.version;
  split.splitId.copy(header, 1);
  header[17] = split.threshold;
  header[18] = split.count;
  return SEALED_PREFIX + Buffer.concat([header, message]).toString('base64url');
}

/**
 * A share string decoded and its header checked for shape (not yet against its split).
 * @example
 * const share = decodeShare(text);
 * if (!share.ok) throw new ShareDecodeError('malformed-share', `shares[0] does not decode: ${share.why}.`);
 */
export function decodeShare(text: string): DecodeResult<DecodedShare> {
  if (text.startsWith(SEALED_PREFIX)) {
    return fail("it is the sealed value, not a share: pass it as combineShares' second argument");
  }
  const bytes = strictBase64Url(text, SHARE_PREFIX);
  if (bytes === undefined) return fail(`it is not a share: shares are ${SHARE_PREFIX} and base64url text`);
  if (bytes.length < 1 || bytes[0] !== SHARE_FORMAT_VERSION) {
    return fail(
      `its format version is ${bytes[0] ?? 'missing'}; this keystage reads version ${SHARE_FORMAT_VERSION}`,
    );
  }
  if (bytes.length !== SHARE_BYTES) return fail(`it has ${bytes.length} bytes, a share has ${SHARE_BYTES}`);
  const header = readHeader(bytes);
  const index = bytes[19]!;
  const shape = checkShape(header);
  if (shape !== undefined) return fail(shape);
  if (index < 1 || index > header.count) {
    return fail(`its share index is ${index}, outside 1..${header.count}`);
  }
  const point = bytes.subarray(SHARE_HEADER_BYTES, SHARE_HEADER_BYTES + SHARE_POINT_BYTES);
  if (point[DATA_KEY_BYTES] === 0) return fail('its x coordinate is 0, which no split produces');
  return {
    ok: true,
    value: {
      ...header,
      index,
      signed: bytes.subarray(0, SHARE_HEADER_BYTES + SHARE_POINT_BYTES),
      point,
      tag: bytes.subarray(SHARE_HEADER_BYTES + SHARE_POINT_BYTES),
    },
  };
}

/**
 * A sealed string decoded and its header checked for shape.
 * @example
 * const sealed = decodeSealed(text);
 */
export function decodeSealed(text: string): DecodeResult<DecodedSealed> {
  if (text.startsWith(SHARE_PREFIX)) return fail('it is a share, not the sealed value');
  const bytes = strictBase64Url(text, SEALED_PREFIX);
  if (bytes === undefined)
    return fail(`it is not a sealed value: those are ${SEALED_PREFIX} and base64url text`);
  if (bytes.length < 1 || bytes[0] !== SHARE_FORMAT_VERSION) {
    return fail(
      `its format version is ${bytes[0] ?? 'missing'}; this keystage reads version ${SHARE_FORMAT_VERSION}`,
    );
  }
  if (bytes.length <= SEALED_HEADER_BYTES) return fail(`it has only ${bytes.length} bytes`);
  const header = readHeader(bytes);
  const shape = checkShape(header);
  if (shape !== undefined) return fail(shape);
  return { ok: true, value: { ...header, message: bytes.subarray(SEALED_HEADER_BYTES) } };
}

/**
 * Two headers name the same split: version, id, threshold and count all equal.
 * @example
 * const foreign = shares.filter((share) => !sameSplit(share, sealed));
 */
export function sameSplit(a: SplitHeader, b: SplitHeader): boolean {
  return (
    a.version === b.version &&
    a.splitId.equals(b.splitId) &&
    a.threshold === b.threshold &&
    a.count === b.count
  );
}

function readHeader(bytes: Buffer): SplitHeader {
  return {
    version: bytes[0]!,
    splitId: bytes.subarray(1, 1 + SPLIT_ID_BYTES),
    threshold: bytes[17]!,
    count: bytes[18]!,
  };
}

function checkShape({ threshold, count }: SplitHeader): string | undefined {
  if (threshold < 2 || count < threshold) {
    return `it says threshold ${threshold} of ${count} shares, which no split produces`;
  }
  return undefined;
}

/** The bytes after `prefix`, or undefined unless the rest is canonical, unpadded base64url. */
function strictBase64Url(text: string, prefix: string): Buffer | undefined {
  if (!text.startsWith(prefix)) return undefined;
  const body = text.slice(prefix.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return undefined;
  const bytes = Buffer.from(body, 'base64url');
  return bytes.toString('base64url') === body ? bytes : undefined;
}

function fail(why: string): { readonly ok: false; readonly why: string } {
  return { ok: false, why };
}
