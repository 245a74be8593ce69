import { Duration, Token } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  LAMBDA_RUNTIME_CA_BUNDLE,
  RotationConfigError,
  checkRotationSettings,
  renderRotationEnvironment,
  type GenericKind,
  type RotationFunctionKind,
  type RotationSetting,
  type RotationSettings,
} from '../../../rotation-lambdas/environment';
import { propsChecker, shown } from '../props';

export type { GenericKind };

/** The bundled rotation functions (README, "Rotation functions"): `dist/rotation-lambdas/<name>`. */
export type RotationStrategyName =
  | 'generic'
  | 'postgres-single'
  | 'postgres-alternating'
  | 'mysql-single'
  | 'mysql-alternating'
  | 'certificate';

/** The password policy of the generated values, for every strategy. */
export interface RotationPasswordOptions {
  /**
   * Length of generated passwords, 8 to 4096 (`PASSWORD_LENGTH`).
   * @default 32
   */
  readonly passwordLength?: number;
  /**
   * Characters generated passwords never use; replaces the default set (`EXCLUDE_CHARACTERS`).
   * @default - space and every symbol but `- _ .`
   */
  readonly excludeCharacters?: string;
}

/** Options of `RotationStrategy.generic`. */
export interface GenericRotationOptions extends RotationPasswordOptions {
  /**
   * What the function generates (`GENERIC_KIND`): a password, an API key
   * (`prefix_body_checksum`) or a 32-byte symmetric key in base64.
   * @default 'password'
   */
  readonly kind?: GenericKind;
  /**
   * Rotate this field of a JSON object secret, 1 to 256 characters, keeping the others
   * (`JSON_FIELD`).
   * @default - the whole value
   */
  readonly jsonField?: string;
  /**
   * With `kind: 'api-key'` only: the keys' prefix, 2 to 16 lowercase letters or digits,
   * starting with a letter (`API_KEY_PREFIX`).
   * @default 'ks'
   */
  readonly apiKeyPrefix?: string;
}

/** Options of the single-user database strategies. */
export interface DatabaseRotationOptions extends RotationPasswordOptions {
  /**
   * How long the function waits to connect (`DB_CONNECT_TIMEOUT_MS`): whole milliseconds,
   * shorter than the function's timeout.
   * @default Duration.seconds(5)
   */
  readonly connectTimeout?: Duration;
  /**
   * How long the function waits for a query (`DB_QUERY_TIMEOUT_MS`): whole milliseconds,
   * shorter than the function's timeout.
   * @default Duration.seconds(10)
   */
  readonly queryTimeout?: Duration;
}

/** Options of the alternating-users database strategies. */
export interface AlternatingUsersRotationOptions extends DatabaseRotationOptions {
  /** The secret of the user that changes the other users' passwords. */
  readonly masterSecret: secretsmanager.ISecret;
  /**
   * The customer managed key of `masterSecret`; the role may use it only through Secrets Manager.
   * @default - the master secret's own `encryptionKey`; none (the AWS managed key) if it has none
   */
  readonly masterEncryptionKey?: kms.IKey;
}

/** Options of `RotationStrategy.certificate`. */
export interface CertificateRotationOptions {
  /**
   * The secret holding the CA that issues the new certificates (`{ certificate, privateKey,
   * chain }`, PEM). The function gets its ARN (`CA_SECRET_ARN`) and may only read it.
   */
  readonly caSecret: secretsmanager.ISecret;
  /**
   * The customer managed key of `caSecret`; the role may use it only through Secrets Manager.
   * @default - the CA secret's own `encryptionKey`; none (the AWS managed key) if it has none
   */
  readonly caEncryptionKey?: kms.IKey;
}

/** The option of a factory that carries each setting of the rotation environment contract. */
const OPTION_OF: { readonly [S in RotationSetting]: string } = {
  passwordLength: 'passwordLength',
  excludeCharacters: 'excludeCharacters',
  genericKind: 'kind',
  jsonField: 'jsonField',
  apiKeyPrefix: 'apiKeyPrefix',
  connectTimeoutMs: 'connectTimeout',
  queryTimeoutMs: 'queryTimeout',
  caCertificatesFile: 'caCertificatesFile',
  caSecretArn: 'caSecret',
};

