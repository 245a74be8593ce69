import { KeystageError, type KeystageErrorOptions } from '../lib/errors';

/** The four steps Secrets Manager calls a rotation function with, in order. */
export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
export const ROTATION_STEPS: readonly RotationStep[] = [
  'createSecret',
  'setSecret',
  'testSecret',
  'finishSecret',
];

/**
 * Why a step failed, for alarms and runbooks. Stable strings, like error codes.
 * - `INVALID_EVENT`: the event is not a rotation event (missing field, unknown Step).
 * - `ROTATION_DISABLED`, `TOKEN_NOT_FOUND`, `TOKEN_NOT_PENDING`: the pre-check refused.
 * - `INVALID_SECRET`: a stored value is not what the strategy needs (not JSON, missing field).
 * - `IDENTITY_MISMATCH`: pending and current name different users or hosts.
 * - `DATABASE_UNREACHABLE`: no connection within the connect timeout (or TLS refused).
 * - `DATABASE_LOGIN_FAILED`: no stored credential logs in.
 * - `DATABASE_ERROR`: a statement failed.
 * - `TEST_FAILED`: the pending value did not pass testSecret.
 * - `STAGE_CONFLICT`: AWSCURRENT moved under finishSecret (a lost compare-and-swap).
 * - `SECRETS_MANAGER_ERROR`: a Secrets Manager call failed.
 * - `UNEXPECTED_ERROR`: anything else (a bug, or a custom hook's own error).
 */
export type RotationFailureReason =
  | 'INVALID_EVENT'
  | 'ROTATION_DISABLED'
  | 'TOKEN_NOT_FOUND'
  | 'TOKEN_NOT_PENDING'
  | 'INVALID_SECRET'
  | 'IDENTITY_MISMATCH'
  | 'DATABASE_UNREACHABLE'
  | 'DATABASE_LOGIN_FAILED'
  | 'DATABASE_ERROR'
  | 'TEST_FAILED'
  | 'STAGE_CONFLICT'
  | 'SECRETS_MANAGER_ERROR'
  | 'UNEXPECTED_ERROR';

// Driver and SDK codes are SQLSTATEs (22P02) or identifiers (ER_PARSE_ERROR, ECONNREFUSED,
// ERR_TLS_CERT_ALTNAME_INVALID, ThrottlingException); anything else is not kept.
const CODE = /^(?:[0-9A-Z]{5}|[A-Z][A-Za-z0-9_]{1,79})$/;
const NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,79}$/;
const SQLSTATE = /^[0-9A-Z]{5}$/;
// PostgreSQL sends the severity in the server's language (ERROR, FEHLER, ERREUR...).
const SEVERITY = /^\p{Lu}{1,20}$/u;
const ROUTINE = /^[A-Za-z0-9_]{1,80}$/;
const REQUEST_ID = /^[A-Za-z0-9-]{1,128}$/;

const factOf = (value: unknown, rule: RegExp): string | undefined =>
  typeof value === 'string' && rule.test(value) ? value : undefined;

/**
 * What a rotation error keeps of a driver's (or any other foreign) error: the facts that never
 * quote a value. A mysql2 error carries the statement (`sql`: ALTER USER's password literal)
 * and the server's `sqlMessage`, which can quote it; a pg error carries `detail` ("Failing row
 * contains ..."), `where`, `hint`, `internalQuery`; either's `message` and `stack` can quote
 * a value, and so can bound parameters. None of those are kept: only the error's name,
 * `code`, `errno`, `sqlState`, `severity`, `routine`, and an AWS error's request id and HTTP
 * status, each only when it has the form such a fact has. The stack keeps the original's
 * frames under a first line made of those facts.
 * @example
 * if (error instanceof RotationStepError && error.cause instanceof ErrorFacts) {
 *   alarm({ reason: error.reason, errno: error.cause.errno, sqlState: error.cause.sqlState });
 * }
 */
