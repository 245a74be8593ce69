import { validateNameSegment, validateSecretIds, type SecretKind } from '../../core';
import { ValidationError, isKeystageError, show } from '../../errors';
import { kindOf } from '../../organise/kinds';
import type { CallOptions } from '../../client/options';
import { runOperation, streamOperation, type SecretsClient } from '../../client/secrets-client';
import { BATCH_SIZE } from '../../client/operations/get-many';
import type { BundleDestination, BundleEntry, BundleProtection, BundleSummary } from '../bundle';
import { checkProtection, withKmsClient } from '../bundle/protection';
import { checkHeader } from '../bundle/records';
import { writeChecked } from '../bundle/writer';
import {
  describeForTransfer,
  listForTransfer,
  readCurrentValues,
  readVersion,
  type ListedSecret,
  type StoredVersion,
  type TransferScope,
} from './export-operations';
import { EXPORT_CONTENT, manifestRecord, valueChecksum, type SecretManifest } from './secret-manifest';
import { checkReceiver, checkReport, type OutcomeReceiver, type TransferReport } from './transfer-report';

/** Which versions of each secret an export holds. */
export type ExportVersions = 'current' | 'all-labelled';

export interface ExportOptions extends CallOptions {
  /** Where the bundle goes: a path (written atomically, mode 0600) or a writable stream. */
  readonly destination: BundleDestination;
  /** How the bundle is encrypted: `{ kms: { keyId } }` (the client's KMS client by default) or `{ passphrase }`. */
  readonly protection: BundleProtection;
  /**
   * Export the secrets tagged `keystage:environment=<environment>`. Give this or `ids`.
   * @default - none
   */
  readonly environment?: string;
  /** With `environment`: only the secrets tagged `keystage:service=<service>`. @default - every service */
  readonly service?: string;
  /** Export exactly these secrets (names or ARNs). Give this or `environment`. @default - none */
  readonly ids?: readonly string[];
  /**
   * `current`: each secret's AWSCURRENT version (one BatchGetSecretValue per 20 secrets).
   * `all-labelled`: every version with a staging label (AWSCURRENT, AWSPREVIOUS, AWSPENDING,
   * custom labels), the others read one GetSecretValue each.
   * @default 'current'
   */
  readonly versions?: ExportVersions;
  /**
   * `'secrets'`: the result lists the secrets that could not be exported (`failed`).
   * `'counts'`: it only counts them (`failures`), so nothing is kept per secret whatever
   * their number; see them one by one with `onSecret`.
   * @default 'secrets'
   */
  readonly report?: TransferReport;
  /**
   * Called with each secret's outcome as it happens: exported once its entries are in the
   * bundle's stream (in bundle order; the bundle is complete when exportSecrets resolves), or
   * failed when a read of it fails. Awaited; if it throws, the export fails and leaves no
   * bundle at a path destination.
   * @default - none
   */
  readonly onSecret?: OutcomeReceiver<ExportOutcome>;
}

/** A secret left out of an export, and why (never a value). */
export interface ExportFailure {
  readonly name: string;
  readonly code: string;
  readonly reason: string;
}

/** What happened to one secret of an export, as `onSecret` hears it. Never a value. */
export type ExportOutcome =
  | { readonly status: 'exported'; readonly name: string; readonly versions: number }
  | ({ readonly status: 'failed' } & ExportFailure);

/** An export's result with `report: 'counts'`: nothing per secret. */
export interface ExportSummary {
  /** The bundle as written: id, entry count, digest, bytes. */
  readonly bundle: BundleSummary;
  /** Secrets in the bundle. */
  readonly secrets: number;
  /** Versions in the bundle (one entry each). */
  readonly versions: number;
  /** Secrets that could not be read (access denied, deleted meanwhile, ...); not in the bundle. */
  readonly failures: number;
}

/** An export's result with `report: 'secrets'` (the default). */
export interface ExportResult extends ExportSummary {
  /** The secrets that could not be read, and why. */
  readonly failed: readonly ExportFailure[];
}

const OPTION_KEYS = new Set([
  'destination',
  'protection',
  'environment',
  'service',
  'ids',
  'versions',
  'report',
  'onSecret',
  'principal',
]);

