import { resolvePasswordPolicy, type PasswordPolicy } from '../lib/generate/password';
import { isKeystageError } from '../lib/errors';

export type Environment = Readonly<Record<string, string | undefined>>;

/** A configuration mistake in the function's environment: fails every invocation the same way. */
export class RotationConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'RotationConfigError';
  }
}

/**
 * The password policy from `PASSWORD_LENGTH` and `EXCLUDE_CHARACTERS` (the names AWS's
 * templates use). Unset means keystage's default: 32 characters from A-Z a-z 0-9 - _ .,
 * which need no escaping in a URI, `.pgpass`, JDBC string or shell. `EXCLUDE_CHARACTERS`
 * replaces the default excluded set.
 */
export function passwordPolicyFromEnv(env: Environment): PasswordPolicy {
  const policy: { length?: number; excludeCharacters?: string } = {};
  const length = env.PASSWORD_LENGTH;
  if (length !== undefined && length !== '') {
    if (!/^\d+$/.test(length)) {
      throw new RotationConfigError(
        'PASSWORD_LENGTH',
        'PASSWORD_LENGTH must be a whole number from 8 to 4096.',
      );
    }
    policy.length = Number(length);
  }
  if (env.EXCLUDE_CHARACTERS !== undefined) policy.excludeCharacters = env.EXCLUDE_CHARACTERS;
  try {
    resolvePasswordPolicy(policy);
  } catch (error) {
    if (!isKeystageError(error, 'VALIDATION_ERROR')) throw error;
    const variable = error.message.startsWith('length') ? 'PASSWORD_LENGTH' : 'EXCLUDE_CHARACTERS';
    throw new RotationConfigError(variable, `${variable}: ${error.message}`);
  }
  return policy;
}

/** A positive whole number of milliseconds from the environment, or `fallback`. */
export function millisecondsFromEnv(env: Environment, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 2 ** 31 - 1) {
    throw new RotationConfigError(
      variable,
      `${variable} must be a whole number of milliseconds from 1 to 2147483647.`,
    );
  }
  return value;
}
