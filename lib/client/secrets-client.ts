import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inspect } from 'node:util';
import { SecretCache } from '../cache';
import type { KmsClient } from '../core';
import type { KeystageError } from '../errors';
import { silentLogger } from '../observability';
import { InProcessRateLimitStore } from '../policy/rate-limit-in-process';
import { serviceClients } from './aws-clients';
import { callStageSource } from './cache-source';
import type { AccessDecision, Principal } from './access';
import type { AnyOperation, Operation } from './operation';
import { checkOptions, type CallOptions, type Clock, type SecretsClientOptions } from './options';
import { create, type CreateSecretOptions, type SecretRef } from './operations/create';
import { readCertificateAuthority, resolveCertificateAuthority } from './operations/create-certificate';
import { deleteSecret, undelete, type DeleteOptions, type DeleteResult } from './operations/delete';
import { test, type SecretTestResult, type TestOptions } from './operations/check';
import { describe } from './operations/describe';
import { describeParameter, type ParameterSummary } from './operations/ssm-describe';
import { environmentNames, environments } from './operations/environments';
import { diff, type DiffOptions, type VersionDiff } from './operations/diff';
import { exists, type ExistsOptions } from './operations/exists';
import { getAll, getAllListing, type GetAllOptions } from './operations/get-all';
import { getMany, prefetch, type GetManyResult } from './operations/get-many';
import type { SecretIdentity } from './operations/identity';
import { list, type ListOptions } from './operations/list';
import { put, type PutOptions } from './operations/put';
import { get, getBinary, getJson, type GetJsonOptions, type GetOptions } from './operations/read';
import { restore, revoke, type RevokeOptions } from './operations/revoke';
import { rollback, type RollbackOptions, type RollbackResult } from './operations/rollback';
import { rotate, type RotateOptions, type RotateResult } from './operations/rotate';
import type { SecretListItem, SecretSummary, SecretVersion } from './operations/secret-summary';
import {
  getByPath,
  listParameters,
  pathListing,
  type GetByPathOptions,
  type GetByPathResult,
} from './operations/ssm-path';
import { tag, untag } from './operations/tags';
import { versions, type VersionsOptions } from './operations/versions';
import { withSecret, type WithSecretOptions } from './operations/with-secret';
import { checkPrincipal } from './principal-check';
import { ClientScope, requireFilters, type SecretScope } from './scope';
import { SecretEnvelope } from './sealed-value';
import type { SsmClient } from './ssm-source';
import {
  CallStage,
  NO_PRINCIPAL,
  Pipeline,
  PolicyAuthorizer,
  PolicyRateLimiter,
  auditStage,
  authorizeStage,
  cacheStage,
  rateLimitStage,
  validateStage,
  type ServiceClients,
} from './pipeline';

const NO_OPTIONS: GetOptions = Object.freeze({});

/**
 * Clients `withEnvironment` is making, by the token it passes to the constructor: the client
 * whose clients, cache and pipeline they share, and their own scope.
 */
const derivations = new WeakMap<object, { readonly from: SecretsClient; readonly scope: ClientScope }>();

/** A batch's answer keyed by the ids the caller passed, where the scope resolved some of them. */
function keyedAsAsked<V>(
  asked: readonly string[],
  resolved: readonly string[],
  byId: ReadonlyMap<string, V>,
  rekey: (value: V, id: string) => V = (value) => value,
): Map<string, V> {
  const keyed = new Map<string, V>();
  asked.forEach((id, i) => {
    const value = byId.get(resolved[i]!);
    if (value !== undefined) keyed.set(id, rekey(value, id));
  });
  return keyed;
}

/** Each client's pipeline, for operations defined outside this file (see `runOperation`). */
const pipelines = new WeakMap<SecretsClient, Pipeline>();

/** Each pipeline's access policy and principal, for decisions made without a call (see `accessDecision`). */
const accessChecks = new WeakMap<
  Pipeline,
  { readonly authorizer: PolicyAuthorizer | undefined; readonly principal: Principal | undefined }
>();

/** The principal a call passed, if its options are an object (validation reports the rest). */
function principalOf(options: unknown): unknown {
  return typeof options === 'object' && options !== null ? (options as CallOptions).principal : undefined;
}

