import { validateInteger, validateKmsKeyId, validateNameSegment, validateSecretName } from '../../core';
import { ValidationError, show } from '../../errors';
import type { CallOptions } from '../../client/options';
import { runOperation, type SecretsClient } from '../../client/secrets-client';
import type { BundleProtection, BundleSource, BundleValue } from '../bundle';
import { BundleAuthenticationError } from '../bundle/bundle-error';
import { checkProtection, withKmsClient } from '../bundle/protection';
import { openCheckedBundle } from '../bundle/reader';
import { EXPORT_CONTENT, checkManifest, type SecretManifest } from '../export/secret-manifest';
import { TaskPool } from '../task-pool';
import { ImportRefusedError } from './import-error';
import { createImported, moveImportedLabel, putImported } from './import-operations';
import {
  planImport,
  targetTags,
  type ImportAction,
  type ImportSettings,
  type PlannedSecret,
  type PlannedVersion,
} from './import-plan';

/** Renames on the way in: a function (null leaves the secret out), or a prefix to replace. */
export type ImportMap = ((name: string) => string | null) | { readonly from: string; readonly to: string };

export interface ImportOptions extends CallOptions {
  /** The bundle's protection: `{ kms: { keyId } }` (the client's KMS client by default) or `{ passphrase }`. */
  readonly protection: BundleProtection;
  /**
   * Write over secrets that exist already (a new version, the bundle's tags added). Without
   * it such secrets are skipped. A secret an earlier run of this import started is always
   * finished.
   * @default false
   */
  readonly overwrite?: boolean;
  /** Check each value against its kind's shape (keystage:type) before anything is written. @default true */
  readonly validate?: boolean;
  /** Plan only: read and check everything, look every target up, write nothing. @default false */
  readonly dryRun?: boolean;
  /**
   * Where each secret goes. `{ from: 'prod/', to: 'staging/' }` replaces a leading `from`
   * (names without it keep their name); a function returns the name, or null to leave the
   * secret out.
   * @default - every secret keeps its name
   */
  readonly map?: ImportMap;
  /** Sets `keystage:environment` on every imported secret (with `map`, to move an environment). @default - the tags as exported */
  readonly environment?: string;
  /** The KMS key that encrypts the secrets the import creates. @default - the account's aws/secretsmanager key */
  readonly kmsKeyId?: string;
  /** Secrets written at a time. @default 4 */
  readonly concurrency?: number;
}

/** What happened to one secret (or in a dry run, what would). Never a value. */
export interface ImportOutcome {
  /** The secret's name where it went (its bundle name when left out by map). */
  readonly name: string;
  /** The secret's name in the bundle. */
  readonly source: string;
  readonly action: ImportAction;
  /** Versions written (or to write), labels moved included. */
  readonly versions: number;
  /** Why it was skipped. @default - none */
  readonly reason?: string;
}

export interface ImportResult {
  readonly dryRun: boolean;
  readonly bundleId: string;
  /** Entries (secret versions) in the bundle. */
  readonly entries: number;
  readonly secrets: readonly ImportOutcome[];
  readonly counts: Readonly<Record<ImportAction, number>>;
}

const OPTION_KEYS = new Set([
  'protection',
  'overwrite',
  'validate',
  'dryRun',
  'map',
  'environment',
  'kmsKeyId',
  'concurrency',
  'principal',
]);

function booleanOption(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new ValidationError(field, `${field} must be true or false, got ${show(value)}.`);
  return value;
}

function checkMap(map: unknown): (name: string) => string | null {
  if (map === undefined) return (name) => name;
  if (typeof map === 'function') {
    return (name) => {
      const target: unknown = (map as (name: string) => unknown)(name);
      if (target !== null && typeof target !== 'string') {
        throw new ValidationError('map', `map returned ${show(target)} for a secret: return a name or null.`);
      }
      return target;
    };
  }
  const { from, to } = (map ?? {}) as { from?: unknown; to?: unknown };
  if (typeof from !== 'string' || from.length === 0 || typeof to !== 'string') {
    throw new ValidationError(
      'map',
      'map must be a function or { from, to } (a name prefix and its replacement).',
    );
  }
  if (to.length > 0) validateSecretName(to.endsWith('/') ? `${to}x` : to, 'map.to');
  return (name) => (name.startsWith(from) ? `${to}${name.slice(from.length)}` : name);
}

