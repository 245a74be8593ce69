/**
 * Every error keystage throws is a {@link KeystageError} with a stable string `code`.
 * Callers branch on `code` (or `instanceof`), never on message text. Messages say what
 * was wrong and what to do, and never contain a secret value.
 */

/** The stable codes, one per thing a caller can do something about. */
export type KeystageErrorCode =
  | 'SECRET_NOT_FOUND'
  | 'PERMISSION_DENIED'
  | 'SECRET_REVOKED'
  | 'SECRET_EXPIRED'
  | 'SECRET_SCHEDULED_FOR_DELETION'
  | 'ROTATION_IN_PROGRESS'
  | 'VALIDATION_ERROR'
  | 'DECODE_ERROR'
  | 'THROTTLED'
  | 'CONFLICT'
  | 'SERVICE_UNAVAILABLE'
  | 'SERVICE_ERROR'
  | 'CONFIGURATION_ERROR'
  | 'ROTATION_STEP_FAILED'
  | 'AUDIT_UNAVAILABLE';

export interface KeystageErrorOptions {
  /** The underlying error (for example the AWS SDK exception). */
  readonly cause?: unknown;
  /** The secret id the failing call was about, if any. Ids are names or ARNs, never values. */
  readonly secretId?: string;
}

/**
 * Root of every keystage error.
 * @example
 * try {
 *   await secrets.get('prod/billing/db');
 * } catch (error) {
 *   if (error instanceof KeystageError && error.retryable) scheduleRetry();
 *   else throw error;
 * }
 */
export abstract class KeystageError extends Error {
  abstract readonly code: KeystageErrorCode;
  /** True when retrying the same call later can succeed without any change. */
  readonly retryable: boolean = false;
  /** The secret id the failing call was about, if any. */
  readonly secretId: string | undefined;

  protected constructor(message: string, options: KeystageErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.secretId = options.secretId;
  }

  /** A log-safe shape: name, code, message and secret id; never the cause's payload. */
  toJSON(): { name: string; code: KeystageErrorCode; message: string; secretId?: string } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.secretId === undefined ? {} : { secretId: this.secretId }),
    };
  }
}

/** The secret (or the requested version or stage of it) does not exist. */
export class SecretNotFoundError extends KeystageError {
  readonly code = 'SECRET_NOT_FOUND';
  constructor(message: string, options?: KeystageErrorOptions) {
    super(message, options);
  }
}

/**
 * The call is not allowed: by keystage's access policy (`rule` and `reason` say which rule
 * decided and why), or by AWS (IAM, a resource policy or a KMS key policy; then both are
 * undefined and the SDK error is the `cause`).
 * @example
 * if (error instanceof PermissionDeniedError && error.rule !== undefined) logger.warn('policy denial', { rule: error.rule });
 */
export class PermissionDeniedError extends KeystageError {
  readonly code = 'PERMISSION_DENIED';
  /** The id of the access-policy rule that denied the call; undefined for a default deny or an AWS denial. */
  readonly rule: string | undefined;
  /** Why the access policy denied the call, in words; undefined for an AWS denial. */
  readonly reason: string | undefined;
  constructor(
    message: string,
    options: KeystageErrorOptions & { readonly rule?: string; readonly reason?: string } = {},
  ) {
    super(message, options);
    this.rule = options.rule;
    this.reason = options.reason;
  }

  override toJSON(): ReturnType<KeystageError['toJSON']> & { rule?: string; reason?: string } {
    return {
      ...super.toJSON(),
      ...(this.rule === undefined ? {} : { rule: this.rule }),
      ...(this.reason === undefined ? {} : { reason: this.reason }),
    };
  }
}

/** The secret was revoked with `SecretsClient.revoke`; reads fail until `restore`. */
export class SecretRevokedError extends KeystageError {
  readonly code = 'SECRET_REVOKED';
  /** The reason recorded at revocation, when known. */
  readonly reason: string | undefined;
  constructor(message: string, options: KeystageErrorOptions & { readonly reason?: string } = {}) {
    super(message, options);
    this.reason = options.reason;
  }
}

/**
 * What was handed out is past its time: a sealed distribution after its `expiresIn`. Ask
 * the issuer for a new one; retrying the same cannot succeed.
 */
export class SecretExpiredError extends KeystageError {
  readonly code = 'SECRET_EXPIRED';
  /** When it expired. */
  readonly expiredAt: Date | undefined;
  constructor(message: string, options: KeystageErrorOptions & { readonly expiredAt?: Date } = {}) {
    super(message, options);
    this.expiredAt = options.expiredAt;
  }
}

/** The secret is scheduled for deletion; `undelete` it to use it again. */
export class SecretScheduledForDeletionError extends KeystageError {
  readonly code = 'SECRET_SCHEDULED_FOR_DELETION';
  constructor(message: string, options?: KeystageErrorOptions) {
    super(message, options);
  }
}

/** A rotation is in progress (or did not finish in the time allowed). */
export class RotationInProgressError extends KeystageError {
  readonly code = 'ROTATION_IN_PROGRESS';
  override readonly retryable = true;
  constructor(message: string, options?: KeystageErrorOptions) {
    super(message, options);
  }
}