const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
};

/**
 * The lifecycle of secrets in AWS Secrets Manager: create, read, version, roll back,
 * rotate, revoke, delete. Every method is one operation through one pipeline: its
 * arguments are checked before any I/O (validate), then authorize, rate-limit, cache, the
 * call to the service and the audit trail; every failure is a `KeystageError` with a
 * stable `code`.
 *
 * The default clients follow the standard SDK environment (`AWS_REGION`, the credentials
 * chain, `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_SECRETS_MANAGER` / `_KMS`), so the same
 * code runs against AWS, LocalStack or keystage's local endpoint, and they time out (3 s
 * to connect, 5 s per attempt; see `timeouts`) instead of waiting on a backend that has
 * stopped answering. The KMS client is created on first use.
 *
 * @example
 * const secrets = new SecretsClient();
 * await secrets.create({ name: 'stripe', kind: 'api-key', environment: 'prod', service: 'billing' });
 * const key = await secrets.get('prod/billing/stripe');
 */
export class SecretsClient {
  readonly #clients: ServiceClients;
  readonly #cache: SecretCache | undefined;
  readonly #pipeline: Pipeline;
  /** `get`'s synchronous cache hit, present while no stage needs to see hits. */
  readonly #getHit: ((id: string, options: GetOptions) => Promise<string> | undefined) | undefined;
  /** How bare names resolve (see scope.ts). */
  readonly #scope: ClientScope;

