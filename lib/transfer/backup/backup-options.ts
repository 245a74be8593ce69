import type { CallOptions } from '../../client/options';
import { checkPrincipal } from '../../client/principal-check';
import { SecretsClient } from '../../client/secrets-client';
import { validateBoolean, validateInteger, validateNameSegment } from '../../core';
import { ValidationError, show } from '../../errors';
import type { SkipReason } from './read-records';
import type { SecretRestoreAction, SecretRestoreStatus } from './restore-records';
import type { BundleDestination, BundleProtection, BundleSource } from '../bundle';
import { checkReceiver, type OutcomeReceiver } from '../export/transfer-report';

/** One secret as `createBackup` is done with it: in the backup (with its versions) or left out, and why. */
export type BackupOutcome =
  | { readonly name: string; readonly outcome: 'backed-up'; readonly versions: number }
  | { readonly name: string; readonly outcome: 'skipped'; readonly reason: SkipReason };

/** One secret as `restoreBackup` is done with it (a dry run: planned); `status` as the result's report says. */
export interface RestoreOutcome {
  readonly name: string;
  readonly action: SecretRestoreAction;
  readonly status: SecretRestoreStatus;
}

export interface CreateBackupOptions extends CallOptions {
  /**
   * Only the secrets tagged `keystage:environment` with one of these.
   * @default - every secret the client can list
   */
  readonly environments?: readonly string[];
  /** A file path (written to a temporary file, mode 0600, then renamed into place) or any writable stream. */
  readonly destination: BundleDestination;
  /**
   * How the backup is encrypted: `{ kms: { keyId } }` (a KMS key ARN; the client's KMS
   * client unless one is given) or `{ passphrase }` (scrypt, at least 12 characters).
   */
  readonly protection: BundleProtection;
  /** Secrets read at once. @default 8 */
  readonly concurrency?: number;
  /** Told of each secret as it is written to the backup or left out, for progress. @default - none */
  readonly onSecret?: OutcomeReceiver<BackupOutcome>;
}

export interface VerifyBackupOptions {
  /** The protection the backup was written with. */
  readonly protection: BundleProtection;
}

export interface RestoreBackupOptions extends CallOptions {
  /** The protection the backup was written with. */
  readonly protection: BundleProtection;
  /** Only the secrets tagged with this environment. @default - every secret in the backup */
  readonly environment?: string;
  /**
   * Read and check the whole backup (authentication, every record, every checksum) before
   * the first write. The bundle is authenticated as a whole only at its end, so without
   * this a damaged backup is found out part-way, after writes (which `rollbackOnFailure`
   * then undoes).
   * @default true
   */
  readonly verify?: boolean;
  /** On a failure part-way, return every secret the restore touched to its prior state. @default true */
  readonly rollbackOnFailure?: boolean;
  /** Read the targets and return the plan, per secret; write nothing. @default false */
  readonly dryRun?: boolean;
  /** The clock a rollback reads to schedule a cancelled deletion again. @default Date.now */
  readonly now?: () => number;
  /**
   * Told of each secret as the restore is done with it (planned, in a dry run), for
   * progress; a rollback after a failure is reported in the result only. @default - none
   */
  readonly onSecret?: OutcomeReceiver<RestoreOutcome>;
}

function checkObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('options', `${what} needs an options object.`);
  }
  return value as Record<string, unknown>;
}

function checkKeys(options: Record<string, unknown>, known: readonly string[], what: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ValidationError(
        key,
        `${show(key)} is not a ${what} option. Known options: ${known.join(', ')}.`,
      );
    }
  }
}

function checkClient(client: unknown, what: string): SecretsClient {
  if (!(client instanceof SecretsClient)) {
    throw new ValidationError('client', `${what} needs a SecretsClient as its first argument.`);
  }
  return client;
}

function callOf(principal: unknown): CallOptions {
  return principal === undefined ? {} : { principal: checkPrincipal(principal) };
}

/** Fills in the client's KMS client for KMS protection that names none (the bundle's default is a fresh one). */
function protectionFor(protection: unknown, client: SecretsClient | undefined): BundleProtection {
  if (protection === undefined) {
    throw new ValidationError('protection', 'protection is required: { kms: { keyId } } or { passphrase }.');
  }
  const kms = (protection as { kms?: unknown } | null)?.kms;
  if (
    client !== undefined &&
    typeof kms === 'object' &&
    kms !== null &&
    (kms as { kms?: unknown }).kms === undefined
  ) {
    return { kms: { ...(kms as { keyId: string }), kms: client.kms } };
  }
  // The same object, so a passphrase's derived key is reused by both passes of a restore.
  return protection as BundleProtection;
}

