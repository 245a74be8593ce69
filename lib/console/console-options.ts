import type { AuditRecordSource } from '../audit/reports';
import { SecretsClient, type AccessEvaluator } from '../client';
import { checkPrincipal } from '../client/principal-check';
import { ValidationError, show } from '../errors';
import type { Logger } from '../observability';
import type { Principal } from '../policy';
import type { ConsoleClock } from './sessions';

export interface ConsoleOptions {
  /**
   * The client every screen works through, with its access policy, rate limits and audit
   * sink: each call passes the signed-in principal.
   */
  readonly client: SecretsClient;
  /** Who signs in with the login token: what the policy decides about and the audit trail records. */
  readonly principal: Principal;
  /**
   * The access policy the client applies (the same one), asked which environments, buttons
   * and values to show. The server still goes through the client, which refuses on its own.
   * @default - every button is shown; the client's policy (if any) refuses what is not allowed
   */
  readonly policy?: AccessEvaluator;
  /**
   * Where the audit screen, the reports, the usage charts and the health of failed
   * rotations read events back (for example `jsonLinesEvents({ path })` over the file the
   * client's `JsonLinesAuditSink` writes). Read afresh on each request.
   * @default - none: the audit screen says so and reports are empty
   */
  readonly auditEvents?: AuditRecordSource;
  /**
   * The address to listen on. Anything but loopback makes the console reachable from the
   * network: `warning` says so and the CLI prints it.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /** The TCP port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Time source of token expiry, idle timeout and rotation progress. @default Date.now */
  readonly clock?: ConsoleClock;
  /** How long a login token works (once). Limits: 1 s to 1 h. @default 300_000 (5 minutes) */
  readonly loginTokenTtlMs?: number;
  /** A session ends after this long without a request. Limits: 1 s to 24 h. @default 900_000 (15 minutes) */
  readonly sessionIdleMs?: number;
  /** How long a revealed value stays on screen. Limits: 1 s to 5 min. @default 30_000 */
  readonly revealHideMs?: number;
  /** Where requests are logged (method, path, status; never a query string or value). @default - silent */
  readonly logger?: Logger;
}

export interface CheckedConsoleOptions {
  readonly client: SecretsClient;
  readonly principal: Principal;
  readonly policy: AccessEvaluator | undefined;
  readonly auditEvents: AuditRecordSource | undefined;
  readonly host: string;
  readonly port: number;
  readonly clock: ConsoleClock;
  readonly loginTokenTtlMs: number;
  readonly sessionIdleMs: number;
  readonly revealHideMs: number;
  readonly logger: Logger | undefined;
}

function duration(value: unknown, field: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(
      field,
      `${field} ${show(value)} must be a whole number of milliseconds from ${min} to ${max}.`,
    );
  }
  return value;
}

const HOST = /^[A-Za-z0-9.:-]{1,253}$/;

/** The options checked, defaults applied. */
export function checkConsoleOptions(options: ConsoleOptions): CheckedConsoleOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', `startConsole options must be an object, got ${show(options)}.`);
  }
  if (!(options.client instanceof SecretsClient)) {
    throw new ValidationError(
      'client',
      'client must be a SecretsClient: new SecretsClient({ policy, audit }).',
    );
  }
  checkPrincipal(options.principal);
  if (options.policy !== undefined && typeof options.policy?.evaluate !== 'function') {
    throw new ValidationError('policy', 'policy must be an AccessPolicy (an object with evaluate(request)).');
  }
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || !HOST.test(host)) {
    throw new ValidationError('host', `host ${show(host)} must be an IP address or a host name.`);
  }
  const port = options.port ?? 0;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ValidationError('port', `port ${show(port)} must be a whole number from 0 to 65535.`);
  }
  return {
    client: options.client,
    principal: options.principal,
    policy: options.policy,
    auditEvents: options.auditEvents,
    host,
    port,
    clock: options.clock ?? { now: Date.now },
    loginTokenTtlMs: duration(options.loginTokenTtlMs, 'loginTokenTtlMs', 300_000, 1_000, 3_600_000),
    sessionIdleMs: duration(options.sessionIdleMs, 'sessionIdleMs', 900_000, 1_000, 86_400_000),
    revealHideMs: duration(options.revealHideMs, 'revealHideMs', 30_000, 1_000, 300_000),
    logger: options.logger,
  };
}
