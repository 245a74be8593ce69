import type { AuditAction, AuditEvent } from '../audit/audit-event';
import type { FetchedSecret, SecretCache } from '../cache';
import type { KeystageError } from '../errors';
import type { AccessDecision, Principal } from './access';
import type { CallContext } from './pipeline/call';

/**
 * What an operation does, in the terms an access policy speaks: `read` a value, `list`
 * what exists (names, metadata, versions), change a secret (`create`, `update`, `rotate`,
 * `delete`, `revoke`) or its bookkeeping (`manage`: tags).
 */
export type OperationKind = 'read' | 'list' | 'create' | 'update' | 'rotate' | 'delete' | 'revoke' | 'manage';

/** The SecretsClient method an operation implements. */
export type OperationName =
  | 'create'
  | 'get'
  | 'getJson'
  | 'getBinary'
  | 'getMany'
  | 'getAll'
  | 'getByPath'
  | 'listParameters'
  | 'prefetch'
  | 'withSecret'
  | 'put'
  | 'describe'
  | 'describeParameter'
  | 'list'
  | 'environments'
  | 'versions'
  | 'rollback'
  | 'rotate'
  | 'revoke'
  | 'restore'
  | 'delete'
  | 'undelete'
  | 'tag'
  | 'untag'
  | 'restoreBackup'
  | 'diff'
  | 'exists'
  | 'test';

/** The fields of an audit event an operation chooses from its result; never a value. */
export interface AuditOutcome {
  /** The secret as the event should name it. @default - the result's ARN, else the id asked for */
  readonly secret?: string;
  /** @default - none */
  readonly environment?: string;
  /** @default - none */
  readonly reason?: string;
  /** @default - none */
  readonly details?: AuditEvent['details'];
}

/** How an operation appears in the audit trail. */
export interface AuditUse<I, R> {
  readonly action: AuditAction;
  /** The event's fields after a success. @default - no fields beyond the secret */
  describe?(input: I, result: R): AuditOutcome;
}

/** How an operation uses the read cache. Operations that change a secret invalidate it without saying so. */
export interface CacheUse<A extends readonly unknown[], I, R> {
  /**
   * Answers the operation from the cache instead of the call stage. A miss still reaches
   * the call stage: the cache reads through it (its `SecretSource` is the call stage).
   */
  serve?(cache: SecretCache, input: I, invocation: Invocation): Promise<R>;
  /**
   * A fresh hit's answer, synchronously where decoding is (a promise where it is not), with
   * `cacheHit` and the version marked on the invocation; undefined when the cache cannot
   * answer at once. The cache stage asks it first, and calls `serve` only when it answered
   * undefined, so `serve` need not look for a fresh hit again.
   */
  hit?(cache: SecretCache, input: I, invocation: Invocation): R | Promise<R> | undefined;
  /**
   * The synchronous hit path over `cache`: from the caller's raw arguments, a fresh hit's
   * answer, or undefined. It may take raw arguments because a hit implies they are valid:
   * the cache holds nothing a failed validation asked for.
   */
  hitPath?(cache: SecretCache): (...args: A) => Promise<R> | undefined;
  /** What of the call's answer the cache keeps (batch reads fill it). */
  keep?(result: R): ReadonlyMap<string, FetchedSecret>;
}

/**
 * How the access stages see an operation about many secrets named up front (getMany,
 * prefetch): each id is authorized and counted on its own, and an id refused is a per-id
 * error in the answer rather than a failure of the whole call.
 */
export interface BatchUse<I, R> {
  /** The ids asked for. */
  ids(input: I): readonly string[];
  /** The input with only `ids` (those that may go ahead) left in it. */
  only(input: I, ids: readonly string[]): I;
  /** The answer with the refused ids reported among its per-id errors. */
  refuse(result: R, refused: ReadonlyMap<string, KeystageError>): R;
}

/**
 * How the access stages see an operation whose secrets are only known from the answer
 * (list): each item is authorized by name and those refused are left out.
 */
export interface ListingUse<R> {
  /** The answer without the items whose names `keep` refuses. */
  filter(result: R, keep: (name: string) => boolean): R;
}

/**
 * One operation of SecretsClient as data: what it is called, what kind of access it is,
 * how its arguments are checked, which secret it is about, the work it does against the
 * service, and how the cache and the audit trail see it. The pipeline runs every
 * operation through the same stages; an operation never calls a stage itself.
 *
 * Members are methods (not function-valued properties) so that any operation is assignable
 * to {@link AnyOperation}.
 */
export interface Operation<A extends readonly unknown[], I, R> {
  readonly name: OperationName;
  readonly kind: OperationKind;
  /** Checks the arguments, before any I/O, and returns what the other stages work with. */
  validate(...args: A): I;
  /** The secret the call is about, as the caller named it; undefined for calls about many. */
  secretId(input: I): string | undefined;
  /**
   * The work against the service: SDK calls through `context`, errors mapped there.
   * `invocation` is there to note what stages record (the version read), nothing more.
   */
  call(input: I, context: CallContext, invocation: Invocation): Promise<R>;
  /** @default - the cache is not involved (or, for a change, only invalidated) */
  readonly cache?: CacheUse<A, I, R>;
  /** @default - not audited */
  readonly audit?: AuditUse<I, R>;
  /** @default - the call is about the one secret `secretId` names */
  readonly batch?: BatchUse<I, R>;
  /** @default - the call is about the one secret `secretId` names */
  readonly listing?: ListingUse<R>;
}

/** Any operation, as the stages see it. */
export type AnyOperation = Operation<readonly unknown[], unknown, unknown>;

/**
 * One call going through the pipeline (middy's `request`): the operation, the caller's
 * arguments, and what the stages learn on the way.
 */
export interface Invocation {
  readonly operation: AnyOperation;
  readonly args: readonly unknown[];
  /**
   * The arguments as `validate` returned them; set by the validate stage. For a batch, the
   * authorize and rate-limit stages leave only the ids that may go ahead in it.
   */
  input: unknown;
  /** The principal passed with the call, unchecked; the validate stage checks it into `principal`. */
  readonly callPrincipal: unknown;
  /** Who is calling: the call's principal, else the client's; undefined when neither was given. */
  principal: Principal | undefined;
  /** One id per call (a random UUID), set by the audit stage when it records the call. */
  requestId: string | undefined;
  /** The access policy's decision, set by the authorize stage (for a batch, see `decisions`). */
  decision: AccessDecision | undefined;
  /** For a batch: the decision on each id asked for. */
  decisions: ReadonlyMap<string, AccessDecision> | undefined;
  /** For a batch: the ids refused by authorize or rate-limit and why, kept out of `input`. */
  refused: Map<string, KeystageError> | undefined;
  /** Set when the cache answered without the service, for stages that record it. */
  cacheHit: boolean;
  /** The version a single-secret read answered with (from the cache or the service), for the audit trail. */
  versionId: string | undefined;
}

/** True for operations that change a secret, which therefore invalidate it in the cache. */
export function changesSecret(operation: AnyOperation): boolean {
  return operation.kind !== 'read' && operation.kind !== 'list';
}