/**
 * How a secret rotates: which keystage bundled function does it, with which settings, and for
 * alternating users with which master secret. Made only by the static factories, so a choice
 * that needs a companion requires it in its type (`postgresAlternating({ masterSecret })`) and
 * a setting exists only on the strategies whose function reads it.
 *
 * @example
 * RotationStrategy.generic({ kind: 'api-key', apiKeyPrefix: 'acme' });
 * RotationStrategy.postgresSingle({ connectTimeout: Duration.seconds(3) });
 * RotationStrategy.mysqlAlternating({ masterSecret: master.secret });
 * RotationStrategy.certificate({ caSecret: ca.secret });
 */
export class RotationStrategy {
  /**
   * A value nothing else has to learn about first (an API key the service verifies, a signing
   * key, a password its consumers check), or one field of a JSON secret.
   */
  static generic(options: GenericRotationOptions = {}): RotationStrategy {
    const settings: RotationSettings = {
      ...password(options),
      ...(options.kind === undefined ? {} : { genericKind: options.kind }),
      ...(options.jsonField === undefined ? {} : { jsonField: options.jsonField }),
      ...(options.apiKeyPrefix === undefined ? {} : { apiKeyPrefix: options.apiKeyPrefix }),
    };
    return new RotationStrategy('generic', 'RotationStrategy.generic', settings, options);
  }

  /** A PostgreSQL user that changes its own password (`ALTER ROLE`). */
  static postgresSingle(options: DatabaseRotationOptions = {}): RotationStrategy {
    return RotationStrategy.database('postgres-single', 'RotationStrategy.postgresSingle', options);
  }

  /**
   * Two PostgreSQL users (`<user>` and `<user>_clone`, sharing their grants through a common
   * role) taking turns, so the previous credential keeps working until the next rotation; the
   * master user changes the passwords.
   */
  static postgresAlternating(options: AlternatingUsersRotationOptions): RotationStrategy {
    return RotationStrategy.database('postgres-alternating', 'RotationStrategy.postgresAlternating', options);
  }

  /** A MySQL 8 or MariaDB user that changes its own password. */
  static mysqlSingle(options: DatabaseRotationOptions = {}): RotationStrategy {
    return RotationStrategy.database('mysql-single', 'RotationStrategy.mysqlSingle', options);
  }

  /** Two MySQL 8 or MariaDB users taking turns; the master user changes the passwords. */
  static mysqlAlternating(options: AlternatingUsersRotationOptions): RotationStrategy {
    return RotationStrategy.database('mysql-alternating', 'RotationStrategy.mysqlAlternating', options);
  }

  /**
   * A leaf certificate (`{ certificate, privateKey, chain }`, PEM) reissued from a CA secret
   * with the same subject, SANs, key algorithm and validity length; the previous certificate
   * stays readable as AWSPREVIOUS.
   */
  static certificate(options: CertificateRotationOptions): RotationStrategy {
    const factory = 'RotationStrategy.certificate';
    // Required by the type; checked again for callers without one (JavaScript, `as never`).
    if ((options as Partial<CertificateRotationOptions> | undefined)?.caSecret === undefined) {
      propsChecker(factory).fail(
        'caSecret',
        'is required: the secret holding the CA that issues the certificates; got none.',
      );
    }
    // The full ARN when CDK knows it (a secret imported by name has only a partial one).
    const caSecretArn = options.caSecret.secretFullArn ?? options.caSecret.secretArn;
    return new RotationStrategy('certificate', factory, { caSecretArn }, options);
  }

