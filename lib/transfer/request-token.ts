import { createHash } from 'node:crypto';

/**
 * The ClientRequestToken (and so the VersionId) of a version written from a source version:
 * the same source version written to the same target always gets the same token, so a rerun
 * after a crash finds what the first run wrote instead of writing it again. Formatted as a
 * UUID (version 8: derived, not random) from the SHA-256 of what identifies the write.
 * @example
 * derivedToken('keystage-import', 'staging/app/db', 'prod/app/db', sourceVersionId, sha256);
 */
export function derivedToken(purpose: string, ...parts: readonly string[]): string {
  const digest = createHash('sha256');
  for (const part of [purpose, ...parts]) digest.update(`${part.length}:${part}\0`);
  const hex = digest.digest('hex').slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}
