import type { SecretsManagerClient, SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
// The event types alone: the audit barrel also holds sinks that name an optional SDK.
import type { AuditSink } from '../audit/audit-event';
import type { SecretCacheOptions } from '../cache';
import {
  DEFAULT_TIMEOUTS,
  validateDurationMs,
  type ClientTimeouts,
  type KmsClient,
  type KmsClientConfig,
} from '../core';
import { ValidationError, show } from '../errors';
import type { Logger } from '../observability';
import type { RateLimitStore } from '../policy/rate-limit-store';
import type { AccessEvaluator, Principal } from './access';
import { checkPrincipal } from './principal-check';
import type { SecretEnvelopeOptions } from './sealed-value';
import type { SsmClient, SsmClientConfig } from './ssm-source';

/** The clock keystage reads; injectable so tests need no sleeps. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface SecretsClientOptions {
  /**
   * A ready Secrets Manager client (shared connection pool, custom middleware, a mock).
   * It is used as it is: keystage's `timeouts` do not apply to it.
   * @default - a new client from `secretsManagerConfig`, with `timeouts`
   */
  readonly secretsManager?: SecretsManagerClient;
  /**
   * Configuration for the default Secrets Manager client. Not allowed together with `secretsManager`.
   * @default - the standard SDK environment: AWS_REGION, credentials chain, AWS_ENDPOINT_URL(_SECRETS_MANAGER)
   */
  readonly secretsManagerConfig?: SecretsManagerClientConfig;
  /**
   * A ready KMS client, used for data keys. It is used as it is: `timeouts` do not apply to it.
   * @default - a new client from `kmsConfig`, with `timeouts`, created on first use
   */
  readonly kms?: KmsClient;
  /**
   * Configuration for the default KMS client. Not allowed together with `kms`.
   * @default - the standard SDK environment, including AWS_ENDPOINT_URL(_KMS)
   */
  readonly kmsConfig?: KmsClientConfig;
  /**
   * A ready SSM client (an `SSMClient` of `@aws-sdk/client-ssm`), which `ssm:` ids are read
   * through. It is used as it is: `timeouts` do not apply to it.
   * @default - a new client from `ssmConfig`, with `timeouts`, created on the first read of an `ssm:` id
   */
  readonly ssm?: SsmClient;
  /**
   * Configuration for the default SSM client. Not allowed together with `ssm`.
   * @default - the standard SDK environment, including AWS_ENDPOINT_URL(_SSM)
   */
  readonly ssmConfig?: SsmClientConfig;
  /**
   * Connection and request timeouts of the clients keystage creates (not of clients passed
   * in). Not allowed together with a `requestHandler` in their configuration, nor when every
   * client (Secrets Manager, KMS and SSM) is passed in.
   * @default - DEFAULT_TIMEOUTS: 3 s to connect, 5 s per attempt
   */
  readonly timeouts?: ClientTimeouts;
  /**
   * Where keystage logs. Never receives a secret value.
   * @default - silent
   */
  readonly logger?: Logger;
  /**
   * Where every operation is recorded: reads (cache hits included), listings, changes,
   * denials and rate limits, one event each, in the product's log format.
   * @default - no audit trail
   */
  readonly audit?: AuditSink;
  /**
   * When true, a value is returned only after its event is accepted by the sink, and a sink
   * failure fails the call with AUDIT_UNAVAILABLE (for a change: after the change was made).
   * @default false - fail-open: a slow or failing sink never delays or fails a call; dropped events are counted in the sink's stats()
   */
  readonly auditFailClosed?: boolean;
  /**
   * Whether reads and listings that go ahead are recorded, cache hits included. With false,
   * only changes and refusals (denials, rate limits) are, and a cache hit stays as fast as
   * with no audit trail.
   * @default true
   */
  readonly auditReads?: boolean;
  /**
   * Who is calling: what the access policy decides about and the audit trail records. A
   * call may pass its own (`{ principal }` in its options), which replaces this one for
   * that call: servers acting for many callers do so.
   * @default - none: with a `policy`, calls that pass no principal are denied
   */
  readonly principal?: Principal;
  /**
   * The access policy every call is checked against before any rate limit, cache or
   * service call (an `AccessPolicy`, or anything with its pure `evaluate`). Default deny:
   * a call no rule allows is refused with `PermissionDeniedError`, cache hits included.
   * @default - no access control: every call goes ahead (IAM still applies)
   */
  readonly policy?: AccessEvaluator;
  /**
   * Where the policy's `maxRequestsPerHour` limits are counted, per principal id and rule.
   * The default keeps counts in this process, so limits are per process; pass a store
   * shared by the fleet (e.g. over Redis) to make them global. Needs `policy`.
   * @default - a new InProcessRateLimitStore when a policy is given
   */
  readonly rateLimitStore?: RateLimitStore;
  /**
   * The read cache. Values are cached by VersionId; labels expire after `ttlMs`. Writes
   * through this client invalidate what they change; `false` reads from the service every time.
   * @default - a cache with the SecretCacheOptions defaults (5-minute TTL, 1000 secrets)
   */
  readonly cache?: SecretCacheOptions | false;
  /**
   * Time source and sleep used for polling.
   * @default - Date.now and setTimeout
   */
  readonly clock?: Clock;
  /**
   * Client-side envelope encryption for `encrypted-json` secrets (the AWS Encryption SDK,
   * an optional peer: `npm install @aws-crypto/client-node`): the KMS key ARN, an optional
   * data-key cache, and whether reads keep the decrypted value (`cacheDecrypted`).
   * @default - none: creating, writing or reading an `encrypted-json` secret fails with CONFIGURATION_ERROR
   */
  readonly envelope?: SecretEnvelopeOptions;
  /**
   * The environment bare secret names belong to: with `environment: 'prod'` and
   * `service: 'billing'`, `get('stripe_key')` reads `prod/billing/stripe_key`, `create`
   * places a bare name there, and `list` and `getAll` filter by it. A full name (with `/`)
   * or an ARN is always taken as given. With only an environment, bare names resolve to
   * `{environment}/{name}`, the name `create` gives such a secret. Checked like `create`'s
   * environment. `null` sets none, whatever KEYSTAGE_ENVIRONMENT says.
   * @default - the KEYSTAGE_ENVIRONMENT environment variable, else none
   */
  readonly environment?: string | null;
  /**
   * The service bare secret names belong to (see `environment`). `null` sets none,
   * whatever KEYSTAGE_SERVICE says.
   * @default - the KEYSTAGE_SERVICE environment variable, else none
   */
  readonly service?: string | null;
}

