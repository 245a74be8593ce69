import { KEYSTAGE_TAGS, validateSecretName, type SecretKind } from '../../core';
import { ValidationError } from '../../errors';
import { checkSecretShape, kindOf } from '../../organise/kinds';
import type { CallOptions } from '../../client/options';
import { runOperation, type SecretsClient } from '../../client/secrets-client';
import type { BundleReader, JsonObject } from '../bundle';
import { describeForTransfer, readCurrentValues } from '../export/export-operations';
import { checkManifest, valueChecksum, type SecretManifest } from '../export/secret-manifest';
import { derivedToken } from '../request-token';
import { TaskPool } from '../task-pool';
import type { ImportProblem } from './import-error';

/** What an import does, or in a dry run would do, to one secret. */
export type ImportAction = 'created' | 'updated' | 'unchanged' | 'skipped';

/**
 * One version of the bundle as the plan writes it: `write` stores it (its token makes the
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

/** One secret of the bundle, as pass 1 plans it. */
export interface PlannedSecret {
  readonly source: string;
  /** Where it goes; null when `map` leaves it out. */
  readonly target: string | null;
  /** The index of its first entry in the bundle. */
  readonly first: number;
  readonly kind: SecretKind | null;
  /**
   * The tags the target should carry, until the lookup has compared them with the target's
   * (pass 2 takes them from the bundle again): the plan keeps per secret only what pass 2
   * cannot read again.
   */
  tags: Readonly<Record<string, string>> | undefined;
  readonly versions: PlannedVersion[];
  action: ImportAction;
  reason: string | undefined;
  /** The target's labels now (label -> VersionId), for the labels an import moves; none for a new secret. */
  holders: Map<string, string> | undefined;
  /** Tags the target lacks or holds with another value. */
  tagsToApply: Readonly<Record<string, string>> | undefined;
}

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

export interface ImportPlan {
  readonly secrets: readonly PlannedSecret[];
  readonly problems: readonly ImportProblem[];
  readonly entries: number;
}

/** Lookups of targets in flight during pass 1 (reads only). */
const LOOKUPS_IN_FLIGHT = 8;

const TOKEN_PURPOSE = 'keystage-import v1';

function nameOf(manifest: JsonObject): string | undefined {
  return typeof manifest.name === 'string' ? manifest.name : undefined;
}

