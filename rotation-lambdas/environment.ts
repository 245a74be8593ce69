/**
 * The rotation environment contract: every environment variable a keystage rotation function
 * reads, what it means, which functions read it, its default, and how it is parsed and
 * rendered. Both sides use this one table: the functions parse their `process.env` with it
 * (rotation-lambdas/config.ts) and the CDK construct that deploys them renders their
 * `Environment.Variables` with it (infra: `RotationStrategy`), so a name, a unit or a rule
 * cannot differ between them.
 *
 * This module is deliberately small and free of CDK and of the rotation protocol: infra imports
 * it (and nothing else of rotation-lambdas), and every rotation bundle contains it.
 */
import { MAX_TIMER_MS, SECRET_ARN_PATTERN } from '../lib/core';
import { ValidationError } from '../lib/errors';
import { API_KEY_PREFIX_PATTERN, resolvePasswordPolicy } from '../lib/generate';

/** A function's environment, as `process.env`. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** What a generic rotation regenerates. */
export type GenericKind = 'password' | 'api-key' | 'symmetric-key';

/** Every {@link GenericKind}, in the order messages list them. */
export const GENERIC_KINDS: readonly GenericKind[] = ['password', 'api-key', 'symmetric-key'];

/** Which functions read a variable. */
export type RotationFunctionKind = 'generic' | 'database' | 'certificate';

/**
 * The settings a rotation function reads, with plain values (milliseconds, not Durations):
 * the parsed form of its environment. Never a secret value.
 */
export interface RotationSettings {
  /**
   * `PASSWORD_LENGTH`: length of generated passwords, 8 to 4096.
   * @default 32
   */
  readonly passwordLength?: number;
  /**
   * `EXCLUDE_CHARACTERS`: characters generated passwords never use; replaces the default set
   * (an empty value excludes nothing).
   * @default - space and every symbol but `- _ .` (SAFE_EXCLUDED_CHARACTERS)
   */
  readonly excludeCharacters?: string;
  /**
   * `GENERIC_KIND`, generic function only.
   * @default 'password'
   */
  readonly genericKind?: GenericKind;
  /**
   * `JSON_FIELD`, generic function only: rotate this field of a JSON object secret.
   * @default - the whole value
   */
  readonly jsonField?: string;
  /**
   * `API_KEY_PREFIX`, generic function with `genericKind: 'api-key'` only.
   * @default 'ks'
   */
  readonly apiKeyPrefix?: string;
  /**
   * `DB_CONNECT_TIMEOUT_MS`, database functions only.
   * @default 5000
   */
  readonly connectTimeoutMs?: number;
  /**
   * `DB_QUERY_TIMEOUT_MS`, database functions only.
   * @default 10000
   */
  readonly queryTimeoutMs?: number;
  /**
   * `NODE_EXTRA_CA_CERTS`, read by Node.js itself at start: extra CAs that TLS to the
   * database trusts. keystage's construct sets the Lambda runtime's bundle, which holds the
   * RDS CAs ({@link LAMBDA_RUNTIME_CA_BUNDLE}).
   * @default - Node.js's own CA store only
   */
  readonly caCertificatesFile?: string;
  /**
   * `CA_SECRET_ARN`, certificate function only: the ARN of the secret holding the issuing CA
   * (`{ certificate, privateKey, chain }`), the one the function's role may read. A rotated
   * secret's `caarn`, when it has one, must name the same secret. An ARN, never a value.
   * @default - the CA each rotated secret names in its `caarn` (a secret with neither cannot rotate)
   */
  readonly caSecretArn?: string;
}

/** A setting of {@link RotationSettings}. */
export type RotationSetting = keyof RotationSettings;