export class ErrorFacts extends Error {
  override readonly name = 'ErrorFacts';
  /** The original error's name, e.g. `DatabaseError`, `Error`, `ThrottlingException`. */
  readonly errorName: string;
  declare readonly code?: string;
  declare readonly errno?: number;
  declare readonly sqlState?: string;
  declare readonly severity?: string;
  declare readonly routine?: string;
  declare readonly requestId?: string;
  declare readonly httpStatusCode?: number;

  constructor(error: unknown) {
    const source = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
    const metadata = (
      typeof source.$metadata === 'object' && source.$metadata !== null ? source.$metadata : {}
    ) as Record<string, unknown>;
    // pg names its errors 'error' (the protocol message), so the class says more there; a
    // minified bundle renames classes, so a specific `name` comes first.
    const named = factOf(source.name, NAME);
    const errorName =
      (named !== undefined && named.toLowerCase() !== 'error' ? named : undefined) ??
      factOf(error instanceof Error ? error.constructor.name : undefined, NAME) ??
      named ??
      (error instanceof Error ? 'Error' : typeof error);
    const facts: Record<string, string | number> = {};
    const keep = (key: string, value: string | number | undefined) => {
      if (value !== undefined) facts[key] = value;
    };
    keep('code', factOf(source.code, CODE));
    keep('errno', Number.isInteger(source.errno) ? (source.errno as number) : undefined);
    keep('sqlState', factOf(source.sqlState, SQLSTATE));
    keep('severity', factOf(source.severity, SEVERITY));
    keep('routine', factOf(source.routine, ROUTINE));
    keep('requestId', factOf(metadata.requestId, REQUEST_ID));
    keep(
      'httpStatusCode',
      Number.isInteger(metadata.httpStatusCode) ? (metadata.httpStatusCode as number) : undefined,
    );
    const described = Object.entries(facts).map(([key, value]) => `${key} ${value}`);
    super(
      `${errorName}${described.length === 0 ? '' : ` (${described.join(', ')})`}; message and payload not kept`,
    );
    this.errorName = errorName;
    Object.assign(this, facts);
    // The original frames say where it failed; its first lines (the message) may quote a value.
    const framesOf = (stack: unknown) =>
      typeof stack === 'string' ? stack.split('\n').filter((line) => /^\s+at /.test(line)) : [];
    const frames = framesOf(source.stack);
    this.stack = [
      `${this.name}: ${this.message}`,
      ...(frames.length > 0 ? frames : framesOf(this.stack)),
    ].join('\n');
  }
}

/**
 * The cause a rotation error keeps: keystage's own errors as they are (their messages and
 * causes are already value-free), anything else reduced to its {@link ErrorFacts}.
 */
export function safeCause(cause: unknown): unknown {
  if (cause === undefined) return undefined;
  if (cause instanceof ErrorFacts || cause instanceof RotationFailure || cause instanceof KeystageError)
    return cause;
  return new ErrorFacts(cause);
}

/**
 * An error a strategy raises with its reason; the protocol adds the step. A driver error
 * given as `cause` is kept as its {@link ErrorFacts} only.
 */
export class RotationFailure extends Error {
  constructor(
    readonly reason: RotationFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    const cause = safeCause(options?.cause);
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'RotationFailure';
  }
}

/**
 * A rotation step failed. Secrets Manager sees the message (in the function's error and
 * in CloudTrail `RotationFailed`), so it names the step and what to do, never a value. A
 * foreign `cause` (a driver's error) is kept as its {@link ErrorFacts} only.
 */
export class RotationStepError extends KeystageError {
  readonly code = 'ROTATION_STEP_FAILED';
  constructor(
    readonly step: RotationStep | 'unknown',
    readonly reason: RotationFailureReason,
    message: string,
    options?: KeystageErrorOptions,
  ) {
    super(`${step} failed (${reason}): ${message}`, { ...options, cause: safeCause(options?.cause) });
  }

  override toJSON(): ReturnType<KeystageError['toJSON']> & { step: string; reason: RotationFailureReason } {
    return { ...super.toJSON(), step: this.step, reason: this.reason };
  }
}