function checkSettings(options: ImportOptions): ImportSettings {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', 'importSecrets needs { protection }.');
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key))
      throw new ValidationError(key, `${show(key)} is not an option of importSecrets.`);
  }
  return {
    overwrite: booleanOption(options.overwrite, 'overwrite', false),
    validate: booleanOption(options.validate, 'validate', true),
    map: checkMap(options.map),
    environment:
      options.environment === undefined ? undefined : validateNameSegment(options.environment, 'environment'),
    kmsKeyId: options.kmsKeyId === undefined ? undefined : validateKmsKeyId(options.kmsKeyId),
    concurrency:
      options.concurrency === undefined ? 4 : validateInteger(options.concurrency, 'concurrency', 1, 16),
    callOptions: options.principal === undefined ? {} : { principal: options.principal },
  };
}

function outcomeOf(secret: PlannedSecret): ImportOutcome {
  const versions =
    secret.action === 'created'
      ? secret.versions.length
      : secret.action === 'updated'
        ? secret.versions.filter((version) => version.state === 'write' || version.state === 'restage').length
        : 0;
  return {
    name: secret.target ?? secret.source,
    source: secret.source,
    action: secret.action,
    versions,
    ...(secret.reason === undefined ? {} : { reason: secret.reason }),
  };
}

function resultOf(
  dryRun: boolean,
  bundleId: string,
  entries: number,
  secrets: readonly PlannedSecret[],
): ImportResult {
  const outcomes = secrets.map(outcomeOf);
  const counts: Record<ImportAction, number> = { created: 0, updated: 0, unchanged: 0, skipped: 0 };
  for (const outcome of outcomes) counts[outcome.action]++;
  return { dryRun, bundleId, entries, secrets: outcomes, counts };
}

/**
 * One version's labels made right: each label the version should carry and does not is
 * moved to it from the version that holds it (the compare-and-swap UpdateSecretVersionStage
 * takes). Moving AWSCURRENT moves AWSPREVIOUS to the version it left, as the service does.
 */
async function moveLabels(
  client: SecretsClient,
  secret: PlannedSecret,
  version: PlannedVersion,
  has: readonly string[],
  settings: ImportSettings,
): Promise<void> {
  for (const stage of version.stages) {
    if (has.includes(stage)) continue;
    const holder = secret.holders?.get(stage);
    await runOperation(
      client,
      moveImportedLabel,
      [{ secretId: secret.target!, stage, toVersionId: version.token, fromVersionId: holder }],
      settings.callOptions,
    );
    noteMove(secret, stage, version.token, holder);
  }
}

function noteMove(secret: PlannedSecret, stage: string, to: string, from: string | undefined): void {
  const holders = (secret.holders ??= new Map());
  holders.set(stage, to);
  if (stage === 'AWSCURRENT' && from !== undefined && from !== to) holders.set('AWSPREVIOUS', from);
}

/** Pass 2's work for one secret: its versions in bundle order, then its tags. */
async function apply(
  client: SecretsClient,
  secret: PlannedSecret,
  first: SecretManifest,
  values: readonly BundleValue[],
  settings: ImportSettings,
): Promise<void> {
  const target = secret.target!;
  for (const [i, version] of secret.versions.entries()) {
    const value = values[i]!;
    if (version.state === 'done' || version.state === 'same') continue;
    if (version.state === 'restage') {
      await moveLabels(client, secret, version, [], settings);
      continue;
    }
    if (i === 0 && secret.action === 'created') {
      await runOperation(
        client,
        createImported,
        [
          {
            secretId: target,
            value,
            token: version.token,
            stages: ['AWSCURRENT'],
            tags: targetTags(first, settings),
            description: first.description,
            kmsKeyId: settings.kmsKeyId,
          },
        ],
        settings.callOptions,
      );
      noteMove(secret, 'AWSCURRENT', version.token, undefined);
      await moveLabels(client, secret, version, ['AWSCURRENT'], settings);
      continue;
    }
    const stages = await runOperation(
      client,
      putImported,
      [{ secretId: target, value, token: version.token, stages: version.stages }],
      settings.callOptions,
    );
    for (const stage of version.stages) {
      if (stages.includes(stage)) noteMove(secret, stage, version.token, secret.holders?.get(stage));
    }
    // A version stored by an earlier run and since left without labels is not relabelled by
    // a put of the same token and value: move what it lacks.
    await moveLabels(client, secret, version, stages, settings);
  }
  if (secret.action === 'updated' && secret.tagsToApply !== undefined) {
    await client.tag(target, secret.tagsToApply, settings.callOptions);
  }
}