interface ExportPlan {
  readonly scope: TransferScope | undefined;
  readonly ids: readonly string[] | undefined;
  readonly versions: ExportVersions;
  readonly destination: BundleDestination;
  readonly report: TransferReport;
  readonly onSecret: OutcomeReceiver<ExportOutcome> | undefined;
  readonly callOptions: CallOptions;
}

function planExport(options: ExportOptions): ExportPlan {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError(
      'options',
      'exportSecrets needs { destination, protection, environment | ids }.',
    );
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new ValidationError(key, `${show(key)} is not an option of exportSecrets.`);
    }
  }
  const { environment, service, ids, versions = 'current', destination } = options;
  if ((environment === undefined) === (ids === undefined)) {
    throw new ValidationError('environment', 'exportSecrets takes environment or ids (one of them).');
  }
  if (service !== undefined && environment === undefined) {
    throw new ValidationError('service', 'service narrows an environment: give environment too.');
  }
  if (versions !== 'current' && versions !== 'all-labelled') {
    throw new ValidationError(
      'versions',
      `versions must be 'current' or 'all-labelled', got ${show(versions)}.`,
    );
  }
  if (
    !(typeof destination === 'string' && destination.length > 0) &&
    typeof (destination as { write?: unknown })?.write !== 'function'
  ) {
    throw new ValidationError('destination', 'destination must be a file path or a writable stream.');
  }
  return {
    scope:
      environment === undefined
        ? undefined
        : {
            environment: validateNameSegment(environment, 'environment'),
            service: service === undefined ? undefined : validateNameSegment(service, 'service'),
          },
    ids: ids === undefined ? undefined : validateSecretIds(ids),
    versions,
    destination,
    report: checkReport(options.report, 'exportSecrets'),
    onSecret: checkReceiver<ExportOutcome>(options.onSecret),
    callOptions: options.principal === undefined ? {} : { principal: options.principal },
  };
}

function failureOf(name: string, error: unknown): ExportFailure {
  if (!isKeystageError(error)) throw error;
  return { name, code: error.code, reason: error.message };
}

function entryOf(secret: ListedSecret, version: StoredVersion): BundleEntry {
  const manifest: SecretManifest = {
    name: secret.name,
    arn: secret.arn,
    kind: (kindOf(secret.tags['keystage:type']) ?? null) as SecretKind | null,
    description: secret.description,
    tags: secret.tags,
    versionId: version.versionId,
    stages: version.stages,
    createdAt: version.createdAt?.toISOString() ?? null,
    encoding: typeof version.value === 'string' ? 'string' : 'binary',
    sha256: valueChecksum(version.value),
  };
  return { manifest: manifestRecord(manifest), value: version.value };
}

/**
 * The labelled versions other than AWSCURRENT, AWSPREVIOUS first: the order import writes
 * them in after the current one, so that each label ends where it was.
 */
function otherVersions(secret: ListedSecret, currentId: string): string[] {
  const ids = Object.keys(secret.stages).filter((id) => id !== currentId);
  const previous = (id: string): number => (secret.stages[id]!.includes('AWSPREVIOUS') ? 0 : 1);
  return ids.sort((a, b) => previous(a) - previous(b) || a.localeCompare(b));
}

/**
 * Exports secrets into a bundle (see keystage/transfer's bundle format): one entry per secret
 * version, with a manifest (name, ARN, kind, description, tags, VersionId, stages, creation
 * date, SHA-256 of the value) and the value, encrypted under a KMS key or a passphrase and
 * authenticated as a whole. Streams: memory holds one batch of 20 secrets, whatever their
 * number, and with `report: 'counts'` nothing per secret at all. Every read goes through
 * `client`'s pipeline (access policy, rate limits, audit) as `list`, `getMany`, `get` or
 * `describe`. A current-version export of an environment costs one ListSecrets per 100
 * secrets and one BatchGetSecretValue per 20: 0.06 calls a secret.
 *
 * A secret that cannot be read (access denied, deleted meanwhile) is left out, counted in
 * `failures` and listed in `failed` (with the default `report: 'secrets'`). `onSecret` hears
 * every secret's outcome as it happens. `encrypted-json` values are exported as stored (their
 * ciphertext); importSecrets skips them, since their encryption is bound to the secret they
 * came from.
 *
 * Errors: bad options are ValidationError before any call; listing failures and KMS failures
 * keep their codes. Nothing returned or thrown carries a value.
 * @example
 * const { bundle, failed } = await exportSecrets(secrets, {
 *   environment: 'prod',
 *   protection: { kms: { keyId: keyArn } },
 *   destination: 'prod.bundle',
 * });
 */
