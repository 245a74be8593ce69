import { SecretsClient } from '../../client';
import { checkPrincipal } from '../../client/principal-check';
import { validateDurationMs, validateInteger } from '../../core';
import { ValidationError, show } from '../../errors';
import { silentLogger, type Logger } from '../../observability';
import type { Principal } from '../../policy/principal';
import { RotationWatcher } from '../watcher';
import { DEFAULT_TOKEN_HEADERS, DEFAULT_TOKEN_VARIABLES } from './ssrf-token';

/** The addresses the agent may listen on: loopback only. */
export type AgentHost = '127.0.0.1' | '::1';

export interface SecretsAgentOptions {
  /** Every read goes through it: its access policy, rate limits, cache and audit trail apply. */
  readonly client: SecretsClient;
  /**
   * The port to listen on; 0 picks a free one (see `SecretsAgent.port`).
   * @default 2773 (the Secrets Manager Agent's and the Lambda extension's)
   */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: AgentHost;
  /**
   * The SSRF token requests must carry, or `file:///path` to read it from a file.
   * @default - the first of `tokenVariables` set in `env`
   */
  readonly token?: string;
  /**
   * Environment variables that hold the token (or a `file://` reference to it), first set wins.
   * @default ['AWS_TOKEN', 'AWS_SESSION_TOKEN', 'AWS_CONTAINER_AUTHORIZATION_TOKEN'] (the Agent's)
   */
  readonly tokenVariables?: readonly string[];
  /**
   * Request headers that may carry the token; a request passes when any of them holds it.
   * @default ['X-Aws-Parameters-Secrets-Token', 'X-Vault-Token'] (the Agent's)
   */
  readonly tokenHeaders?: readonly string[];
  /** Where `tokenVariables` are read. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Open connections served at once (1..1000); a request on a connection beyond it is
   * answered 429. `/ping` has two more. @default 800 (the Agent's)
   */
  readonly maxConnections?: number;
  /**
   * How long what DescribeSecret said about a secret (its versions' stages) is used before it
   * is asked again, when the watcher has not reported a change first. @default 300_000 (the Agent's TTL)
   */
  readonly ttlMs?: number;
  /** How many secrets the agent keeps described and watched (1..10000). @default 1000 (the Agent's cache size) */
  readonly maxSecrets?: number;
  /** The prefix of path-style requests, `/v1/<secret id>`; starts and ends with `/`. @default '/v1/' */
  readonly pathPrefix?: string;
  /**
   * The watcher that reports rotations, so a rotated secret is described again at once
   * instead of after `ttlMs`. Share one per process; `false` for TTL only, as the Agent does.
   * @default - a RotationWatcher of the agent's own (default interval), closed with it
   */
  readonly watcher?: RotationWatcher | false;
  /**
   * Who reads: the workload the agent serves, for the access policy and the audit trail.
   * Each request's source address and User-Agent are added to it.
   * @default - the client's principal (then the audit trail has no source address)
   */
  readonly principal?: Principal;
  /** Refused requests and failures are logged here, never a value or token. @default - silent */
  readonly logger?: Logger;
  /** What the TTL is measured with. @default Date.now */
  readonly now?: () => number;
}

/** The options, checked, with their defaults. */
export interface AgentSettings {
  readonly client: SecretsClient;
  readonly port: number;
  readonly host: AgentHost;
  readonly token: string | undefined;
  readonly tokenVariables: readonly string[];
  /** Lower-cased, as Node presents request headers. */
  readonly tokenHeaders: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly maxConnections: number;
  readonly ttlMs: number;
  readonly maxSecrets: number;
  readonly pathPrefix: string;
  readonly watcher: RotationWatcher | false | undefined;
  readonly principal: Principal | undefined;
  readonly logger: Logger;
  readonly now: () => number;
}

const KNOWN: ReadonlySet<string> = new Set<keyof SecretsAgentOptions>([
  'client',
  'port',
  'host',
  'token',
  'tokenVariables',
  'tokenHeaders',
  'env',
  'maxConnections',
  'ttlMs',
  'maxSecrets',
  'pathPrefix',
  'watcher',
  'principal',
  'logger',
  'now',
]);

