import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inspect } from 'node:util';
import { SecretCache, type FetchedSecret, type SecretSource } from '../cache/secret-cache';
import { ValidationError, type KeystageError } from '../errors';
import { silentLogger } from '../observability/logger';
import type { ClientContext } from './context';
import { createSecret } from './operations/create';
import { deleteSecret, undeleteSecret } from './operations/delete';
import { describeSecret, listSecretVersions } from './operations/describe';
import { getManySecrets } from './operations/get-many';
import { listSecrets } from './operations/list';
import { putSecretValue } from './operations/put';
import { fetchSecret, getSecretBinary, getSecretJson, getSecretString } from './operations/read';
import { restoreSecret, revokeSecret } from './operations/revoke';
import { rollbackSecret } from './operations/rollback';
import { rotateSecret } from './operations/rotate';
import { tagSecret, untagSecret } from './operations/tags';
import type {
  Clock,
  CreateSecretOptions,
  DeleteOptions,
  DeleteResult,
  GetJsonOptions,
  GetManyResult,
  GetOptions,
  ListOptions,
  PutOptions,
  RevokeOptions,
  RollbackOptions,
  RollbackResult,
  RotateOptions,
  RotateResult,
  SecretIdentity,
  SecretListItem,
  SecretRef,
  SecretSummary,
  SecretVersion,
  SecretsClientOptions,
  VersionsOptions,
} from './types';

const NO_OPTIONS: GetOptions = Object.freeze({});

/** getMany's entries in the shape the cache keeps. */
function toFetched(values: GetManyResult['values']): Map<string, FetchedSecret> {
  const fetched = new Map<string, FetchedSecret>();
  for (const [id, entry] of values) {
    fetched.set(id, {
      arn: entry.arn,
      name: entry.name,
      versionId: entry.versionId,
      text: entry.value,
      binary: entry.binary,
    });
  }
  return fetched;
}

const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
};

/**
 * The lifecycle of secrets in AWS Secrets Manager: create, read, version, roll back,
 * rotate, revoke, delete. Every argument is validated before any API call, and every
 * failure is a `KeystageError` with a stable `code`.
 *
 * The default clients follow the standard SDK environment (`AWS_REGION`, the credentials
 * chain, `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_SECRETS_MANAGER` / `_KMS`), so the same
 * code runs against AWS, LocalStack or keystage's local endpoint.
 *
 * @example
 * const secrets = new SecretsClient();
 * await secrets.create({ name: 'stripe', kind: 'api-key', environment: 'prod', service: 'billing' });
 * const key = await secrets.get('prod/billing/stripe');
 */
export class SecretsClient {
  readonly #ctx: ClientContext;

  constructor(options: SecretsClientOptions = {}) {
    if (options.secretsManager !== undefined && options.secretsManagerConfig !== undefined) {
      throw new ValidationError(
        'secretsManagerConfig',
        'Pass either secretsManager (a client) or secretsManagerConfig (its configuration), not both.',
      );
    }
    if (options.kms !== undefined && options.kmsConfig !== undefined) {
      throw new ValidationError(
        'kmsConfig',
        'Pass either kms (a client) or kmsConfig (its configuration), not both.',
      );
    }
    const ctx = {
      sm: options.secretsManager ?? new SecretsManagerClient(options.secretsManagerConfig ?? {}),
      kms: options.kms ?? new KMSClient(options.kmsConfig ?? {}),
      logger: options.logger ?? silentLogger,
      clock: options.clock ?? systemClock,
      audit: options.audit,
      auditFailClosed: options.auditFailClosed ?? false,
      principal: options.principal,
      cache: undefined as SecretCache | undefined,
    };
    // The cache reads through this client's own uncached reads, so revocation checks and
    // error mapping are the same with and without it.
    const source: SecretSource = {
      fetch: (id, selector) => fetchSecret(ctx, id, selector),
      fetchMany: async (ids) => {
        const { values, errors } = await getManySecrets(ctx, ids);
        return { values: toFetched(values), errors };
      },
    };
    if (options.cache !== false)
      ctx.cache = new SecretCache(source, {
        // Date.now itself when the clock is the system's: the cache reads it on every hit.
        now: ctx.clock === systemClock ? Date.now : () => ctx.clock.now(),
        ...options.cache,
      });
    this.#ctx = ctx;
  }

  /**
   * The read cache, for statistics, invalidation and EventBridge events (`cache.handleEvent`).
   * Undefined when the client was built with `cache: false`.
   */
  get cache(): SecretCache | undefined {
    return this.#ctx.cache;
  }

