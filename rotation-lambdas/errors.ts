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

/** An error a strategy raises with its reason; the protocol adds the step. */
export class RotationFailure extends Error {
  constructor(
    readonly reason: RotationFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RotationFailure';
  }
}

/**
 * A rotation step failed. Secrets Manager sees the message (in the function's error and
 * in CloudTrail `RotationFailed`), so it names the step and what to do, never a value.
 */
export class RotationStepError extends KeystageError {
  readonly code = 'ROTATION_STEP_FAILED';
  constructor(
    readonly step: RotationStep | 'unknown',
    readonly reason: RotationFailureReason,
    message: string,
    options?: KeystageErrorOptions,
  ) {
    super(`${step} failed (${reason}): ${message}`, options);
  }

  override toJSON(): ReturnType<KeystageError['toJSON']> & { step: string; reason: RotationFailureReason } {
    return { ...super.toJSON(), step: this.step, reason: this.reason };
  }
}