/** Every option SecretsClient knows; anything else is a mistake worth reporting. */
const KNOWN_OPTIONS: ReadonlySet<string> = new Set<keyof SecretsClientOptions>([
  'secretsManager',
  'secretsManagerConfig',
  'kms',
  'kmsConfig',
  'timeouts',
  'logger',
  'audit',
  'auditFailClosed',
  'auditReads',
  'principal',
  'policy',
  'rateLimitStore',
  'cache',
  'clock',
  'envelope',
  'environment',
  'service',
  'ssm',
  'ssmConfig',
]);

/** SDK client settings people pass to SecretsClient itself by mistake. */
const SDK_SETTINGS: ReadonlySet<string> = new Set([
  'endpoint',
  'region',
  'credentials',
  'maxAttempts',
  'retryMode',
  'requestHandler',
  'profile',
]);

function checkTimeouts(value: unknown): Required<ClientTimeouts> {
  if (value === undefined) return DEFAULT_TIMEOUTS;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('timeouts', `timeouts must be { connectMs?, requestMs? }, got ${show(value)}.`);
  }
  const unknown = Object.keys(value).find((key) => key !== 'connectMs' && key !== 'requestMs');
  if (unknown !== undefined) {
    throw new ValidationError(
      `timeouts.${unknown}`,
      `timeouts.${unknown} is not a timeout: use connectMs and requestMs (milliseconds).`,
    );
  }
  const { connectMs, requestMs } = value as ClientTimeouts;
  return {
    connectMs:
      connectMs === undefined
        ? DEFAULT_TIMEOUTS.connectMs
        : validateDurationMs(connectMs, 'timeouts.connectMs'),
    requestMs:
      requestMs === undefined
        ? DEFAULT_TIMEOUTS.requestMs
        : validateDurationMs(requestMs, 'timeouts.requestMs'),
  };
}

/** SecretsClientOptions, checked, with the timeouts resolved. */
export interface CheckedOptions extends SecretsClientOptions {
  readonly resolvedTimeouts: Required<ClientTimeouts>;
}

/**
 * Checks the options before anything is built: every key must be known (a misplaced SDK
 * setting such as `endpoint` would otherwise be ignored without a word), clients and their
 * configuration are exclusive, and timeouts only configure clients keystage creates.
 */