function targetOf(settings: ImportSettings, source: string, problems: ImportProblem[]): string | null {
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

function plannedSecret(
  manifest: SecretManifest,
  first: number,
  settings: ImportSettings,
  problems: ImportProblem[],
): PlannedSecret {
  const target = targetOf(settings, manifest.name, problems);
  return {
    source: manifest.name,
    target,
    first,
    kind: manifest.kind,
    tags: targetTags(manifest, settings),
    versions: [],
    action: target === null ? 'skipped' : 'created',
    reason: target === null ? 'left out by map' : undefined,
    holders: undefined,
    tagsToApply: undefined,
  };
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

function holdersOf(stages: Readonly<Record<string, readonly string[]>>): Map<string, string> {
  const holders = new Map<string, string>();
  for (const [versionId, labels] of Object.entries(stages))
    for (const label of labels) holders.set(label, versionId);
  return holders;
}

/**
 * Decides what to do to one secret from the target as it is: absent (create), ours from an
 * earlier run (finish it), someone else's (skip unless `overwrite`, or nothing to do when it
 * already holds the value and tags). A conflict that makes the bundle unimportable is a
 * problem, which refuses the whole import.
 */
async function lookUp(
  client: SecretsClient,
  secret: PlannedSecret,
  settings: ImportSettings,
  problems: ImportProblem[],
): Promise<void> {
  const target = secret.target!;
  const tags = secret.tags ?? {};
  secret.tags = undefined;
  const existing = await runOperation(client, describeForTransfer, [target], settings.callOptions);
  if (existing === undefined) return;
  if (existing.deleted) {
    problems.push({
      name: secret.source,
      field: 'map',
      message: `the target ${JSON.stringify(target)} is scheduled for deletion: restore it (undelete) or map the secret elsewhere`,
    });
    return;
  }
  const kind = kindOf(existing.tags[KEYSTAGE_TAGS.type]);
  if (kind !== undefined && secret.kind !== null && kind !== secret.kind) {
    problems.push({
      name: secret.source,
      field: 'manifest.kind',
      message: `the bundle holds a '${secret.kind}' secret but ${JSON.stringify(target)} is a '${kind}' secret`,
    });
    return;
  }
  secret.holders = holdersOf(existing.stages);
  const tagsToApply = Object.fromEntries(
    Object.entries(tags).filter(([key, value]) => existing.tags[key] !== value),
  );
  secret.tagsToApply = Object.keys(tagsToApply).length === 0 ? undefined : tagsToApply;
  let ours = false;
  for (const version of secret.versions) {
    const labels = existing.stages[version.token];
    if (labels === undefined) continue;
    ours = true;
    version.state = version.stages.every((stage) => labels.includes(stage)) ? 'done' : 'restage';
  }
  if (!ours && !settings.overwrite) {
    secret.action = 'skipped';
    secret.reason = `${JSON.stringify(target)} exists and overwrite is false`;
    return;
  }
  if (!ours && secret.versions.length === 1) {
    // Overwriting with the value the target already holds would only add a version.
    const { values } = await runOperation(client, readCurrentValues, [[target]], settings.callOptions);
    const current = values.get(target);
    if (current !== undefined && valueChecksum(current.value) === secret.versions[0]!.sha256) {
      const labels = existing.stages[current.versionId] ?? [];
      if (secret.versions[0]!.stages.every((stage) => labels.includes(stage)))
        secret.versions[0]!.state = 'same';
    }
  }
  const pending = secret.versions.some((version) => version.state === 'write' || version.state === 'restage');
  secret.action = pending || secret.tagsToApply !== undefined ? 'updated' : 'unchanged';
}

/**
 * Pass 1: reads the whole bundle (authenticating it to the end), checks every entry (its
 * manifest, its value against the checksum and, with `validate`, against its kind's shape),
 * groups the versions by secret, maps names, and looks each target up. Writes nothing.
 * Memory holds one entry's value at a time and, per secret, only its plan.
 */
export async function planImport(
  client: SecretsClient,
  reader: BundleReader,
  settings: ImportSettings,
): Promise<ImportPlan> {
  const problems: ImportProblem[] = [];
  const secrets: PlannedSecret[] = [];
  const sources = new Set<string>();
  const targets = new Map<string, string>();
  const lookups = new TaskPool(LOOKUPS_IN_FLIGHT);
  let current: PlannedSecret | undefined;
  let index = 0;

  const finish = async (secret: PlannedSecret): Promise<void> => {
    if (secret.target === null || secret.action === 'skipped') {
      secret.tags = undefined;
      return;
    }
    if (secret.kind === 'encrypted-json') {
      secret.tags = undefined;
      secret.action = 'skipped';
      secret.reason =
        'an encrypted-json value is encrypted for the secret and version it came from: put its decrypted value with put(kind encrypted-json)';
      return;
    }
    await lookups.run(() => lookUp(client, secret, settings, problems));
  };

  for await (const entry of reader.entries()) {
    const field = `entries[${index}]`;
    let manifest: SecretManifest;
    try {
      manifest = checkManifest(entry.manifest, entry.value, field);
      if (settings.validate && manifest.kind !== null && manifest.kind !== 'encrypted-json') {
        checkSecretShape(manifest.kind, entry.value!, `${field}.value`);
      }
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push({ name: nameOf(entry.manifest), field: error.field, message: error.message });
      index++;
      continue;
    }
    if (current === undefined || manifest.name !== current.source) {
      if (current !== undefined) await finish(current);
      if (sources.has(manifest.name)) {
        problems.push({
          name: manifest.name,
          field,
          message: "the secret's versions are not together in the bundle",
        });
      }
      sources.add(manifest.name);
      current = plannedSecret(manifest, index, settings, problems);
      secrets.push(current);
      if (!manifest.stages.includes('AWSCURRENT')) {
        problems.push({
          name: manifest.name,
          field: `${field}.manifest.stages`,
          message: 'the first version of a secret must be its AWSCURRENT one',
        });
      }
      if (current.target !== null) {
        const other = targets.get(current.target);
        if (other !== undefined) {
          problems.push({
            name: manifest.name,
            field: 'map',
            message: `${JSON.stringify(other)} and ${JSON.stringify(manifest.name)} both go to ${JSON.stringify(current.target)}`,
          });
        }
        targets.set(current.target, manifest.name);
      }
    } else if (manifest.stages.includes('AWSCURRENT')) {
      problems.push({
        name: manifest.name,
        field: `${field}.manifest.stages`,
        message: 'a secret has two AWSCURRENT versions',
      });
    }
    current.versions.push({
      versionId: manifest.versionId,
      sha256: manifest.sha256,
      token: derivedToken(
        TOKEN_PURPOSE,
        current.target ?? '',
        manifest.name,
        manifest.versionId,
        manifest.sha256,
      ),
      stages: manifest.stages,
      state: 'write',
    });
    index++;
  }
  if (current !== undefined) await finish(current);
  await lookups.drain();
  return { secrets, problems, entries: index };
}