/** One variable of the contract. */
export interface RotationVariable<S extends RotationSetting = RotationSetting> {
  /** The environment variable. */
  readonly name: string;
  /** The setting it carries. */
  readonly setting: S;
  /** What it means, for documentation and messages. */
  readonly meaning: string;
  /** The functions that read it. */
  readonly readBy: readonly RotationFunctionKind[];
  /** What applies when it is unset. */
  readonly whenUnset: string;
  /**
   * Its value from the raw variable; `undefined` when the raw value means "unset". Throws
   * {@link RotationConfigError} for a value of the wrong form.
   */
  parse(raw: string): RotationSettings[S];
  /** The variable's value for a setting. */
  render(value: NonNullable<RotationSettings[S]>): string;
}

/** The RDS CA bundle that the Lambda Node.js runtimes ship. */
export const LAMBDA_RUNTIME_CA_BUNDLE = '/var/runtime/ca-cert.pem';

/** Defaults the functions apply when a variable is unset. */
export const ROTATION_DEFAULTS = {
  genericKind: 'password',
  connectTimeoutMs: 5_000,
  queryTimeoutMs: 10_000,
} as const satisfies RotationSettings;

/** API key prefixes: what lib/generate's generateApiKey accepts. */

/**
 * A configuration mistake in a rotation function's environment (or in the settings a deployment
 * renders into it): fails every invocation the same way, so the function refuses to start.
 * `field` and `variable` name the variable, `setting` the setting; `problem` is what is wrong
 * without the name, for callers that name it their own way (the CDK construct names its prop).
 * @example
 * try {
 *   readRotationSettings(process.env);
 * } catch (error) {
 *   if (error instanceof RotationConfigError) report(error.variable, error.problem);
 * }
 */
export class RotationConfigError extends ValidationError {
  /** The environment variable, like `PASSWORD_LENGTH`. */
  readonly variable: string;
  /** The setting of {@link RotationSettings} it carries, when it is one. */
  readonly setting: RotationSetting | undefined;
  /** What is wrong, as a predicate: `must be a whole number from 8 to 4096`. */
  readonly problem: string;

  constructor(variable: string, problem: string, setting?: RotationSetting) {
    super(variable, `${variable} ${problem}.`);
    this.variable = variable;
    this.setting = setting;
    this.problem = problem;
  }
}

/** A whole number of milliseconds a timer can wait. */
const milliseconds = (variable: string, setting: RotationSetting) => {
  return (raw: string): number | undefined => {
    if (raw === '') return undefined;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < 1 || value > MAX_TIMER_MS) {
      throw new RotationConfigError(
        variable,
        `must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS}`,
        setting,
      );
    }
    return value;
  };
};

const text = (raw: string): string | undefined => (raw === '' ? undefined : raw);

/**
 * Every variable, by setting. Empty values: `EXCLUDE_CHARACTERS=''` excludes nothing; every
 * other empty variable counts as unset, except `GENERIC_KIND`, which must name a kind.
 * @example
 * ROTATION_VARIABLES.connectTimeoutMs.name; // 'DB_CONNECT_TIMEOUT_MS'
 * ROTATION_VARIABLES.connectTimeoutMs.parse('3000'); // 3000
 */
