import type { PasswordPolicy } from '../lib/generate';
import {
  ROTATION_DEFAULTS,
  ROTATION_VARIABLES,
  RotationConfigError,
  readRotationSettings,
  type Environment,
  type GenericKind,
} from './environment';

// The function side of the rotation environment contract (./environment.ts): each reader takes
// the variables its function uses, parsed and checked by the contract, and applies the defaults.
export { RotationConfigError };
export type { Environment };

/**
 * The password policy from `PASSWORD_LENGTH` and `EXCLUDE_CHARACTERS` (the names AWS's
 * templates use). Unset means keystage's default: 32 characters from A-Z a-z 0-9 - _ .,
 * which need no escaping in a URI, `.pgpass`, JDBC string or shell. `EXCLUDE_CHARACTERS`
 * replaces the default excluded set.
 * @example
 * const password = generatePassword(passwordPolicyFromEnv(process.env));
 */
export function passwordPolicyFromEnv(env: Environment): PasswordPolicy {
  const { passwordLength, excludeCharacters } = readRotationSettings(
    pick(env, ['passwordLength', 'excludeCharacters']),
  );
  return {
    ...(passwordLength === undefined ? {} : { length: passwordLength }),
    ...(excludeCharacters === undefined ? {} : { excludeCharacters }),
  };
}

/** The variables a database function's timeouts come from. */
export type DatabaseTimeoutVariable = 'DB_CONNECT_TIMEOUT_MS' | 'DB_QUERY_TIMEOUT_MS';

/**
 * A positive whole number of milliseconds from `variable`, or `fallback` when it is unset.
 * @example
 * const connectTimeoutMs = millisecondsFromEnv(process.env, 'DB_CONNECT_TIMEOUT_MS', 5000);
 */
export function millisecondsFromEnv(
  env: Environment,
  variable: DatabaseTimeoutVariable,
  fallback: number,
): number {
  const setting = variable === 'DB_CONNECT_TIMEOUT_MS' ? 'connectTimeoutMs' : 'queryTimeoutMs';
  return readRotationSettings(pick(env, [setting]))[setting] ?? fallback;
}

/** How long a database function waits, from `DB_CONNECT_TIMEOUT_MS` and `DB_QUERY_TIMEOUT_MS`. */
export interface DatabaseTimeouts {
  /** @default 5000 */
  readonly connectTimeoutMs: number;
  /** @default 10000 */
  readonly queryTimeoutMs: number;
}

/**
 * The database timeouts from the environment, with the contract's defaults.
 * @example
 * const { connectTimeoutMs, queryTimeoutMs } = databaseTimeoutsFromEnv(process.env);
 */
export function databaseTimeoutsFromEnv(env: Environment): DatabaseTimeouts {
  const settings = readRotationSettings(pick(env, ['connectTimeoutMs', 'queryTimeoutMs']));
  return {
    connectTimeoutMs: settings.connectTimeoutMs ?? ROTATION_DEFAULTS.connectTimeoutMs,
    queryTimeoutMs: settings.queryTimeoutMs ?? ROTATION_DEFAULTS.queryTimeoutMs,
  };
}

/** The generic function's settings. */
export interface GenericSettings {
  /** @default 'password' */
  readonly kind: GenericKind;
  /** @default - the whole value */
  readonly jsonField?: string;
  /** @default - lib/generate's default prefix */
  readonly apiKeyPrefix?: string;
  /** @default - keystage's default policy */
  readonly password: PasswordPolicy;
}

/**
 * Everything the generic function reads: `GENERIC_KIND`, `JSON_FIELD`, `API_KEY_PREFIX` and the
 * password policy variables, checked together (an `API_KEY_PREFIX` needs `GENERIC_KIND=api-key`).
 * @example
 * const { kind, jsonField } = genericSettingsFromEnv(process.env);
 */
export function genericSettingsFromEnv(env: Environment): GenericSettings {
  const settings = readRotationSettings(env, 'generic');
  return {
    kind: settings.genericKind ?? ROTATION_DEFAULTS.genericKind,
    ...(settings.jsonField === undefined ? {} : { jsonField: settings.jsonField }),
    ...(settings.apiKeyPrefix === undefined ? {} : { apiKeyPrefix: settings.apiKeyPrefix }),
    password: passwordPolicyFromEnv(env),
  };
}

/** Only the variables of `settings`: each reader checks what it reads, not its neighbours. */
function pick(env: Environment, settings: ReadonlyArray<keyof typeof ROTATION_VARIABLES>): Environment {
  const picked: Record<string, string | undefined> = {};
  for (const setting of settings) {
    const name = ROTATION_VARIABLES[setting].name;
    if (env[name] !== undefined) picked[name] = env[name];
  }
  return picked;
}

/** The certificate function's settings. */
export interface CertificateSettings {
  /**
   * The ARN of the CA secret (`CA_SECRET_ARN`): the CA the function's role may read. A
   * rotated secret's `caarn`, when it has one, must name the same secret.
   * @default - the CA each rotated secret names in its `caarn`
   */
  readonly caSecretArn?: string;
}

/**
 * Everything the certificate function reads: `CA_SECRET_ARN`, a secret ARN when set.
 * @example
 * const { caSecretArn } = certificateSettingsFromEnv(process.env);
 */
export function certificateSettingsFromEnv(env: Environment): CertificateSettings {
  const { caSecretArn } = readRotationSettings(env, 'certificate');
  return caSecretArn === undefined ? {} : { caSecretArn };
}
