import { createHash } from 'node:crypto';
import {
  SECRET_KINDS,
  validateSecretName,
  validateTags,
  validateVersionStage,
  validateVersionToken,
  type SecretKind,
} from '../../core';
import { ValidationError } from '../../errors';
import type { BundleValue, JsonObject } from '../bundle';

/** The content of an export bundle, as its header names it. */
export const EXPORT_CONTENT = 'keystage-export';

/**
 * What an export bundle says about one secret version, beside its value: enough to recreate
 * it (name, kind, tags, description, stages) and to check it (VersionId, SHA-256 of the
 * value). Never the value itself.
 */
export interface SecretManifest {
  readonly name: string;
  /** The secret's ARN where it was exported. */
  readonly arn: string;
  /** The `keystage:type` tag's kind, or null when the secret has none. */
  readonly kind: SecretKind | null;
  readonly description: string | null;
  readonly tags: Readonly<Record<string, string>>;
  readonly versionId: string;
  /** The version's staging labels when exported (AWSCURRENT, AWSPREVIOUS, custom ones). */
  readonly stages: readonly string[];
  /** When the version was created (ISO 8601), or null when the service did not say. */
  readonly createdAt: string | null;
  /** `string` for SecretString, `binary` for SecretBinary. */
  readonly encoding: 'string' | 'binary';
  /** SHA-256 of the value's bytes (UTF-8 for a string), hex. */
  readonly sha256: string;
}

/** The SHA-256 of a value as a manifest records it. */
export function valueChecksum(value: BundleValue): string {
  return createHash('sha256')
    .update(typeof value === 'string' ? Buffer.from(value, 'utf8') : value)
    .digest('hex');
}

/** The manifest as the bundle stores it. */
export function manifestRecord(manifest: SecretManifest): JsonObject {
  return {
    name: manifest.name,
    arn: manifest.arn,
    kind: manifest.kind,
    description: manifest.description,
    tags: { ...manifest.tags },
    versionId: manifest.versionId,
    stages: [...manifest.stages],
    createdAt: manifest.createdAt,
    encoding: manifest.encoding,
    sha256: manifest.sha256,
  };
}

const HEX_DIGEST = /^[0-9a-f]{64}$/;

/**
 * A manifest read from a bundle, checked field by field: a ValidationError names the
 * entry's field (`entries[3].manifest.tags`) and never a value.
 */
export function checkManifest(
  record: JsonObject,
  value: BundleValue | undefined,
  field: string,
): SecretManifest {
  const at = (name: string): string => `${field}.manifest.${name}`;
  const name = validateSecretName(record.name, at('name'));
  const { arn, kind, description, versionId, stages, createdAt, encoding, sha256 } = record;
  if (typeof arn !== 'string') throw new ValidationError(at('arn'), `${at('arn')} must be a string.`);
  if (kind !== null && !SECRET_KINDS.includes(kind as SecretKind)) {
    throw new ValidationError(
      at('kind'),
      `${at('kind')} must be one of ${SECRET_KINDS.join(', ')}, or null.`,
    );
  }
  if (description !== null && typeof description !== 'string') {
    throw new ValidationError(at('description'), `${at('description')} must be a string or null.`);
  }
  const tags = validateTags(record.tags, at('tags'));
  validateVersionToken(versionId, at('versionId'));
  if (!Array.isArray(stages) || stages.length === 0) {
    throw new ValidationError(at('stages'), `${at('stages')} must list the version's staging labels.`);
  }
  stages.forEach((stage, i) => validateVersionStage(stage, `${at('stages')}[${i}]`));
  if (createdAt !== null && (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)))) {
    throw new ValidationError(at('createdAt'), `${at('createdAt')} must be an ISO 8601 date or null.`);
  }
  if (encoding !== 'string' && encoding !== 'binary') {
    throw new ValidationError(at('encoding'), `${at('encoding')} must be 'string' or 'binary'.`);
  }
  if (typeof sha256 !== 'string' || !HEX_DIGEST.test(sha256)) {
    throw new ValidationError(at('sha256'), `${at('sha256')} must be a hex SHA-256.`);
  }
  if (value === undefined || (typeof value === 'string') !== (encoding === 'string')) {
    throw new ValidationError(`${field}.value`, `${field}.value must be the ${encoding} the manifest names.`);
  }
  if (valueChecksum(value) !== sha256) {
    throw new ValidationError(`${field}.value`, `${field}.value does not match its manifest's SHA-256.`);
  }
  return {
    name,
    arn,
    kind: kind as SecretKind | null,
    description: description as string | null,
    tags,
    versionId: versionId as string,
    stages: stages as string[],
    createdAt: createdAt as string | null,
    encoding,
    sha256,
  };
}
