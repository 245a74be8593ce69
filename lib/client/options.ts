import type { KMSClient, KMSClientConfig } from '@aws-sdk/client-kms';
import type { SecretsManagerClient, SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import type { AuditSink } from '../audit';
import type { SecretCacheOptions } from '../cache';
import { validateDurationMs } from '../core';
import { ValidationError, show } from '../errors';
import type { Logger } from '../observability';

/** The clock keystage reads; injectable so tests need no sleeps. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/**
 * Timeouts of the SDK clients keystage creates. They bound one attempt; the SDK retries a
 * timed-out attempt (3 attempts in all by default, `maxAttempts` in the client
 * configuration), so a call that keeps timing out ends after about
 * `maxAttempts × (connectMs + requestMs)` plus the retry backoff.
 */
export interface ClientTimeouts {
  /**
   * How long opening a connection (TCP and TLS) may take. A regional endpoint answers in
   * milliseconds; the default leaves room for one lost SYN (retransmitted after 1 s).
   * @default 3000
   */
  readonly connectMs?: number;
  /**
   * How long one attempt may take from sending the request to the end of the answer, and
   * how long its connection may sit idle. Secrets Manager and KMS answer in tens of
   * milliseconds, so this only ends attempts against a service or network that has stopped
   * answering. Without it the SDK waits up to 5 minutes (or, in older versions, forever).
   * @default 5000
   */
  readonly requestMs?: number;
}

/** The timeouts keystage's own clients use unless told otherwise. */
export const DEFAULT_TIMEOUTS: Readonly<Required<ClientTimeouts>> = Object.freeze({
  connectMs: 3_000,
  requestMs: 5_000,
});

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
  readonly kms?: KMSClient;
  /**
   * Configuration for the default KMS client. Not allowed together with `kms`.
   * @default - the standard SDK environment, including AWS_ENDPOINT_URL(_KMS)
   */
  readonly kmsConfig?: KMSClientConfig;
  /**
   * Connection and request timeouts of the clients keystage creates (not of clients passed
   * in). Not allowed together with a `requestHandler` in their configuration, nor when both
   * clients are passed in.
   * @default - DEFAULT_TIMEOUTS: 3 s to connect, 5 s per attempt
   */
  readonly timeouts?: ClientTimeouts;
  /**
   * Where keystage logs. Never receives a secret value.
   * @default - silent
   */
  readonly logger?: Logger;
  /**
   * Where lifecycle actions are recorded.
   * @default - no audit trail
   */
  readonly audit?: AuditSink;
  /**
   * When true, an action whose audit record cannot be written fails (after the AWS call).
   * @default false - audit failures are logged and the action succeeds
   */
  readonly auditFailClosed?: boolean;
  /**
   * The principal recorded in audit events (e.g. the service name or the caller's role).
   * @default - none recorded
   */
  readonly principal?: string;
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
  'principal',
  'cache',
  'clock',
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
      ? ` SDK client settings go in the client configuration: new SecretsClient({ secretsManagerConfig: { ${key} }, kmsConfig: { ${key} } }).`
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
  const resolvedTimeouts = checkTimeouts(given.timeouts);
  if (given.timeouts !== undefined) {
    if (given.secretsManager !== undefined && given.kms !== undefined) {
      throw new ValidationError(
        'timeouts',
        'timeouts configures the clients keystage creates, and both clients were passed in: ' +
          'set the timeouts in their own requestHandler instead.',
      );
    }
    for (const [field, config] of [
      ['secretsManagerConfig', given.secretsManagerConfig],
      ['kmsConfig', given.kmsConfig],
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