/**
 * Imports an export bundle in two passes. Pass 1 reads and authenticates the whole bundle and
 * checks every entry (manifest, checksum, kind shape, names after `map`, conflicts with what
 * exists) before anything is written: a bundle that fails authentication or validation writes
 * nothing (ImportRefusedError lists every problem). Pass 2 reads it again, checks each entry is
 * the one pass 1 checked, and writes.
 *
 * Idempotent: every version's ClientRequestToken (its VersionId) is derived from the target
 * name and the source version, so a rerun after a crash finds what the first run wrote and
 * finishes the rest, with no duplicate versions. Streams: memory holds one entry's value per
 * secret being written (`concurrency` of them) and, per secret, only its plan. Every call goes
 * through `client`'s pipeline (describe, getMany, create, put, rollback, tag).
 *
 * The result says per secret created / updated / unchanged / skipped (with the reason), never
 * a value. With `dryRun` it is the plan.
 * @example
 * const result = await importSecrets(secrets, 'prod.bundle', {
 *   protection: { passphrase },
 *   map: { from: 'prod/', to: 'staging/' },
 *   environment: 'staging',
 * });
 * console.log(result.counts); // { created: 12, updated: 0, unchanged: 0, skipped: 0 }
 */
export async function importSecrets(
  client: SecretsClient,
  source: BundleSource,
  options: ImportOptions,
): Promise<ImportResult> {
  const settings = checkSettings(options);
  if (!((typeof source === 'string' && source.length > 0) || typeof source === 'function')) {
    throw new ValidationError(
      'source',
      'source must be a file path or a function that opens a readable stream of the bundle (it is read twice).',
    );
  }
  const dryRun = booleanOption(options.dryRun, 'dryRun', false);
  const protection = withKmsClient(checkProtection(options.protection), () => client.kms);
  const reader = await openCheckedBundle(source, protection, { content: EXPORT_CONTENT });

  const plan = await planImport(client, reader, settings);
  if (plan.problems.length > 0) throw new ImportRefusedError(plan.problems);
  const { bundleId } = reader.header;
  if (dryRun) return resultOf(true, bundleId, plan.entries, plan.secrets);

  const writes = new TaskPool(settings.concurrency);
  let index = 0;
  let group = 0;
  let values: BundleValue[] = [];
  let first: SecretManifest | undefined;
  const changed = (secret: PlannedSecret): boolean =>
    secret.action === 'created' || secret.action === 'updated';
  for await (const entry of reader.entries()) {
    const secret = plan.secrets[group];
    const version = secret?.versions[index - secret.first];
    const manifest = checkManifest(entry.manifest, entry.value, `entries[${index}]`);
    if (
      secret === undefined ||
      version === undefined ||
      manifest.name !== secret.source ||
      manifest.versionId !== version.versionId ||
      manifest.sha256 !== version.sha256
    ) {
      throw new BundleAuthenticationError(
        'altered',
        'The bundle changed between the two passes of the import: run it again.',
      );
    }
    first ??= manifest;
    if (changed(secret)) values.push(entry.value!);
    index++;
    if (index === secret.first + secret.versions.length) {
      if (changed(secret)) {
        const ready = values;
        const manifestOfFirst = first;
        await writes.run(() => apply(client, secret, manifestOfFirst, ready, settings));
      }
      values = [];
      first = undefined;
      group++;
    }
  }
  await writes.drain();
  return resultOf(false, bundleId, plan.entries, plan.secrets);
}