export function exportSecrets(
  client: SecretsClient,
  options: ExportOptions & { readonly report: 'counts' },
): Promise<ExportSummary>;
/** `exportSecrets` listing its failures (`report: 'secrets'`, the default). */
export function exportSecrets(
  client: SecretsClient,
  options: ExportOptions & { readonly report?: 'secrets' },
): Promise<ExportResult>;
/** `exportSecrets` with a `report` known only when it runs. */
export function exportSecrets(
  client: SecretsClient,
  options: ExportOptions,
): Promise<ExportSummary | ExportResult>;
export async function exportSecrets(
  client: SecretsClient,
  options: ExportOptions,
): Promise<ExportSummary | ExportResult> {
  const plan = planExport(options);
  const protection = withKmsClient(checkProtection(options.protection), () => client.kms);
  const header = checkHeader({
    content: EXPORT_CONTENT,
    details: {
      scope:
        plan.scope === undefined
          ? { ids: plan.ids!.length }
          : { environment: plan.scope.environment, service: plan.scope.service ?? null },
      versions: plan.versions,
    },
  });
  const failed: ExportFailure[] | undefined = plan.report === 'secrets' ? [] : undefined;
  let failures = 0;
  let secrets = 0;
  const { callOptions, onSecret } = plan;

  const fail = async (failure: ExportFailure): Promise<void> => {
    failures++;
    failed?.push(failure);
    await onSecret?.({ status: 'failed', ...failure });
  };

  async function* batchEntries(batch: readonly ListedSecret[]): AsyncGenerator<BundleEntry> {
    const { values, errors } = await runOperation(
      client,
      readCurrentValues,
      [batch.map((secret) => secret.name)],
      callOptions,
    );
    for (const secret of batch) {
      const current = values.get(secret.name);
      if (current === undefined) {
        await fail(failureOf(secret.name, errors.get(secret.name)));
        continue;
      }
      const entries = [entryOf(secret, current)];
      if (plan.versions === 'all-labelled') {
        try {
          for (const versionId of otherVersions(secret, current.versionId)) {
            entries.push(
              entryOf(secret, await runOperation(client, readVersion, [secret.name, versionId], callOptions)),
            );
          }
        } catch (error) {
          await fail(failureOf(secret.name, error));
          continue;
        }
      }
      secrets++;
      yield* entries;
      await onSecret?.({ status: 'exported', name: secret.name, versions: entries.length });
    }
  }

  async function* listed(): AsyncGenerator<ListedSecret> {
    if (plan.scope !== undefined) {
      yield* streamOperation(client, listForTransfer, [plan.scope], callOptions);
      return;
    }
    for (const id of plan.ids!) {
      let secret: ListedSecret | undefined;
      try {
        secret = await runOperation(client, describeForTransfer, [id], callOptions);
      } catch (error) {
        await fail(failureOf(id, error));
        continue;
      }
      if (secret === undefined || secret.deleted) {
        await fail({
          name: id,
          code: 'SECRET_NOT_FOUND',
          reason: `No secret ${JSON.stringify(id)} ${secret === undefined ? 'exists' : 'outside its deletion window'}.`,
        });
      } else {
        yield secret;
      }
    }
  }

  async function* entries(): AsyncGenerator<BundleEntry> {
    let batch: ListedSecret[] = [];
    for await (const secret of listed()) {
      batch.push(secret);
      if (batch.length === BATCH_SIZE) {
        yield* batchEntries(batch);
        batch = [];
      }
    }
    if (batch.length > 0) yield* batchEntries(batch);
  }

  const bundle = await writeChecked(plan.destination, header, entries(), protection);
  const summary: ExportSummary = { bundle, secrets, versions: bundle.entries, failures };
  return failed === undefined ? summary : { ...summary, failed };
}