export const ROTATION_VARIABLES: { readonly [S in RotationSetting]: RotationVariable<S> } = {
  passwordLength: {
    name: 'PASSWORD_LENGTH',
    setting: 'passwordLength',
    meaning: 'length of generated passwords',
    readBy: ['generic', 'database'],
    whenUnset: '32',
    // The range itself is the password policy's rule (checkRotationSettings).
    parse: (raw) => {
      if (raw === '') return undefined;
      if (!/^\d+$/.test(raw)) {
        throw new RotationConfigError(
          'PASSWORD_LENGTH',
          'must be a whole number from 8 to 4096',
          'passwordLength',
        );
      }
      return Number(raw);
    },
    render: String,
  },
  excludeCharacters: {
    name: 'EXCLUDE_CHARACTERS',
    setting: 'excludeCharacters',
    meaning: 'characters generated passwords never use (replaces the default set)',
    readBy: ['generic', 'database'],
    whenUnset: 'space and every symbol but - _ .',
    parse: (raw) => raw,
    render: (value) => value,
  },
  genericKind: {
    name: 'GENERIC_KIND',
    setting: 'genericKind',
    meaning: 'what the generic function generates: password, api-key or symmetric-key',
    readBy: ['generic'],
    whenUnset: ROTATION_DEFAULTS.genericKind,
    parse: (raw) => {
      if (!(GENERIC_KINDS as readonly string[]).includes(raw)) {
        throw new RotationConfigError(
          'GENERIC_KIND',
          `must be one of ${GENERIC_KINDS.join(', ')}`,
          'genericKind',
        );
      }
      return raw as GenericKind;
    },
    render: (value) => value,
  },
  jsonField: {
    name: 'JSON_FIELD',
    setting: 'jsonField',
    meaning: 'the field of a JSON object secret that the generic function rotates',
    readBy: ['generic'],
    whenUnset: 'the whole value rotates',
    parse: text,
    render: (value) => value,
  },
  apiKeyPrefix: {
    name: 'API_KEY_PREFIX',
    setting: 'apiKeyPrefix',
    meaning: 'the prefix of generated API keys',
    readBy: ['generic'],
    whenUnset: 'ks',
    parse: text,
    render: (value) => value,
  },
  connectTimeoutMs: {
    name: 'DB_CONNECT_TIMEOUT_MS',
    setting: 'connectTimeoutMs',
    meaning: 'how long a database function waits to connect, in milliseconds',
    readBy: ['database'],
    whenUnset: String(ROTATION_DEFAULTS.connectTimeoutMs),
    parse: milliseconds('DB_CONNECT_TIMEOUT_MS', 'connectTimeoutMs'),
    render: String,
  },
  queryTimeoutMs: {
    name: 'DB_QUERY_TIMEOUT_MS',
    setting: 'queryTimeoutMs',
    meaning: 'how long a database function waits for a query, in milliseconds',
    readBy: ['database'],
    whenUnset: String(ROTATION_DEFAULTS.queryTimeoutMs),
    parse: milliseconds('DB_QUERY_TIMEOUT_MS', 'queryTimeoutMs'),
    render: String,
  },
  caCertificatesFile: {
    name: 'NODE_EXTRA_CA_CERTS',
    setting: 'caCertificatesFile',
    meaning: 'extra CA certificates (PEM file) that TLS to the database trusts; read by Node.js',
    readBy: ['database'],
    whenUnset: "Node.js's own CA store only",
    parse: text,
    render: (value) => value,
  },
  caSecretArn: {
    name: 'CA_SECRET_ARN',
    setting: 'caSecretArn',
    meaning: 'the ARN of the secret holding the CA that issues the rotated certificates',
    readBy: ['certificate'],
    whenUnset: 'the CA each rotated secret names in its caarn',
    parse: text,
    render: (value) => value,
  },
};

const SETTINGS = Object.keys(ROTATION_VARIABLES) as RotationSetting[];

function variableOf(setting: RotationSetting): RotationVariable {
  return ROTATION_VARIABLES[setting] as unknown as RotationVariable;
}

/**
 * Checks settings as a whole, whichever side they come from: the password policy they make,
 * the timeouts' range, the generic settings' forms and, given `kind`, that every setting is
 * one that kind of function reads. Throws {@link RotationConfigError} naming the variable.
 * @example
 * checkRotationSettings({ passwordLength: 4 }); // throws: PASSWORD_LENGTH is not a usable password policy (...)
 */
