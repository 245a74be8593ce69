import type { Tag } from '@aws-sdk/client-secrets-manager';
import { KEYSTAGE_TAGS, SECRET_KINDS, type SecretKind, type SecretStatus } from '../core';

/** What keystage reads from its own tags. */
export interface KeystageMetadata {
  readonly environment: string | undefined;
  readonly service: string | undefined;
  readonly kind: SecretKind | undefined;
  /** `revoked` when `keystage:status=revoked`; `active` otherwise. */
  readonly status: SecretStatus;
  readonly revokedAt: string | undefined;
  readonly revokedReason: string | undefined;
}

/** Secrets Manager's tag list as a plain record. */
export function tagsToRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
  }
  return record;
}

/** A plain record as Secrets Manager's tag list. */
export function recordToTags(record: Readonly<Record<string, string>>): Tag[] {
  return Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
}

/** What keystage's own tags say about a secret. */
export function keystageMetadata(tags: Readonly<Record<string, string>>): KeystageMetadata {
  const kind = tags[KEYSTAGE_TAGS.type];
  return {
    environment: tags[KEYSTAGE_TAGS.environment],
    service: tags[KEYSTAGE_TAGS.service],
    kind: kind !== undefined && SECRET_KINDS.includes(kind as SecretKind) ? (kind as SecretKind) : undefined,
    status: tags[KEYSTAGE_TAGS.status] === 'revoked' ? 'revoked' : 'active',
    revokedAt: tags[KEYSTAGE_TAGS.revokedAt],
    revokedReason: tags[KEYSTAGE_TAGS.revokedReason],
  };
}