/** An argument is invalid. Raised before any API call, so nothing was written. */
export class ValidationError extends KeystageError {
  readonly code = 'VALIDATION_ERROR';
  /** The argument or field that was wrong, e.g. `name` or `recoveryWindowDays`. */
  readonly field: string;
  constructor(field: string, message: string, options?: KeystageErrorOptions) {
    super(message, options);
    this.field = field;
  }

  override toJSON(): ReturnType<KeystageError['toJSON']> & { field: string } {
    return { ...super.toJSON(), field: this.field };
  }
}

/** A secret value could not be decoded as asked (not JSON, failed validation, wrong type). */
export class SecretDecodeError extends KeystageError {
  readonly code = 'DECODE_ERROR';
  constructor(message: string, options?: KeystageErrorOptions) {
    super(message, options);
  }
}

/**
 * A rate limit refused the call: the service's (retry with backoff) or an access-policy
 * rule's `maxRequestsPerHour` (then `rule` names the rule and `retryAfterMs` says when the
 * call may go ahead).
 * @example
 * if (error instanceof ThrottledError && error.retryAfterMs !== undefined) await sleep(error.retryAfterMs);
 */
export class ThrottledError extends KeystageError {
  readonly code = 'THROTTLED';
  override readonly retryable = true;
  /** Milliseconds until the same call may go ahead; undefined when the service throttled without saying. */
  readonly retryAfterMs: number | undefined;
  /** The id of the access-policy rule whose limit was reached; undefined for the service's own throttling. */
  readonly rule: string | undefined;
  constructor(
    message: string,
    options: KeystageErrorOptions & { readonly retryAfterMs?: number; readonly rule?: string } = {},
  ) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
    this.rule = options.rule;
  }

  override toJSON(): ReturnType<KeystageError['toJSON']> & { retryAfterMs?: number; rule?: string } {
    return {
      ...super.toJSON(),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      ...(this.rule === undefined ? {} : { rule: this.rule }),
    };
  }
}

/** The secret changed under the call (a lost compare-and-swap, or an existing resource). */
export class ConflictError extends KeystageError {
  readonly code = 'CONFLICT';
  constructor(message: string, options?: KeystageErrorOptions) {
    super(message, options);
  }
}

/** The service or the network failed; retry later. */
export class ServiceUnavailableError extends KeystageError {
  readonly code = 'SERVICE_UNAVAILABLE';
  override readonly retryable = true;
  constructor(message: string, options?: KeystageErrorOptions) {
    super(message, options);
  }
}

/**
 * The audit trail could not take the call's event while `auditFailClosed` is set, so the
 * call's answer is withheld: no value is returned without its audit record. Retryable:
 * the sink (CloudWatch Logs, a file) is usually back after a moment. `sink` names it.
 * @example
 * if (isKeystageError(error, 'AUDIT_UNAVAILABLE')) return retryLater(error);
 */
export class AuditUnavailableError extends KeystageError {
  readonly code = 'AUDIT_UNAVAILABLE';
  override readonly retryable = true;
  /** The sink that refused the event, e.g. `CloudWatchLogsAuditSink`. */
  readonly sink: string;
  constructor(sink: string, message: string, options?: KeystageErrorOptions) {
    super(message, options);
    this.sink = sink;
  }

  override toJSON(): ReturnType<KeystageError['toJSON']> & { sink: string } {
    return { ...super.toJSON(), sink: this.sink };
  }
}

/** An AWS error keystage has no better classification for; the SDK error is the `cause`. */
export class UnexpectedServiceError extends KeystageError {
  readonly code = 'SERVICE_ERROR';
  constructor(message: string, options?: KeystageErrorOptions) {
    super(message, options);
  }
}

/**
 * The call could not be made at all: no region or no credentials are configured, or an
 * optional package it needs is not installed. `variable` names what fixes it; the message
 * lists every way.
 * @example
 * if (error instanceof ConfigurationError) logger.error(`set ${error.variable}`, { message: error.message });
 */
export class ConfigurationError extends KeystageError {
  readonly code = 'CONFIGURATION_ERROR';
  /**
   * The environment variable to set (`AWS_REGION`, `AWS_PROFILE`), or, for a missing
   * optional dependency, the package to install (`@aws-sdk/client-kms`).
   */
  readonly variable: string;
  constructor(variable: string, message: string, options?: KeystageErrorOptions) {
    super(message, options);
    this.variable = variable;
  }

  override toJSON(): ReturnType<KeystageError['toJSON']> & { variable: string } {
    return { ...super.toJSON(), variable: this.variable };
  }
}

/**
 * True when `error` is a keystage error, optionally with the given code.
 * @example
 * if (isKeystageError(error, 'SECRET_NOT_FOUND')) return defaults;
 */
export function isKeystageError(error: unknown, code?: KeystageErrorCode): error is KeystageError {
  return error instanceof KeystageError && (code === undefined || error.code === code);
}

/** Shows a received non-secret argument in an error message, shortened. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
