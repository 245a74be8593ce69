import { derivedToken } from '../../core';

/** What a copied version's ClientRequestToken is derived from: nothing secret, nothing random. */
export interface CopyTokenParts {
  /** The source secret's ARN (a name can be reused after a deletion; an ARN cannot). */
  readonly sourceArn: string;
  /** The source version copied. */
  readonly sourceVersionId: string;
  /** The target secret's full name. */
  readonly target: string;
  /** The version that held AWSCURRENT on the target when the copy was planned; '' for none. */
  readonly targetVersionId: string;
  /** The transforms' fingerprint. */
  readonly transforms: string;
}

/**
 * The ClientRequestToken (and so the VersionId) of a copied version: a UUID-shaped
 * SHA-256 of its parts (RFC 9562 version 8, 36 characters: inside Secrets Manager's 32 to
 * 64). A rerun after a crash derives the same token, and Secrets Manager ignores a token it
 * already holds with the same value, so a retried write adds no version. The target's
 * current version is a part so that a target changed since (rotated, edited, rolled back)
 * gets a new version rather than the ignored repeat of an old one.
 * @example
 * copyToken({ sourceArn, sourceVersionId, target: 'staging/billing/stripe', targetVersionId: '', transforms });
 */
export function copyToken(parts: CopyTokenParts): string {
  return derivedToken(
    'keystage-copy/1',
    parts.sourceArn,
    parts.sourceVersionId,
    parts.target,
    parts.targetVersionId,
    parts.transforms,
  );
}