  constructor(options: SecretsClientOptions = {}) {
    const derived = derivations.get(options);
    if (derived !== undefined) {
      // withEnvironment: everything shared but the scope.
      derivations.delete(options);
      const { from, scope } = derived;
      this.#clients = from.#clients;
      this.#cache = from.#cache;
      this.#pipeline = from.#pipeline;
      this.#getHit = from.#getHit;
      this.#scope = scope;
      pipelines.set(this, this.#pipeline);
      return;
    }
    const checked = checkOptions(options);
    this.#scope = ClientScope.from(checked, process.env);
    const clock = checked.clock ?? systemClock;
    const logger = checked.logger ?? silentLogger;
    this.#clients = serviceClients({ ...checked, timeouts: checked.resolvedTimeouts });
    const clients = this.#clients;
    const envelope =
      checked.envelope === undefined ? undefined : new SecretEnvelope(checked.envelope, () => clients.kms);
    const call = new CallStage(clients, logger, clock, envelope);
    if (checked.cache !== false) {
      this.#cache = new SecretCache(callStageSource(call), {
        // Date.now itself when the clock is the system's: the cache reads it on every hit.
        now: clock === systemClock ? Date.now : () => clock.now(),
        ...checked.cache,
      });
    }
    const { policy } = checked;
    const authorizer = policy === undefined ? undefined : new PolicyAuthorizer(policy);
    this.#pipeline = new Pipeline(
      [
        validateStage,
        auditStage({
          sink: checked.audit,
          failClosed: checked.auditFailClosed ?? false,
          reads: checked.auditReads ?? true,
          clock,
          logger,
        }),
        authorizeStage(authorizer),
        rateLimitStage(
          policy === undefined
            ? undefined
            : new PolicyRateLimiter(checked.rateLimitStore ?? new InProcessRateLimitStore(), clock),
        ),
        cacheStage(this.#cache),
      ],
      call,
      checked.principal,
    );
    this.#getHit = this.#pipeline.hitPath(get);
    pipelines.set(this, this.#pipeline);
    accessChecks.set(this.#pipeline, { authorizer, principal: checked.principal });
  }

  /**
   * The read cache, for statistics, invalidation and EventBridge events (`cache.handleEvent`).
   * Undefined when the client was built with `cache: false`.
   */
  get cache(): SecretCache | undefined {
    return this.#cache;
  }

  /** The Secrets Manager client in use (for calls keystage does not wrap). */
  get secretsManager(): SecretsManagerClient {
    return this.#clients.secretsManager;
  }

  /**
   * The KMS client in use; the default one is created on first use. Typed as keystage's
   * `KmsClient` (the KMS SDK is an optional peer): to call KMS with typed answers, keep the
   * `KMSClient` you passed as `kms`.
   */
  get kms(): KmsClient {
    return this.#clients.kms;
  }

  /**
   * The SSM client `ssm:` ids are read through; the default one is created on first use.
   * Typed as keystage's `SsmClient` (the SSM SDK is an optional peer): to call SSM with typed
   * answers, keep the `SSMClient` you passed as `ssm`.
   */
  get ssm(): SsmClient {
    return this.#clients.ssm!;
  }

  /**
   * Stops the cache's background refreshes. The SDK clients stay usable. Clients made with
   * `withEnvironment` share the cache: closing any of them stops it for all.
   */
  close(): void {
    this.#cache?.close();
  }

  /**
   * The environment and service bare names resolve in: from the options, else
   * KEYSTAGE_ENVIRONMENT and KEYSTAGE_SERVICE; empty for an unscoped client.
   * @example
   * const { environment } = secrets.scope;
   */
  get scope(): SecretScope {
    return this.#scope.toScope();
  }

  /**
   * The id a call with `id` names: a bare name (no `/`, not an ARN) in the client's scope,
   * anything else as given. Every method that takes an id resolves it this way.
   * @example
   * new SecretsClient({ environment: 'prod', service: 'billing' }).resolveId('stripe_key'); // 'prod/billing/stripe_key'
   */
  resolveId(id: string): string {
    return this.#scope.resolve(id);
  }

  /**
   * A client for the same service in another environment. It shares this client's SDK
   * clients, options, principal, access policy, rate-limit store, audit sink and read cache
   * (names differ between environments, so entries never mix); only bare names resolve
   * differently. `environment` is checked like the client option.
   * @example
   * const staging = secrets.withEnvironment('staging');
   * await staging.get('stripe_key'); // staging/billing/stripe_key
   */
  withEnvironment(environment: string): SecretsClient {
    const token = {};
    derivations.set(token, { from: this, scope: this.#scope.withEnvironment(environment) });
    return new SecretsClient(token);
  }

  /** The ids of a batch with the scope applied; the same array when none is bare. */
  #ids(ids: readonly string[]): readonly string[] {
    if (!this.#scope.scoped || !Array.isArray(ids)) return ids;
    const resolved = ids.map((id) => this.#scope.resolve(id));
    return resolved.every((id, i) => id === ids[i]) ? ids : resolved;
  }

  /** One call through the pipeline, for the principal in `options` if there is one. */
  #run<A extends readonly unknown[], I, R>(
    operation: Operation<A, I, R>,
    args: A,
    options: unknown,
  ): Promise<R> {
    return this.#pipeline.run(operation, args, principalOf(options));
  }

  /**
   * Creates a secret, generating its value by `kind` when none is given, and checking a
   * given value against the kind's shape. The name becomes `{environment}/{service}/{name}`
   * and keystage tags record all three; for a bare name the client's scope supplies the
   * environment and service the call leaves out.
   * @example
   * const ref = await secrets.create({
   *   name: 'db', kind: 'database', environment: 'prod', service: 'billing',
   *   database: { engine: 'postgres', host: 'db.internal', dbname: 'billing', username: 'billing_app' },
   * });
   */
  async create(given: CreateSecretOptions): Promise<SecretRef> {
    // A bare name takes the client's environment and service where the call gives none.
    const parts = typeof given === 'object' && given !== null ? this.#scope.createParts(given) : {};
    const options = Object.keys(parts).length === 0 ? given : ({ ...given, ...parts } as CreateSecretOptions);
    const certificate =
      options?.kind === 'certificate' && options.value === undefined ? options.certificate : undefined;
    if (typeof certificate?.ca !== 'string') return this.#run(create, [options], options);
    // A leaf issued by a CA secret: every option is checked first, then the CA is read as a
    // get through this client's pipeline, so the access policy and the audit trail see that
    // read too; its answer carries the ARN the leaf stores as caarn.
    create.validate(options);
    const principal = (options as CallOptions).principal;
    const resolved = await resolveCertificateAuthority(certificate, (id) =>
      this.#run(
        readCertificateAuthority,
        [this.#scope.resolve(id), principal === undefined ? NO_OPTIONS : { principal }],
        options,
      ),
    );
    return this.#run(create, [{ ...options, certificate: resolved }], options);
  }

  /**
   * Reads a string secret (AWSCURRENT unless a stage or version is given).
   * A revoked secret fails with `SECRET_REVOKED`; a binary one with `DECODE_ERROR`.
   * An id `ssm:<name>` reads an SSM parameter instead (a SecureString decrypted), through the
   * same cache: `versionId: '3'` reads its version 3, `versionStage: 'label'` the version with
   * that label; `ssm:/aws/reference/secretsmanager/<secret>` reads a secret through Parameter Store.
   * @example
   * const previous = await secrets.get('prod/billing/stripe', { versionStage: 'AWSPREVIOUS' });
   * const url = await secrets.get('ssm:/prod/billing/db_url');
   */
  get(id: string, options: GetOptions = NO_OPTIONS): Promise<string> {
    // The hot path: a fresh cached string costs one lookup and no allocation (a full name is
    // taken as given, a bare one resolved once and then remembered).
    const secretId = this.#scope.resolve(id);
    return (
      this.#getHit?.(secretId, options) ?? this.#pipeline.run(get, [secretId, options], principalOf(options))
    );
  }

  /**
   * Reads a JSON secret, optionally checked by a validator (a function or a zod-like schema).
   * Parse and validation failures are `SecretDecodeError`s whose messages carry no value.
   * @example
   * const db = await secrets.getJson<{ username: string; password: string }>('prod/billing/db');
   */
  getJson<T = unknown>(id: string, options: GetJsonOptions<T> = {}): Promise<T> {
    return this.#run(getJson, [this.#scope.resolve(id), options], options) as Promise<T>;
  }

  /**
   * Reads a binary secret (`SecretBinary`), such as a `symmetric-key`.
   * @example
   * const key = await secrets.getBinary('prod/billing/signing-key');
   */
  getBinary(id: string, options: GetOptions = {}): Promise<Uint8Array> {
    return this.#run(getBinary, [this.#scope.resolve(id), options], options);
  }

  /**
   * Reads many secrets with BatchGetSecretValue, 20 per call. Failures are reported per id
   * in `errors`; the call itself only throws for bad arguments. What it read stays in the
   * cache, so a `get` that follows makes no call.
   * @example
   * const { values, errors } = await secrets.getMany(['prod/billing/db', 'prod/billing/stripe']);
   */
  async getMany(ids: readonly string[], options: CallOptions = {}): Promise<GetManyResult> {
    const resolved = this.#ids(ids);
    const result = await this.#run(getMany, [resolved, options], options);
    if (resolved === ids) return result;
    return {
      values: keyedAsAsked(ids, resolved, result.values, (entry, id) => ({ ...entry, id })),
      errors: keyedAsAsked(ids, resolved, result.errors),
    };
  }

  /**
   * Reads every secret of the scope: those `list` finds with the same filters (the client's
   * environment and service unless given, `scoped: false` to leave them out), then their
   * values by name with BatchGetSecretValue, 20 per call. Values and per-secret errors are
   * keyed by full name, as `getMany` reports them, and stay in the cache. The access policy
   * decides each name for `list` (names it refuses are left out) and each value for `read`
   * (refused: an error, and the value is never fetched). An unscoped call with no filter is
   * refused; `scoped: false` reads every secret of the account and region.
   * @example
   * const { values, errors } = await secrets.getAll(); // every secret of prod/billing
   * const stripe = values.get('prod/billing/stripe_key')?.value;
   */
  async getAll(options: GetAllOptions = {}): Promise<GetManyResult> {
    const listing = getAllListing(options);
    const filters = this.#scope.listFilters(listing);
    requireFilters(filters, listing.scoped, 'getAll');
    const principal = principalOf(options);
    const names: string[] = [];
    for await (const item of this.#pipeline.stream(list, [filters], principal)) names.push(item.name);
    return this.#run(
      getAll,
      [names, principal === undefined ? {} : { principal: principal as Principal }],
      options,
    );
  }

  /**
   * Reads the SSM parameters under a path (`/prod/billing`, one level unless `recursive`),
   * SecureStrings decrypted, keyed by `ssm:` id. First their names, with GetParametersByPath
   * (a listing: the access policy's `list` decides which ids the caller may learn), then their
   * values, 10 per GetParameters (each id authorized and counted as a read, as `getAll` reads
   * secrets: a refused id is an error and its value is never decrypted). What it read stays in
   * the cache, so a `get('ssm:...')` that follows makes no call. Paths are absolute: the
   * client's scope does not apply. `/aws/reference/secretsmanager/` is not a path Parameter
   * Store lists: read such a secret with `get('ssm:/aws/reference/secretsmanager/<name>')`.
   * @example
   * const { values, errors } = await secrets.getByPath('/prod/billing', { recursive: true });
   * const url = values.get('ssm:/prod/billing/db_url')?.value;
   */
  async getByPath(path: string, options: GetByPathOptions = {}): Promise<GetByPathResult> {
    const listing = pathListing(path, options);
    const principal = principalOf(options);
    const ids: string[] = [];
    for await (const item of this.#pipeline.stream(listParameters, [listing], principal)) ids.push(item.id);
    return this.#run(
      getByPath,
      [ids, principal === undefined ? {} : { principal: principal as Principal }],
      options,
    );
  }

  /**
   * The environments that exist: the values of the `keystage:environment` tags, across every
   * page of ListSecrets, sorted and each once. A listing for the access policy: an
   * environment shows when the caller may list one of its secrets.
   * @example
   * const names = await secrets.environments(); // ['dev', 'prod', 'staging']
   */
  async environments(options: CallOptions = {}): Promise<string[]> {
    return environmentNames(await this.#run(environments, [options], options));
  }

  /**
   * Warms the cache for many secrets with BatchGetSecretValue (20 per call), skipping those
   * already fresh. Returns the per-id errors.
   * @example
   * await secrets.prefetch(['prod/billing/db', 'prod/billing/stripe']);
   */
  async prefetch(
    ids: readonly string[],
    options: CallOptions = {},
  ): Promise<ReadonlyMap<string, KeystageError>> {
    const resolved = this.#ids(ids);
    const errors = await this.#run(prefetch, [resolved, options], options);
    return resolved === ids ? errors : keyedAsAsked(ids, resolved, errors);
  }

  /**
   * Runs `fn` with a secret's string value; when `fn` fails with an authentication error
   * (the secret was rotated under us), re-reads the secret once (shared by concurrent
   * callers) and retries once. The default predicate knows pg and mysql2 errors. Needs the
   * read cache.
   * @example
   * const rows = await secrets.withSecret('prod/app/db', async (json) => query(JSON.parse(json)));
   */
  withSecret<T>(id: string, fn: (value: string) => Promise<T>, options: WithSecretOptions = {}): Promise<T> {
    return this.#run(withSecret, [this.#scope.resolve(id), fn, options], options) as Promise<T>;
  }

  /**
   * Stores a new version and returns its VersionId. It becomes AWSCURRENT unless
   * `versionStages` says otherwise. The same `clientRequestToken` and value is a no-op. A
   * value of the wrong shape for the secret's kind (its `keystage:type` tag) is refused with
   * VALIDATION_ERROR naming the field, and nothing is written.
   * @example
   * const versionId = await secrets.put('prod/billing/stripe', newKey, { clientRequestToken: randomUUID() });
   */
  async put(id: string, value: string | Uint8Array | object, options: PutOptions = {}): Promise<string> {
    return (await this.#run(put, [this.#scope.resolve(id), value, options], options)).versionId;
  }

  /**
   * Everything about a secret but its value: versions with stages and dates, rotation
   * state, replicas, tags and keystage status.
   * @example
   * const { rotation, versions } = await secrets.describe('prod/billing/db');
   */
  describe(id: string, options: CallOptions = {}): Promise<SecretSummary> {
    return this.#run(describe, [this.#scope.resolve(id), options], options);
  }

  /**
   * Everything about an SSM parameter but its value (DescribeParameters): its ARN, type,
   * latest version number and KMS key. What a workload is given a reference to; a listing for
   * the access policy, as `describe` is. Ids are absolute: the client's scope does not apply.
   * @example
   * const { arn, type } = await secrets.describeParameter('ssm:/prod/billing/db_password');
   */
  describeParameter(id: string, options: CallOptions = {}): Promise<ParameterSummary> {
    return this.#run(describeParameter, [id, options], options);
  }

  /**
   * Whether the secret exists, from its metadata (DescribeSecret); the value is never read.
   * Only "not found" is false: a refusal or any other failure throws. A secret scheduled for
   * deletion is false unless `includeScheduledForDeletion`.
   * @example
   * if (!(await secrets.exists('prod/billing/stripe'))) await secrets.create({ name: 'stripe', kind: 'api-key', environment: 'prod', service: 'billing' });
   */
  exists(id: string, options: ExistsOptions = {}): Promise<boolean> {
    return this.#run(exists, [this.#scope.resolve(id), options], options);
  }

  /**
   * Every secret matching the filters, across all pages, fetched as you iterate. The
   * client's scope fills `environment` and `service` unless given (or `scoped: false`). Bad
   * filters throw at once.
   * @example
   * const names: string[] = [];
   * for await (const secret of secrets.list({ environment: 'prod', service: 'billing' })) names.push(secret.name);
   */
  list(options: ListOptions = {}): AsyncIterable<SecretListItem> {
    return this.#pipeline.stream(list, [this.#scope.listFilters(options)], principalOf(options));
  }

  /**
   * The secret's versions, newest first, with their stages.
   * @example
   * const versions = await secrets.versions('prod/billing/db', { includeDeprecated: true });
   */
  versions(id: string, options: VersionsOptions = {}): Promise<SecretVersion[]> {
    return this.#run(versions, [this.#scope.resolve(id), options], options);
  }

  /**
   * What changed between two versions, each named by a VersionId or a staging label (a
   * VersionId of the secret is taken first): for JSON objects the keys added, removed and
   * changed as dotted paths; for strings and bytes whether they differ and both lengths.
   * Never a value. Values are compared by digest in constant time. A read of both versions.
   * @example
   * const { changed, keys } = await secrets.diff('prod/billing/db', 'AWSPREVIOUS', 'AWSCURRENT');
   */
  diff(id: string, fromVersion: string, toVersion: string, options: DiffOptions = {}): Promise<VersionDiff> {
    return this.#run(diff, [this.#scope.resolve(id), fromVersion, toVersion, options], options);
  }

  /**
   * Moves AWSCURRENT back to AWSPREVIOUS (or to `toVersionId`). The move is a
   * compare-and-swap on the version that held AWSCURRENT: if another writer moved it
   * first, this fails with `CONFLICT` and changes nothing.
   * @example
   * const { fromVersionId, toVersionId } = await secrets.rollback('prod/billing/stripe');
   */
  rollback(id: string, options: RollbackOptions = {}): Promise<RollbackResult> {
    return this.#run(rollback, [this.#scope.resolve(id), options], options);
  }

  /**
   * Starts a rotation with the secret's configured rotation function and, with
   * `waitForCompletion`, polls until the new version is AWSCURRENT or `timeoutMs` passes.
   * @example
   * await secrets.rotate('prod/billing/db', { waitForCompletion: true, timeoutMs: 120_000 });
   */
  rotate(id: string, options: RotateOptions = {}): Promise<RotateResult> {
    return this.#run(rotate, [this.#scope.resolve(id), options], options);
  }

  /**
   * Checks that a secret's value works, by its kind (`keystage:type`, or `kind`): a database
   * credential logs in, a certificate's chain, validity and key match, an API key's checksum,
   * a data key unwraps with KMS, an encrypted-json value decrypts, others have their shape.
   * Returns each check with its reason (never a value); a refusal to read throws.
   * @example
   * const { ok, checks } = await secrets.test('prod/billing/db');
   */
  test(id: string, options: TestOptions = {}): Promise<SecretTestResult> {
    return this.#run(test, [this.#scope.resolve(id), options], options);
  }

  /**
   * Revokes a secret: a resource policy denies reads to every principal, the secret is
   * tagged `keystage:status=revoked`, rotation is suspended, and an audit event is written.
   * Reads through keystage then fail with `SECRET_REVOKED`. Safe to repeat.
   * @example
   * await secrets.revoke('prod/billing/stripe', { reason: 'key leaked in build log' });
   */
  revoke(id: string, options: RevokeOptions): Promise<SecretIdentity> {
    return this.#run(revoke, [this.#scope.resolve(id), options], options);
  }

  /**
   * Undoes `revoke`: removes the deny statement, marks the secret active and resumes
   * rotation if revocation suspended it. Safe to repeat.
   * @example
   * await secrets.restore('prod/billing/stripe');
   */
  restore(id: string, options: CallOptions = {}): Promise<SecretIdentity> {
    return this.#run(restore, [this.#scope.resolve(id), options], options);
  }

  /**
   * Schedules deletion after a recovery window (7..30 days, default 30), or deletes at
   * once with `force`.
   * @example
   * await secrets.delete('dev/billing/scratch', { recoveryWindowDays: 7 });
   */
  delete(id: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    return this.#run(deleteSecret, [this.#scope.resolve(id), options], options);
  }

  /**
   * Cancels a scheduled deletion.
   * @example
   * await secrets.undelete('dev/billing/scratch');
   */
  undelete(id: string, options: CallOptions = {}): Promise<SecretIdentity> {
    return this.#run(undelete, [this.#scope.resolve(id), options], options);
  }

  /**
   * Adds or overwrites tags.
   * @example
   * await secrets.tag('prod/billing/db', { owner: 'team-billing' });
   */
  tag(id: string, tags: Readonly<Record<string, string>>, options: CallOptions = {}): Promise<void> {
    return this.#run(tag, [this.#scope.resolve(id), tags, options], options);
  }

  /**
   * Removes tags by key.
   * @example
   * await secrets.untag('prod/billing/db', ['owner']);
   */
  untag(id: string, keys: readonly string[], options: CallOptions = {}): Promise<void> {
    return this.#run(untag, [this.#scope.resolve(id), keys, options], options);
  }

  /** Shows configuration only; a client never holds secret values. */
  [inspect.custom](): string {
    return this.#scope.scoped ? `SecretsClient ${inspect(this.#scope.toScope())}` : 'SecretsClient {}';
  }

  toJSON(): Record<string, never> {
    return {};
  }
}

function pipelineOf(client: SecretsClient): Pipeline {
  const pipeline = pipelines.get(client);
  if (pipeline === undefined) throw new TypeError('expected a SecretsClient');
  return pipeline;
}

/**
 * Runs an operation defined outside SecretsClient (transfer, organise) through `client`'s
 * pipeline, so its access policy, rate limits, cache invalidation and audit trail apply
 * exactly as to the client's own methods. Internal: not exported from the package root.
 */
export function runOperation<A extends readonly unknown[], I, R>(
  client: SecretsClient,
  operation: Operation<A, I, R>,
  args: A,
  options?: unknown,
): Promise<R> {
  return pipelineOf(client).run(operation, args, principalOf(options));
}

/** `runOperation` for an operation whose answer is a stream (see `Pipeline.stream`). */
export function streamOperation<A extends readonly unknown[], I, T>(
  client: SecretsClient,
  operation: Operation<A, I, AsyncIterable<T>>,
  args: A,
  options?: unknown,
): AsyncIterable<T> {
  return pipelineOf(client).stream(operation, args, principalOf(options));
}

/**
 * What `client`'s access policy decides about `operation` of the secret `name`, without
 * making the call: no audit event, no rate-limit count, no I/O. For bulk jobs (transfer)
 * that check every write they plan before making the first. The principal is the one in
 * `options`, else the client's. Undefined when the client has no access policy. Internal:
 * not exported from the package root.
 */
export function accessDecision<A extends readonly unknown[], I, R>(
  client: SecretsClient,
  operation: Operation<A, I, R>,
  name: string,
  options?: unknown,
): AccessDecision | undefined {
  const check = accessChecks.get(pipelineOf(client));
  if (check?.authorizer === undefined) return undefined;
  const given = principalOf(options);
  const principal = given === undefined ? check.principal : checkPrincipal(given);
  if (principal === undefined) return NO_PRINCIPAL;
  return check.authorizer.decide(principal, operation as unknown as AnyOperation, name);
}
