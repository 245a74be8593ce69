import type { Hmac } from 'node:crypto';
import { KEYSTAGE_TAGS, validateSecretName, type SecretKind } from '../../core';
import { ValidationError } from '../../errors';
import { checkSecretShape } from '../../organise/kinds';
import type { CallOptions } from '../../client/options';
import type { BundledEntry, JsonObject } from '../bundle';
import { checkManifest, manifestRecord, type SecretManifest } from '../export/secret-manifest';
import { derivedToken } from '../../core';
import { feed, fingerprintOf, type Fingerprints } from './fingerprints';
import type { ImportProblem } from './import-error';
import type { ImportAction, SkipReason } from './plan-log';

/** The import's settings, checked. */
export interface ImportSettings {
  readonly overwrite: boolean;
  readonly validate: boolean;
  readonly map: (name: string) => string | null;
  readonly environment: string | undefined;
  readonly kmsKeyId: string | undefined;
  readonly concurrency: number;
  readonly callOptions: CallOptions;
}

/**
 * One version of the bundle as the import writes it: `write` stores it (its token makes the
 * write idempotent), `restage` only moves labels onto the version an earlier run stored,
 * `done` is there already with its labels, `same` is not stored because the target's current
 * value is already this one.
 */
export interface PlannedVersion {
  readonly versionId: string;
  readonly sha256: string;
  readonly token: string;
  readonly stages: readonly string[];
  state: 'write' | 'restage' | 'done' | 'same';
}

/** One secret of the bundle while it is planned or written: alive for that secret only. */
export interface PlannedSecret {
  readonly source: string;
  /** Where it goes; null when `map` leaves it out. */
  readonly target: string | null;
  readonly kind: SecretKind | null;
  readonly versions: PlannedVersion[];
  action: ImportAction;
  skip: SkipReason | undefined;
  /** An earlier run of this import stored some of its versions. */
  resumed: boolean;
  /** The target's labels (label -> VersionId), for the labels an import moves; none for a new secret. */
  holders: Map<string, string> | undefined;
  /** Tags the target lacks or holds with another value. */
  tagsToApply: Readonly<Record<string, string>> | undefined;
}

const TOKEN_PURPOSE = 'keystage-import v1';

/**
 * One secret's entries as a pass reads them, and their fingerprint: the target `map` gave
 * it and every manifest, as the bundle holds them. Both passes build it the same way, so
 * equal fingerprints mean pass 2 has the very secret pass 1 checked and decided on.
 */
export class SecretGroup {
  readonly secret: PlannedSecret;
  /** The manifest of its first version (the AWSCURRENT one): the tags and description a new secret gets. */
  readonly head: SecretManifest;
  readonly #digest: Hmac;

  constructor(head: SecretManifest, target: string | null, fingerprints: Fingerprints) {
    this.head = head;
    this.#digest = fingerprints.start();
    feed(this.#digest, 'secret');
    feed(this.#digest, target ?? '');
    this.secret = {
      source: head.name,
      target,
      kind: head.kind,
      versions: [],
      action: target === null ? 'skipped' : 'created',
      skip: target === null ? 'map' : undefined,
      resumed: false,
      holders: undefined,
      tagsToApply: undefined,
    };
  }

  add(manifest: SecretManifest): void {
    feed(this.#digest, JSON.stringify(manifestRecord(manifest)));
    this.secret.versions.push({
      versionId: manifest.versionId,
      sha256: manifest.sha256,
      token: derivedToken(
        TOKEN_PURPOSE,
        this.secret.target ?? '',
        manifest.name,
        manifest.versionId,
        manifest.sha256,
      ),
      stages: manifest.stages,
      state: 'write',
    });
  }

  /** The fingerprint of the secret as read; call once, after its last version. */
  fingerprint(): Buffer {
    return fingerprintOf(this.#digest);
  }
}

function nameOf(manifest: JsonObject): string | undefined {
  return typeof manifest.name === 'string' ? manifest.name : undefined;
}

/**
 * One entry checked: its manifest, its value against the checksum and, with `validate`,
 * against its kind's shape. A problem is noted and the entry left out (undefined).
 */
export function checkedEntry(
  entry: BundledEntry,
  field: string,
  settings: ImportSettings,
  problems: ImportProblem[],
): SecretManifest | undefined {
  try {
    const manifest = checkManifest(entry.manifest, entry.value, field);
    if (settings.validate && manifest.kind !== null && manifest.kind !== 'encrypted-json') {
      checkSecretShape(manifest.kind, entry.value!, `${field}.value`);
    }
    return manifest;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push({ name: nameOf(entry.manifest), field: error.field, message: error.message });
    return undefined;
  }
}

/** Where `map` sends a secret: a checked name, or null (left out, or a problem noted). */
export function targetOf(settings: ImportSettings, source: string, problems: ImportProblem[]): string | null {
  let target: string | null;
  try {
    target = settings.map(source);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push({ name: source, field: 'map', message: error.message });
    return null;
  }
  if (target === null) return null;
  try {
    return validateSecretName(target, 'map');
  } catch (error) {
    problems.push({ name: source, field: 'map', message: (error as ValidationError).message });
    return null;
  }
}

/** The tags an imported secret carries: the bundle's, with `environment` set if asked. */
export function targetTags(
  manifest: SecretManifest,
  settings: ImportSettings,
): Readonly<Record<string, string>> {
  return settings.environment === undefined
    ? manifest.tags
    : { ...manifest.tags, [KEYSTAGE_TAGS.environment]: settings.environment };
}

/** Why a secret is skipped, in words. */
export function reasonOf(skip: SkipReason, target: string | null): string {
  switch (skip) {
    case 'map':
      return 'left out by map';
    case 'exists':
      return `${JSON.stringify(target)} exists and overwrite is false`;
    case 'encrypted-json':
      return 'an encrypted-json value is encrypted for the secret and version it came from: put its decrypted value with put(kind encrypted-json)';
  }
}
