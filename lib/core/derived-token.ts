import { createHash } from 'node:crypto';

/**
 * A ClientRequestToken derived from what identifies a write, never random: the same write
 * retried (after a lost answer, a crash, a rerun) gets the same token, and Secrets Manager
 * ignores a token it already holds with the same value, so no version is added twice.
 * Formatted as a UUID (RFC 9562 version 8: derived) from the SHA-256 of `purpose` and the
 * parts, each length-prefixed so that parts which concatenate alike differ: 36 characters,
 * inside ClientRequestToken's 32 to 64. Never pass a value as a part: a VersionId is visible
 * to anyone who may list versions.
 * @example
 * derivedToken('keystage-import/1', targetName, sourceVersionId);
 */
export function derivedToken(purpose: string, ...parts: readonly string[]): string {
  const digest = createHash('sha256');
  for (const part of [purpose, ...parts]) digest.update(`${part.length}:${part}\0`);
  const bytes = digest.digest();
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
