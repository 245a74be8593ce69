import { isKeystageError, type KeystageErrorCode } from '../errors';

/** The command did what it was asked. */
export const EXIT_OK = 0;
/** A failure that is not a keystage error, or a confirmation the operator declined. */
export const EXIT_FAILURE = 1;
/** A usage mistake: an unknown command or option, a bad value, `--yes` missing off a terminal. */
export const EXIT_USAGE = 2;

/**
 * The exit code of each keystage error code, so that a script can branch on what went wrong
 * (`case $? in 4) create it ;; 11) retry later ;; esac`). A usage mistake (VALIDATION_ERROR)
 * is 2, like a bad flag. Typed over every code: a new code does not compile until it has one.
 * The README's exit-code table is checked against this one.
 */
export const EXIT_CODES: Readonly<Record<KeystageErrorCode, number>> = Object.freeze({
  VALIDATION_ERROR: EXIT_USAGE,
  CONFIGURATION_ERROR: 3,
  SECRET_NOT_FOUND: 4,
  PERMISSION_DENIED: 5,
  SECRET_REVOKED: 6,
  SECRET_EXPIRED: 7,
  SECRET_SCHEDULED_FOR_DELETION: 8,
  ROTATION_IN_PROGRESS: 9,
  DECODE_ERROR: 10,
  THROTTLED: 11,
  CONFLICT: 12,
  SERVICE_UNAVAILABLE: 13,
  SERVICE_ERROR: 14,
  ROTATION_STEP_FAILED: 15,
  AUDIT_UNAVAILABLE: 16,
});

/**
 * The exit code for an error: its code's from EXIT_CODES for a keystage error, 1 otherwise.
 * @example
 * process.exitCode = exitCodeFor(error); // 4 for SECRET_NOT_FOUND
 */
export function exitCodeFor(error: unknown): number {
  return isKeystageError(error) ? EXIT_CODES[error.code] : EXIT_FAILURE;
}

/**
 * `keystage policy check`: the policy denies the request. The code of PERMISSION_DENIED, as the
 * client would fail the same call.
 */
export const EXIT_DENIED = EXIT_CODES.PERMISSION_DENIED;

/**
 * `keystage audit verify`: the trail has a deleted, inserted, reordered or altered event, a bad
 * checkpoint, or a line that is no event. The code of DECODE_ERROR, as for any failed integrity check.
 */
export const EXIT_TAMPERED = EXIT_CODES.DECODE_ERROR;