export function checkRotationSettings(settings: RotationSettings, kind?: RotationFunctionKind): void {
  if (kind !== undefined) {
    for (const setting of SETTINGS) {
      const variable = variableOf(setting);
      if (settings[setting] !== undefined && !variable.readBy.includes(kind)) {
        throw new RotationConfigError(
          variable.name,
          `is read by ${variable.readBy.join(' and ')} functions only, not by a ${kind} one`,
          setting,
        );
      }
    }
  }
  try {
    resolvePasswordPolicy({
      ...(settings.passwordLength === undefined ? {} : { length: settings.passwordLength }),
      ...(settings.excludeCharacters === undefined ? {} : { excludeCharacters: settings.excludeCharacters }),
    });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // The policy names its own field: length is PASSWORD_LENGTH, anything else the exclusions.
    const setting = error.field === 'length' ? 'passwordLength' : 'excludeCharacters';
    throw new RotationConfigError(
      variableOf(setting).name,
      `is not a usable password policy (${error.message})`,
      setting,
    );
  }
  if (settings.genericKind !== undefined) variableOf('genericKind').parse(settings.genericKind);
  if (settings.apiKeyPrefix !== undefined) {
    if (!API_KEY_PREFIX_PATTERN.test(settings.apiKeyPrefix)) {
      throw new RotationConfigError(
        'API_KEY_PREFIX',
        'must be 2 to 16 lowercase letters or digits, starting with a letter',
        'apiKeyPrefix',
      );
    }
    if ((settings.genericKind ?? ROTATION_DEFAULTS.genericKind) !== 'api-key') {
      throw new RotationConfigError('API_KEY_PREFIX', 'needs the api-key kind', 'apiKeyPrefix');
    }
  }
  if (settings.jsonField !== undefined && !/^.{1,256}$/s.test(settings.jsonField)) {
    throw new RotationConfigError('JSON_FIELD', 'must be a field name of 1 to 256 characters', 'jsonField');
  }
  if (settings.caSecretArn !== undefined && !SECRET_ARN_PATTERN.test(settings.caSecretArn)) {
    throw new RotationConfigError(
      'CA_SECRET_ARN',
      'must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)',
      'caSecretArn',
    );
  }
  for (const setting of ['connectTimeoutMs', 'queryTimeoutMs'] as const) {
    const value = settings[setting];
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > MAX_TIMER_MS)) {
      throw new RotationConfigError(
        variableOf(setting).name,
        `must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS}`,
        setting,
      );
    }
  }
}

/**
 * The settings in `env`, each variable parsed by the contract and the whole checked by
 * {@link checkRotationSettings} (for `kind`, when given). Unset variables stay unset: the
 * reader applies {@link ROTATION_DEFAULTS}.
 * @example
 * const settings = readRotationSettings(process.env, 'database');
 * const connectTimeoutMs = settings.connectTimeoutMs ?? ROTATION_DEFAULTS.connectTimeoutMs;
 */
export function readRotationSettings(env: Environment, kind?: RotationFunctionKind): RotationSettings {
  const settings: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const variable = variableOf(setting);
    const raw = env[variable.name];
    if (raw === undefined) continue;
    // Only the variables this kind of function reads: the others may be set for other tools.
    if (kind !== undefined && !variable.readBy.includes(kind)) continue;
    const value = variable.parse(raw);
    if (value !== undefined) settings[setting] = value;
  }
  const parsed = settings as RotationSettings;
  checkRotationSettings(parsed, kind);
  return parsed;
}

/**
 * The environment variables for `settings`, named and formatted by the contract; unset
 * settings render no variable. Checks nothing: call {@link checkRotationSettings} first.
 * @example
 * renderRotationEnvironment({ passwordLength: 40, connectTimeoutMs: 3000 });
 * // { PASSWORD_LENGTH: '40', DB_CONNECT_TIMEOUT_MS: '3000' }
 */
export function renderRotationEnvironment(settings: RotationSettings): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const setting of SETTINGS) {
    const value = settings[setting];
    if (value === undefined) continue;
    const variable = variableOf(setting);
    variables[variable.name] = variable.render(value as never);
  }
  return variables;
}