export function checkOptions(options: unknown): CheckedOptions {
  if (options === undefined) return { resolvedTimeouts: DEFAULT_TIMEOUTS };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError('options', `SecretsClient options must be an object, got ${show(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (KNOWN_OPTIONS.has(key)) continue;
    const hint = SDK_SETTINGS.has(key)
      ? ` SDK client settings go in the client configuration: new SecretsClient({ secretsManagerConfig: { ${key} }, kmsConfig: { ${key} }, ssmConfig: { ${key} } }).`
      : '';
    throw new ValidationError(
      key,
      `${show(key)} is not a SecretsClient option.${hint} Known options: ${[...KNOWN_OPTIONS].join(', ')}.`,
    );
  }
  const given = options as SecretsClientOptions;
  if (given.secretsManager !== undefined && given.secretsManagerConfig !== undefined) {
    throw new ValidationError(
      'secretsManagerConfig',
      'Pass either secretsManager (a client) or secretsManagerConfig (its configuration), not both.',
    );
  }
  if (given.kms !== undefined && given.kmsConfig !== undefined) {
    throw new ValidationError(
      'kmsConfig',
      'Pass either kms (a client) or kmsConfig (its configuration), not both.',
    );
  }
  if (given.ssm !== undefined && given.ssmConfig !== undefined) {
    throw new ValidationError(
      'ssmConfig',
      'Pass either ssm (a client) or ssmConfig (its configuration), not both.',
    );
  }
  if (given.principal !== undefined) checkPrincipal(given.principal);
  for (const field of ['auditFailClosed', 'auditReads'] as const) {
    const value: unknown = given[field];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new ValidationError(field, `${field} must be true or false, got ${show(value)}.`);
    }
  }
  if (given.audit !== undefined && typeof (given.audit as { record?: unknown }).record !== 'function') {
    throw new ValidationError('audit', 'audit must be an audit sink: an object with a record(event) method.');
  }
  checkGovernance(given);
  const resolvedTimeouts = checkTimeouts(given.timeouts);
  if (given.timeouts !== undefined) {
    if (given.secretsManager !== undefined && given.kms !== undefined && given.ssm !== undefined) {
      throw new ValidationError(
        'timeouts',
        'timeouts configures the clients keystage creates, and every client was passed in: ' +
          'set the timeouts in their own requestHandler instead.',
      );
    }
    for (const [field, config] of [
      ['secretsManagerConfig', given.secretsManagerConfig],
      ['kmsConfig', given.kmsConfig],
      ['ssmConfig', given.ssmConfig],
    ] as const) {
      if (config?.requestHandler !== undefined) {
        throw new ValidationError(
          'timeouts',
          `Pass either timeouts or ${field}.requestHandler, not both: the request handler is what carries the timeouts.`,
        );
      }
    }
  }
  return { ...given, resolvedTimeouts };
}

function checkGovernance(given: SecretsClientOptions): void {
  const { policy, rateLimitStore } = given;
  if (
    policy !== undefined &&
    (typeof policy !== 'object' || policy === null || typeof policy.evaluate !== 'function')
  ) {
    throw new ValidationError(
      'policy',
      `policy must be an AccessPolicy (an object with evaluate(request)), got ${show(policy)}.`,
    );
  }
  if (rateLimitStore === undefined) return;
  if (
    typeof rateLimitStore !== 'object' ||
    rateLimitStore === null ||
    typeof rateLimitStore.take !== 'function'
  ) {
    throw new ValidationError(
      'rateLimitStore',
      `rateLimitStore must be a RateLimitStore (an object with take(key, limit, windowMs, now)), got ${show(rateLimitStore)}.`,
    );
  }
  if (policy === undefined) {
    throw new ValidationError(
      'rateLimitStore',
      "rateLimitStore counts the access policy's maxRequestsPerHour limits, and no policy was given: pass policy too.",
    );
  }
}

/**
 * What every SecretsClient method takes in its options, whatever else it takes: the
 * principal the call is made for.
 */
export interface CallOptions {
  /**
   * The caller this call is made for, replacing the client's `principal` for this call
   * (a server acting for many callers passes each request's). Checked like the client's.
   * @default - the client's principal
   */
  readonly principal?: Principal;
}

/**
 * Checks the options of a method that takes nothing but the call options: an object
 * with `principal` and nothing else (a misspelt key would otherwise be ignored).
 */
export function checkCallOptions(options: unknown, method: string): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError(
      'options',
      `${method} options must be an object such as { principal }, got ${show(options)}.`,
    );
  }
  for (const key in options) {
    if (key !== 'principal') {
      throw new ValidationError(key, `${show(key)} is not an option of ${method}: it takes { principal }.`);
    }
  }
}
