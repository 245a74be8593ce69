import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inspect } from 'node:util';
import { SecretCache } from '../cache';
import type { KmsClient } from '../core';
import type { KeystageError } from '../errors';
import { silentLogger } from '../observability';
import { InProcessRateLimitStore } from '../policy/rate-limit-in-process';
import { serviceClients } from './aws-clients';
import { callStageSource } from './cache-source';
import type { Operation } from './operation';
import { checkOptions, type CallOptions, type Clock, type SecretsClientOptions } from './options';
import { create, type CreateSecretOptions, type SecretRef } from './operations/create';
import { readCertificateAuthority, resolveCertificateAuthority } from './operations/create-certificate';
import { deleteSecret, undelete, type DeleteOptions, type DeleteResult } from './operations/delete';
import { describe } from './operations/describe';
import { getMany, prefetch, type GetManyResult } from './operations/get-many';
import type { SecretIdentity } from './operations/identity';
import { list, type ListOptions } from './operations/list';
import { put, type PutOptions } from './operations/put';
import { get, getBinary, getJson, type GetJsonOptions, type GetOptions } from './operations/read';
import { restore, revoke, type RevokeOptions } from './operations/revoke';
import { rollback, type RollbackOptions, type RollbackResult } from './operations/rollback';
import { rotate, type RotateOptions, type RotateResult } from './operations/rotate';
import type { SecretListItem, SecretSummary, SecretVersion } from './operations/secret-summary';
import { tag, untag } from './operations/tags';
import { versions, type VersionsOptions } from './operations/versions';
import { withSecret, type WithSecretOptions } from './operations/with-secret';
import { SecretEnvelope } from './sealed-value';
import {
  CallStage,
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

/** Each client's pipeline, for operations defined outside this file (see `runOperation`). */
const pipelines = new WeakMap<SecretsClient, Pipeline>();

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

  constructor(options: SecretsClientOptions = {}) {
    const checked = checkOptions(options);
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
        authorizeStage(policy === undefined ? undefined : new PolicyAuthorizer(policy)),
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

  /** Stops the cache's background refreshes. The SDK clients stay usable. */
  close(): void {
    this.#cache?.close();
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
   * Creates a secret, generating its value by `kind` when none is given.
   * The name becomes `{environment}/{service}/{name}` and keystage tags record all three.
   * @example
   * const ref = await secrets.create({
   *   name: 'db', kind: 'database', environment: 'prod', service: 'billing',
   *   database: { engine: 'postgres', host: 'db.internal', dbname: 'billing', username: 'billing_app' },
   * });
   */
  async create(options: CreateSecretOptions): Promise<SecretRef> {
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
        [id, principal === undefined ? NO_OPTIONS : { principal }],
        options,
      ),
    );
    return this.#run(create, [{ ...options, certificate: resolved }], options);
  }

  /**
   * Reads a string secret (AWSCURRENT unless a stage or version is given).
   * A revoked secret fails with `SECRET_REVOKED`; a binary one with `DECODE_ERROR`.
   * @example
   * const previous = await secrets.get('prod/billing/stripe', { versionStage: 'AWSPREVIOUS' });
   */
  get(id: string, options: GetOptions = NO_OPTIONS): Promise<string> {
    // The hot path: a fresh cached string costs one lookup and no allocation.
    return this.#getHit?.(id, options) ?? this.#pipeline.run(get, [id, options], principalOf(options));
  }

  /**
   * Reads a JSON secret, optionally checked by a validator (a function or a zod-like schema).
   * Parse and validation failures are `SecretDecodeError`s whose messages carry no value.
   * @example
   * const db = await secrets.getJson<{ username: string; password: string }>('prod/billing/db');
   */
  getJson<T = unknown>(id: string, options: GetJsonOptions<T> = {}): Promise<T> {
    return this.#run(getJson, [id, options], options) as Promise<T>;
  }

  /**
   * Reads a binary secret (`SecretBinary`), such as a `symmetric-key`.
   * @example
   * const key = await secrets.getBinary('prod/billing/signing-key');
   */
  getBinary(id: string, options: GetOptions = {}): Promise<Uint8Array> {
    return this.#run(getBinary, [id, options], options);
  }

  /**
   * Reads many secrets with BatchGetSecretValue, 20 per call. Failures are reported per id
   * in `errors`; the call itself only throws for bad arguments. What it read stays in the
   * cache, so a `get` that follows makes no call.
   * @example
   * const { values, errors } = await secrets.getMany(['prod/billing/db', 'prod/billing/stripe']);
   */
  getMany(ids: readonly string[], options: CallOptions = {}): Promise<GetManyResult> {
    return this.#run(getMany, [ids, options], options);
  }

  /**
   * Warms the cache for many secrets with BatchGetSecretValue (20 per call), skipping those
   * already fresh. Returns the per-id errors.
   * @example
   * await secrets.prefetch(['prod/billing/db', 'prod/billing/stripe']);
   */
  prefetch(ids: readonly string[], options: CallOptions = {}): Promise<ReadonlyMap<string, KeystageError>> {
    return this.#run(prefetch, [ids, options], options);
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
    return this.#run(withSecret, [id, fn, options], options) as Promise<T>;
  }

  /**
   * Stores a new version and returns its VersionId. It becomes AWSCURRENT unless
   * `versionStages` says otherwise. The same `clientRequestToken` and value is a no-op.
   * @example
   * const versionId = await secrets.put('prod/billing/stripe', newKey, { clientRequestToken: randomUUID() });
   */
  async put(id: string, value: string | Uint8Array | object, options: PutOptions = {}): Promise<string> {
    return (await this.#run(put, [id, value, options], options)).versionId;
  }

  /**
   * Everything about a secret but its value: versions with stages and dates, rotation
   * state, replicas, tags and keystage status.
   * @example
   * const { rotation, versions } = await secrets.describe('prod/billing/db');
   */
  describe(id: string, options: CallOptions = {}): Promise<SecretSummary> {
    return this.#run(describe, [id, options], options);
  }

  /**
   * Every secret matching the filters, across all pages, fetched as you iterate. Bad
   * filters throw at once.
   * @example
   * const names: string[] = [];
   * for await (const secret of secrets.list({ environment: 'prod', service: 'billing' })) names.push(secret.name);
   */
  list(options: ListOptions = {}): AsyncIterable<SecretListItem> {
    return this.#pipeline.stream(list, [options], principalOf(options));
  }

  /**
   * The secret's versions, newest first, with their stages.
   * @example
   * const versions = await secrets.versions('prod/billing/db', { includeDeprecated: true });
   */
  versions(id: string, options: VersionsOptions = {}): Promise<SecretVersion[]> {
    return this.#run(versions, [id, options], options);
  }

  /**
   * Moves AWSCURRENT back to AWSPREVIOUS (or to `toVersionId`). The move is a
   * compare-and-swap on the version that held AWSCURRENT: if another writer moved it
   * first, this fails with `CONFLICT` and changes nothing.
   * @example
   * const { fromVersionId, toVersionId } = await secrets.rollback('prod/billing/stripe');
   */
  rollback(id: string, options: RollbackOptions = {}): Promise<RollbackResult> {
    return this.#run(rollback, [id, options], options);
  }

  /**
   * Starts a rotation with the secret's configured rotation function and, with
   * `waitForCompletion`, polls until the new version is AWSCURRENT or `timeoutMs` passes.
   * @example
   * await secrets.rotate('prod/billing/db', { waitForCompletion: true, timeoutMs: 120_000 });
   */
  rotate(id: string, options: RotateOptions = {}): Promise<RotateResult> {
    return this.#run(rotate, [id, options], options);
  }

  /**
   * Revokes a secret: a resource policy denies reads to every principal, the secret is
   * tagged `keystage:status=revoked`, rotation is suspended, and an audit event is written.
   * Reads through keystage then fail with `SECRET_REVOKED`. Safe to repeat.
   * @example
   * await secrets.revoke('prod/billing/stripe', { reason: 'key leaked in build log' });
   */
  revoke(id: string, options: RevokeOptions): Promise<SecretIdentity> {
    return this.#run(revoke, [id, options], options);
  }

  /**
   * Undoes `revoke`: removes the deny statement, marks the secret active and resumes
   * rotation if revocation suspended it. Safe to repeat.
   * @example
   * await secrets.restore('prod/billing/stripe');
   */
  restore(id: string, options: CallOptions = {}): Promise<SecretIdentity> {
    return this.#run(restore, [id, options], options);
  }

  /**
   * Schedules deletion after a recovery window (7..30 days, default 30), or deletes at
   * once with `force`.
   * @example
   * await secrets.delete('dev/billing/scratch', { recoveryWindowDays: 7 });
   */
  delete(id: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    return this.#run(deleteSecret, [id, options], options);
  }

  /**
   * Cancels a scheduled deletion.
   * @example
   * await secrets.undelete('dev/billing/scratch');
   */
  undelete(id: string, options: CallOptions = {}): Promise<SecretIdentity> {
    return this.#run(undelete, [id, options], options);
  }

  /**
   * Adds or overwrites tags.
   * @example
   * await secrets.tag('prod/billing/db', { owner: 'team-billing' });
   */
  tag(id: string, tags: Readonly<Record<string, string>>, options: CallOptions = {}): Promise<void> {
    return this.#run(tag, [id, tags, options], options);
  }

  /**
   * Removes tags by key.
   * @example
   * await secrets.untag('prod/billing/db', ['owner']);
   */
  untag(id: string, keys: readonly string[], options: CallOptions = {}): Promise<void> {
    return this.#run(untag, [id, keys, options], options);
  }

  /** Shows configuration only; a client never holds secret values. */
  [inspect.custom](): string {
    return 'SecretsClient {}';
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
