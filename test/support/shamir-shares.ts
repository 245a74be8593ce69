/** Helpers for the Shamir suites: shares and sealed values as bytes, and single-bit damage. */
export const SHARE_PREFIX = 'ks1-share-';
export const SEALED_PREFIX = 'ks1-sealed-';

/** The decoded bytes of a `ks1-share-…` or `ks1-sealed-…` string. */
export function bytesOf(text: string): Buffer {
  const prefix = text.startsWith(SHARE_PREFIX) ? SHARE_PREFIX : SEALED_PREFIX;
  return Buffer.from(text.slice(prefix.length), 'base64url');
}

/** The string for `bytes`, with the prefix of `like`. */
export function textOf(bytes: Uint8Array, like: string): string {
  const prefix = like.startsWith(SHARE_PREFIX) ? SHARE_PREFIX : SEALED_PREFIX;
  return prefix + Buffer.from(bytes).toString('base64url');
}

/** `text` with bit `bit` (0 = the lowest bit of byte 0) of its decoded bytes flipped. */
export function flipDecodedBit(text: string, bit: number): string {
  const bytes = bytesOf(text);
  bytes[bit >> 3]! ^= 1 << (bit & 7);
  return textOf(bytes, text);
}

/** `text` with byte `offset` of its decoded bytes set to `value`. */
export function withDecodedByte(text: string, offset: number, value: number): string {
  const bytes = bytesOf(text);
  bytes[offset] = value;
  return textOf(bytes, text);
}

/** `text` with bit `bit` of its UTF-16 code unit at `index` flipped: damage to the printed form. */
export function flipCharBit(text: string, index: number, bit: number): string {
  return (
    text.slice(0, index) + String.fromCharCode(text.charCodeAt(index) ^ (1 << bit)) + text.slice(index + 1)
  );
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  return promise.then(
    () => {
      throw new Error('expected a rejection, but it resolved');
    },
    (error: unknown) => error as Error & Record<string, unknown>,
  );
}

/** All k-element subsets of 0..n-1. */
export function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  if (n < k) return [];
  return [...subsets(n - 1, k), ...subsets(n - 1, k - 1).map((subset) => [...subset, n - 1])];
}