/** RFC 9110 token characters, which header names are made of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function names(
  value: unknown,
  field: string,
  fallback: readonly string[],
  pattern: RegExp,
  what: string,
): string[] {
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value) || value.length === 0) {
    throw new ValidationError(field, `${field} must be a non-empty array of ${what}, got ${show(value)}.`);
  }
  return value.map((name: unknown, i) => {
    if (typeof name !== 'string' || !pattern.test(name)) {
      throw new ValidationError(
        `${field}[${i}]`,
        `${field}[${i}] must be ${what.replace(/s$/, '')}, got ${show(name)}.`,
      );
    }
    return name;
  });
}

function pathPrefixOf(value: unknown): string {
  if (value === undefined) return '/v1/';
  if (typeof value !== 'string' || !/^\/([A-Za-z0-9._~-]+\/)*$/.test(value) || value === '/') {
    throw new ValidationError(
      'pathPrefix',
      `pathPrefix must be a path that starts and ends with "/", such as "/v1/", got ${show(value)}.`,
    );
  }
  if (value === '/secretsmanager/' || value === '/ping/') {
    throw new ValidationError('pathPrefix', `pathPrefix ${show(value)} would hide the agent's own paths.`);
  }
  return value;
}

/** Checks every option before anything is read or bound. */
export function checkAgentOptions(options: unknown): AgentSettings {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError('options', 'startSecretsAgent needs { client } (a SecretsClient).');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) {
      throw new ValidationError(
        key,
        `${show(key)} is not a secrets agent option. Known options: ${[...KNOWN].join(', ')}.`,
      );
    }
  }
  const given = options as SecretsAgentOptions;
  if (!(given.client instanceof SecretsClient)) {
    throw new ValidationError('client', 'client must be a SecretsClient: the agent reads through it.');
  }
  const host = given.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1') {
    throw new ValidationError(
      'host',
      `host must be a loopback address, '127.0.0.1' or '::1', got ${show(host)}: the agent serves the workload beside it only.`,
    );
  }
  if (given.token !== undefined && typeof given.token !== 'string') {
    throw new ValidationError('token', `token must be a string (or file:///path), got ${show(given.token)}.`);
  }
  if (given.env !== undefined && (typeof given.env !== 'object' || given.env === null)) {
    throw new ValidationError(
      'env',
      `env must be an object of environment variables, got ${show(given.env)}.`,
    );
  }
  const watcher = given.watcher;
  if (watcher !== undefined && watcher !== false && !(watcher instanceof RotationWatcher)) {
    throw new ValidationError(
      'watcher',
      'watcher must be a RotationWatcher (shared by the process), false for TTL only, or left out.',
    );
  }
  if (given.now !== undefined && typeof given.now !== 'function') {
    throw new ValidationError(
      'now',
      `now must be a function returning epoch milliseconds, got ${show(given.now)}.`,
    );
  }
  return {
    client: given.client,
    port: given.port === undefined ? 2773 : validateInteger(given.port, 'port', 0, 65535),
    host,
    token: given.token,
    tokenVariables: names(
      given.tokenVariables,
      'tokenVariables',
      DEFAULT_TOKEN_VARIABLES,
      VARIABLE_NAME,
      'environment variable names',
    ),
    tokenHeaders: names(
      given.tokenHeaders,
      'tokenHeaders',
      DEFAULT_TOKEN_HEADERS,
      HEADER_NAME,
      'header names',
    ).map((name) => name.toLowerCase()),
    env: given.env ?? process.env,
    maxConnections:
      given.maxConnections === undefined
        ? 800
        : validateInteger(given.maxConnections, 'maxConnections', 1, 1000),
    ttlMs: given.ttlMs === undefined ? 300_000 : validateDurationMs(given.ttlMs, 'ttlMs'),
    maxSecrets:
      given.maxSecrets === undefined ? 1000 : validateInteger(given.maxSecrets, 'maxSecrets', 1, 10_000),
    pathPrefix: pathPrefixOf(given.pathPrefix),
    watcher,
    principal: given.principal === undefined ? undefined : checkPrincipal(given.principal),
    logger: given.logger ?? silentLogger,
    now: given.now ?? Date.now,
  };
}