  private static database(
    name: RotationStrategyName,
    factory: string,
    options: DatabaseRotationOptions | AlternatingUsersRotationOptions,
  ): RotationStrategy {
    const check = propsChecker(factory);
    // Required by the type; checked again for callers without one (JavaScript, `as never`).
    if (
      name.endsWith('-alternating') &&
      (options as Partial<AlternatingUsersRotationOptions>).masterSecret === undefined
    ) {
      check.fail(
        'masterSecret',
        'is required: alternating users need the master user that changes their passwords; got none.',
      );
    }
    for (const option of ['connectTimeout', 'queryTimeout'] as const) {
      const value = options[option];
      if (value === undefined) continue;
      const ms = value.toMilliseconds({ integral: false });
      if (!Number.isInteger(ms) || ms < 1) {
        check.fail(option, `must be a whole number of milliseconds, at least 1; got ${shown(value)}.`);
      }
    }
    const settings: RotationSettings = {
      ...password(options),
      ...(options.connectTimeout === undefined
        ? {}
        : { connectTimeoutMs: options.connectTimeout.toMilliseconds() }),
      ...(options.queryTimeout === undefined
        ? {}
        : { queryTimeoutMs: options.queryTimeout.toMilliseconds() }),
      // TLS to the database verifies against the runtime's CA bundle, which holds the RDS CAs.
      caCertificatesFile: LAMBDA_RUNTIME_CA_BUNDLE,
    };
    return new RotationStrategy(name, factory, settings, options);
  }

  /** The bundled function that rotates: `<bundleDir>/<name>/index.js`. */
  readonly name: RotationStrategyName;
  /** True for the database strategies: the function connects to a database. */
  readonly connectsToDatabase: boolean;
  /** The master user's secret, for alternating users. */
  readonly masterSecret: secretsmanager.ISecret | undefined;
  /** The master secret's key, when given. */
  readonly masterEncryptionKey: kms.IKey | undefined;
  /** The CA secret, for certificates. */
  readonly caSecret: secretsmanager.ISecret | undefined;
  /** The CA secret's key, when given. */
  readonly caEncryptionKey: kms.IKey | undefined;
  /** How long the function waits to connect, when set. */
  readonly connectTimeout: Duration | undefined;
  /** How long the function waits for a query, when set. */
  readonly queryTimeout: Duration | undefined;
  /**
   * The function's environment, named and formatted by the rotation environment contract
   * (rotation-lambdas/environment.ts) that the functions parse it with. Settings only, never a
   * secret value.
   */
  readonly environment: Readonly<Record<string, string>>;

  private constructor(
    name: RotationStrategyName,
    factory: string,
    settings: RotationSettings,
    options: Partial<AlternatingUsersRotationOptions> &
      GenericRotationOptions &
      Partial<CertificateRotationOptions>,
  ) {
    this.name = name;
    this.connectsToDatabase = name !== 'generic' && name !== 'certificate';
    this.masterSecret = options.masterSecret;
    this.masterEncryptionKey = options.masterEncryptionKey;
    this.caSecret = options.caSecret;
    this.caEncryptionKey = options.caEncryptionKey;
    this.connectTimeout = options.connectTimeout;
    this.queryTimeout = options.queryTimeout;
    checkSettings(
      factory,
      settings,
      name === 'certificate' ? 'certificate' : this.connectsToDatabase ? 'database' : 'generic',
    );
    this.environment = renderRotationEnvironment(settings);
  }
}

function password(options: RotationPasswordOptions): RotationSettings {
  return {
    ...(options.passwordLength === undefined ? {} : { passwordLength: options.passwordLength }),
    ...(options.excludeCharacters === undefined ? {} : { excludeCharacters: options.excludeCharacters }),
  };
}

/**
 * The contract's checks, on what is known at synthesis: a token is checked at deployment (the
 * function refuses to start), and a password policy with a token in it not at all here.
 */
function checkSettings(factory: string, settings: RotationSettings, kind: RotationFunctionKind): void {
  const known: Record<string, unknown> = {};
  for (const [setting, value] of Object.entries(settings)) {
    if (!Token.isUnresolved(value)) known[setting] = value;
  }
  if (Token.isUnresolved(settings.passwordLength) || Token.isUnresolved(settings.excludeCharacters)) {
    delete known.passwordLength;
    delete known.excludeCharacters;
  }
  try {
    checkRotationSettings(known as RotationSettings, kind);
  } catch (error) {
    if (!(error instanceof RotationConfigError) || error.setting === undefined) throw error;
    const option = OPTION_OF[error.setting];
    const value = error.setting.endsWith('Ms')
      ? Duration.millis(settings[error.setting] as number)
      : settings[error.setting];
    propsChecker(factory).fail(option, `${error.problem}; got ${shown(value)}.`);
  }
}