  /**
   * Warms the cache for many secrets with BatchGetSecretValue (20 per call), skipping those
   * already fresh. Returns the per-id errors.
   * @example
   * await secrets.prefetch(['prod/billing/db', 'prod/billing/stripe']);
   */
  async prefetch(ids: readonly string[]): Promise<ReadonlyMap<string, KeystageError>> {
    if (this.#ctx.cache === undefined) return (await getManySecrets(this.#ctx, ids)).errors;
    return this.#ctx.cache.prefetch(ids);
  }

  /**
   * Runs `fn` with a secret's string value; when `fn` fails with an authentication error
   * (the secret was rotated under us), re-reads the secret once (shared by concurrent
   * callers) and retries once. The default predicate knows pg and mysql2 errors.
   * @example
   * const rows = await secrets.withSecret('prod/app/db', async (json) => query(JSON.parse(json)));
   */
  withSecret<T>(
    id: string,
    fn: (value: string) => Promise<T>,
    options: { readonly isAuthError?: (error: unknown) => boolean; readonly versionStage?: string } = {},
  ): Promise<T> {
    const cache = this.#ctx.cache;
    if (cache === undefined) {
      return Promise.reject(
        new ValidationError(
          'cache',
          'withSecret needs the read cache; this client was built with cache: false.',
        ),
      );
    }
    return cache.withSecret(
      id,
      (secret) => {
        if (secret.text === undefined) {
          return Promise.reject(new ValidationError('id', `Secret ${JSON.stringify(id)} holds binary data.`));
        }
        return fn(secret.text);
      },
      options,
    );
  }

  /** Stops the cache's background refreshes. The SDK clients stay usable. */
  close(): void {
    this.#ctx.cache?.close();
  }

  /** The Secrets Manager client in use (for calls keystage does not wrap). */
  get secretsManager(): SecretsManagerClient {
    return this.#ctx.sm;
  }

  /** The KMS client in use. */
  get kms(): KMSClient {
    return this.#ctx.kms;
  }

  /**
   * Creates a secret, generating its value by `kind` when none is given.
   * The name becomes `{environment}/{service}/{name}` and keystage tags record all three.
   * @example
   * const ref = await secrets.create({
   *   name: 'db', kind: 'database', environment: 'prod', service: 'billing',
   *   database: { engine: 'postgres', host: 'db.internal', dbname: 'billing', username: 'billing_app' },
   * });
   */
  create(options: CreateSecretOptions): Promise<SecretRef> {
    return createSecret(this.#ctx, options);
  }

  /**
   * Reads a string secret (AWSCURRENT unless a stage or version is given).
   * A revoked secret fails with `SECRET_REVOKED`; a binary one with `DECODE_ERROR`.
   * @example
   * const previous = await secrets.get('prod/billing/stripe', { versionStage: 'AWSPREVIOUS' });
   */
  get(id: string, options: GetOptions = NO_OPTIONS): Promise<string> {
    // The hot path: a fresh cached string costs one lookup and no allocation.
    const hit =
      typeof options === 'object' && options !== null ? this.#ctx.cache?.peekText(id, options) : undefined;
    return hit ?? getSecretString(this.#ctx, id, options);
  }

  /**
   * Reads a JSON secret, optionally checked by a validator (a function or a zod-like schema).
   * Parse and validation failures are `SecretDecodeError`s whose messages carry no value.
   * @example
   * const db = await secrets.getJson<{ username: string; password: string }>('prod/billing/db');
   */
  getJson<T = unknown>(id: string, options: GetJsonOptions<T> = {}): Promise<T> {
    return getSecretJson(this.#ctx, id, options);
  }

  /**
   * Reads a binary secret (`SecretBinary`), such as a `symmetric-key`.
   * @example
   * const key = await secrets.getBinary('prod/billing/signing-key');
   */
  getBinary(id: string, options: GetOptions = {}): Promise<Uint8Array> {
    return getSecretBinary(this.#ctx, id, options);
  }

  /**
   * Reads many secrets with BatchGetSecretValue, 20 per call. Failures are reported per id
   * in `errors`; the call itself only throws for bad arguments.
   * @example
   * const { values, errors } = await secrets.getMany(['prod/billing/db', 'prod/billing/stripe']);
   */
  async getMany(ids: readonly string[]): Promise<GetManyResult> {
    const cache = this.#ctx.cache;
    const epoch = cache?.epoch();
    const result = await getManySecrets(this.#ctx, ids);
    // What was just read is AWSCURRENT: keep it, so a get() that follows is a hit.
    if (cache !== undefined && epoch !== undefined) cache.remember(toFetched(result.values), epoch);
    return result;
  }

  /**
   * Stores a new version and returns its VersionId. It becomes AWSCURRENT unless
   * `versionStages` says otherwise. The same `clientRequestToken` and value is a no-op.
   * @example
   * const versionId = await secrets.put('prod/billing/stripe', newKey, { clientRequestToken: randomUUID() });
   */
  put(id: string, value: string | Uint8Array | object, options: PutOptions = {}): Promise<string> {
    return putSecretValue(this.#ctx, id, value, options);
  }

  /**
   * Everything about a secret but its value: versions with stages and dates, rotation
   * state, replicas, tags and keystage status.
   * @example
   * const { rotation, versions } = await secrets.describe('prod/billing/db');
   */
  describe(id: string): Promise<SecretSummary> {
    return describeSecret(this.#ctx, id);
  }

  /**
   * Every secret matching the filters, across all pages.
   * @example
   * const names: string[] = [];
   * for await (const secret of secrets.list({ environment: 'prod', service: 'billing' })) names.push(secret.name);
   */
  list(options: ListOptions = {}): AsyncIterable<SecretListItem> {
    return listSecrets(this.#ctx, options);
  }

  /**
   * The secret's versions, newest first, with their stages.
   * @example
   * const versions = await secrets.versions('prod/billing/db', { includeDeprecated: true });
   */
  versions(id: string, options: VersionsOptions = {}): Promise<SecretVersion[]> {
    return listSecretVersions(this.#ctx, id, options);
  }

  /**
   * Moves AWSCURRENT back to AWSPREVIOUS (or to `toVersionId`). The move is a
   * compare-and-swap on the version that held AWSCURRENT: if another writer moved it
   * first, this fails with `CONFLICT` and changes nothing.
   * @example
   * const { fromVersionId, toVersionId } = await secrets.rollback('prod/billing/stripe');
   */
  rollback(id: string, options: RollbackOptions = {}): Promise<RollbackResult> {
    return rollbackSecret(this.#ctx, id, options);
  }

  /**
   * Starts a rotation with the secret's configured rotation function and, with
   * `waitForCompletion`, polls until the new version is AWSCURRENT or `timeoutMs` passes.
   * @example
   * await secrets.rotate('prod/billing/db', { waitForCompletion: true, timeoutMs: 120_000 });
   */
  rotate(id: string, options: RotateOptions = {}): Promise<RotateResult> {
    return rotateSecret(this.#ctx, id, options);
  }

  /**
   * Revokes a secret: a resource policy denies reads to every principal, the secret is
   * tagged `keystage:status=revoked`, rotation is suspended, and an audit event is written.
   * Reads through keystage then fail with `SECRET_REVOKED`. Safe to repeat.
   * @example
   * await secrets.revoke('prod/billing/stripe', { reason: 'key leaked in build log' });
   */
  revoke(id: string, options: RevokeOptions): Promise<SecretIdentity> {
    return revokeSecret(this.#ctx, id, options);
  }

  /**
   * Undoes `revoke`: removes the deny statement, marks the secret active and resumes
   * rotation if revocation suspended it. Safe to repeat.
   * @example
   * await secrets.restore('prod/billing/stripe');
   */
  restore(id: string): Promise<SecretIdentity> {
    return restoreSecret(this.#ctx, id);
  }

  /**
   * Schedules deletion after a recovery window (7..30 days, default 30), or deletes at
   * once with `force`.
   * @example
   * await secrets.delete('dev/billing/scratch', { recoveryWindowDays: 7 });
   */
  delete(id: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    return deleteSecret(this.#ctx, id, options);
  }

  /**
   * Cancels a scheduled deletion.
   * @example
   * await secrets.undelete('dev/billing/scratch');
   */
  undelete(id: string): Promise<SecretIdentity> {
    return undeleteSecret(this.#ctx, id);
  }

  /**
   * Adds or overwrites tags.
   * @example
   * await secrets.tag('prod/billing/db', { owner: 'team-billing' });
   */
  tag(id: string, tags: Readonly<Record<string, string>>): Promise<void> {
    return tagSecret(this.#ctx, id, tags);
  }

  /**
   * Removes tags by key.
   * @example
   * await secrets.untag('prod/billing/db', ['owner']);
   */
  untag(id: string, keys: readonly string[]): Promise<void> {
    return untagSecret(this.#ctx, id, keys);
  }

  /** Shows configuration only; a client never holds secret values. */
  [inspect.custom](): string {
    return 'SecretsClient {}';
  }

  toJSON(): Record<string, never> {
    return {};
  }
}