export interface BackupRequest {
  readonly client: SecretsClient;
  readonly environments: readonly string[] | undefined;
  readonly destination: BundleDestination;
  readonly protection: BundleProtection;
  readonly concurrency: number;
  readonly call: CallOptions;
  readonly onSecret: OutcomeReceiver<BackupOutcome> | undefined;
}

/** Checks createBackup's arguments before any I/O (the bundle writer checks destination and protection). */
export function checkBackupOptions(client: unknown, options: unknown): BackupRequest {
  const checked = checkClient(client, 'createBackup');
  const given = checkObject(options, 'createBackup');
  checkKeys(
    given,
    ['environments', 'destination', 'protection', 'concurrency', 'principal', 'onSecret'],
    'createBackup',
  );
  const { environments } = given;
  if (environments !== undefined && (!Array.isArray(environments) || environments.length === 0)) {
    throw new ValidationError(
      'environments',
      'environments must be a non-empty array of environment names (or left out for every secret).',
    );
  }
  return {
    client: checked,
    environments: environments?.map((environment: unknown, i: number) =>
      validateNameSegment(environment, `environments[${i}]`),
    ),
    destination: given.destination as BundleDestination,
    protection: protectionFor(given.protection, checked),
    concurrency:
      given.concurrency === undefined ? 8 : validateInteger(given.concurrency, 'concurrency', 1, 32),
    call: callOf(given.principal),
    onSecret: checkReceiver<BackupOutcome>(given.onSecret),
  };
}

function checkSource(source: unknown): BundleSource {
  if ((typeof source === 'string' && source.length > 0) || typeof source === 'function') {
    return source as BundleSource;
  }
  throw new ValidationError(
    'source',
    'source must be a file path or a function that opens a readable stream of the backup (it is read twice when verifying).',
  );
}

/** Checks verifyBackup's arguments. */
export function checkVerifyOptions(
  source: unknown,
  options: unknown,
): { readonly source: BundleSource; readonly protection: BundleProtection } {
  const checkedSource = checkSource(source);
  const given = checkObject(options, 'verifyBackup');
  checkKeys(given, ['protection'], 'verifyBackup');
  return { source: checkedSource, protection: protectionFor(given.protection, undefined) };
}

export interface RestoreRequest {
  readonly client: SecretsClient;
  readonly source: BundleSource;
  readonly protection: BundleProtection;
  readonly environment: string | undefined;
  readonly verify: boolean;
  readonly rollbackOnFailure: boolean;
  readonly dryRun: boolean;
  readonly now: () => number;
  readonly call: CallOptions;
  readonly onSecret: OutcomeReceiver<RestoreOutcome> | undefined;
}

/** Checks restoreBackup's arguments before any I/O. */
export function checkRestoreOptions(client: unknown, source: unknown, options: unknown): RestoreRequest {
  const checked = checkClient(client, 'restoreBackup');
  const checkedSource = checkSource(source);
  const given = checkObject(options, 'restoreBackup');
  checkKeys(
    given,
    ['protection', 'environment', 'verify', 'rollbackOnFailure', 'dryRun', 'now', 'principal', 'onSecret'],
    'restoreBackup',
  );
  if (given.now !== undefined && typeof given.now !== 'function') {
    throw new ValidationError('now', 'now must be a function that returns milliseconds since the epoch.');
  }
  return {
    client: checked,
    source: checkedSource,
    protection: protectionFor(given.protection, checked),
    environment:
      given.environment === undefined ? undefined : validateNameSegment(given.environment, 'environment'),
    verify: validateBoolean(given.verify, 'verify', true),
    rollbackOnFailure: validateBoolean(given.rollbackOnFailure, 'rollbackOnFailure', true),
    dryRun: validateBoolean(given.dryRun, 'dryRun', false),
    now: (given.now as (() => number) | undefined) ?? Date.now,
    call: callOf(given.principal),
    onSecret: checkReceiver<RestoreOutcome>(given.onSecret),
  };
}
