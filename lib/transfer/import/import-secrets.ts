import { validateInteger, validateKmsKeyId, validateNameSegment, validateSecretName } from '../../core';
import { ValidationError, show } from '../../errors';
import type { CallOptions } from '../../client/options';
import type { SecretsClient } from '../../client/secrets-client';
import type { BundleProtection, BundleSource } from '../bundle';
import { checkProtection, withKmsClient } from '../bundle/protection';
import { openCheckedBundle } from '../bundle/reader';
import { EXPORT_CONTENT } from '../export/secret-manifest';
import {
  checkReceiver,
  checkReport,
  type OutcomeReceiver,
  type TransferReport,
} from '../export/transfer-report';
import { ImportRefusedError } from './import-error';
import { Outcomes, type ImportOutcome, type ImportResult, type ImportSummary } from './import-outcomes';
import { planImport } from './import-plan';
import { secondPass } from './second-pass';
import type { ImportSettings } from './secret-group';

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
  /**
   * `'secrets'`: the result lists every secret's outcome (`secrets`), about 200 bytes a
   * secret held until the result is dropped. `'counts'`: only `counts`, so the import's
   * memory stays flat in the number of secrets; see the outcomes with `onSecret`.
   * @default 'secrets'
   */
  readonly report?: TransferReport;
  /**
   * Called with each secret's outcome once its writes are done (in a dry run, once the plan
   * is complete and checked), in the order they finish. Awaited inside the writes, so a slow
   * receiver slows the import; if it throws, the import stops as after a failed write (a
   * rerun finishes it).
   * @default - none
   */
  readonly onSecret?: OutcomeReceiver<ImportOutcome>;
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
  'report',
  'onSecret',
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

/**
 * Imports an export bundle in two passes. Pass 1 reads and authenticates the whole bundle and
 * checks every entry (manifest, checksum, kind shape, names after `map`, conflicts with what
 * exists) before anything is written: a bundle that fails authentication or validation writes
 * nothing (ImportRefusedError lists every problem). Pass 2 reads it again, checks each secret
 * is the one pass 1 checked, and writes.
 *
 * Idempotent: every version's ClientRequestToken (its VersionId) is derived from the target
 * name and the source version, so a rerun after a crash finds what the first run wrote and
 * finishes the rest, with no duplicate versions. Streams: memory holds one entry's values per
 * secret being written (`concurrency` of them) and, per secret of the bundle, 32 to 42 bytes of
 * plan; with `report: 'counts'` nothing else, so it stays flat in the number of secrets. Every
 * call goes through `client`'s pipeline (describe, getMany, create, put, rollback, tag).
 *
 * The result counts secrets created / updated / unchanged / skipped and, with the default
 * `report: 'secrets'`, lists each (with the reason for a skip); `onSecret` hears each as it
 * happens. Never a value. With `dryRun` it is the plan.
 * @example
 * const result = await importSecrets(secrets, 'prod.bundle', {
 *   protection: { passphrase },
 *   map: { from: 'prod/', to: 'staging/' },
 *   environment: 'staging',
 * });
 * console.log(result.counts); // { created: 12, updated: 0, unchanged: 0, skipped: 0 }
 */
export function importSecrets(
  client: SecretsClient,
  source: BundleSource,
  options: ImportOptions & { readonly report: 'counts' },
): Promise<ImportSummary>;
/** `importSecrets` listing every secret (`report: 'secrets'`, the default). */
export function importSecrets(
  client: SecretsClient,
  source: BundleSource,
  options: ImportOptions & { readonly report?: 'secrets' },
): Promise<ImportResult>;
/** `importSecrets` with a `report` known only when it runs. */
export function importSecrets(
  client: SecretsClient,
  source: BundleSource,
  options: ImportOptions,
): Promise<ImportSummary | ImportResult>;
export async function importSecrets(
  client: SecretsClient,
  source: BundleSource,
  options: ImportOptions,
): Promise<ImportSummary | ImportResult> {
  const settings = checkSettings(options);
  if (!((typeof source === 'string' && source.length > 0) || typeof source === 'function')) {
    throw new ValidationError(
      'source',
      'source must be a file path or a function that opens a readable stream of the bundle (it is read twice).',
    );
  }
  const dryRun = booleanOption(options.dryRun, 'dryRun', false);
  const outcomes = new Outcomes(
    checkReport(options.report, 'importSecrets'),
    checkReceiver<ImportOutcome>(options.onSecret),
  );
  const protection = withKmsClient(checkProtection(options.protection), () => client.kms);
  const reader = await openCheckedBundle(source, protection, { content: EXPORT_CONTENT });

  const plan = await planImport(client, reader, settings);
  if (plan.problems.length > 0) throw new ImportRefusedError(plan.problems);
  await secondPass(client, reader, plan, settings, outcomes, dryRun);
  return outcomes.result({ dryRun, bundleId: reader.header.bundleId, entries: plan.entries });
}
