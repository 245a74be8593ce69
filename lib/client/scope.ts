import { validateBoolean, validateNameSegment } from '../core';
import { ValidationError } from '../errors';

/**
 * A client's scope: the environment and service its bare secret names belong to, as the
 * product's `getSecret('stripe_key')` resolves per environment. One rule, here, decides what
 * every method that takes a secret id reads or writes:
 *
 * - A **bare name** is a non-empty string with no `/` that is not an ARN (does not start
 *   with `arn:`). In a scoped client it resolves to the name `create` gives a secret of that
 *   scope: `{environment}/{service}/{name}`, an absent part left out (`{environment}/{name}`
 *   with only an environment, `{service}/{name}` with only a service).
 * - Anything else is taken as given: a full name (it contains `/`), an ARN (full or partial),
 *   an SSM parameter (`ssm:db_url`, `ssm:/prod/billing/db_url`: parameter names are absolute),
 *   and, so that validation can say what is wrong, anything that is not a non-empty string.
 * - A client with neither an environment nor a service takes every id as given.
 */

/** The environment and service of a client; both absent for an unscoped client. */
export interface SecretScope {
  /** @default - none */
  readonly environment?: string;
  /** @default - none */
  readonly service?: string;
}

/** The environment variables a client's scope defaults from. */
export const SCOPE_ENVIRONMENT_VARIABLES = Object.freeze({
  environment: 'KEYSTAGE_ENVIRONMENT',
  service: 'KEYSTAGE_SERVICE',
});

/** Bare names resolved so far, per scope; cleared rather than evicted one by one when full. */
const RESOLVED_KEPT = 1000;

/**
 * True for a bare name: a non-empty string with no `/` that does not start with `arn:` or `ssm:`.
 * @example
 * isBareName('stripe_key'); // true
 * isBareName('prod/billing/stripe_key'); // false: a full name
 * isBareName('arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf'); // false
 */
export function isBareName(id: unknown): id is string {
  return (
    typeof id === 'string' &&
    id !== '' &&
    !id.includes('/') &&
    !id.startsWith('arn:') &&
    !id.startsWith('ssm:')
  );
}

/** One scope part: the option if given (null: none), else the environment variable, checked. */
function scopePart(
  given: unknown,
  field: 'environment' | 'service',
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (given === null) return undefined;
  if (given !== undefined) return validateNameSegment(given, field);
  const variable = SCOPE_ENVIRONMENT_VARIABLES[field];
  const fromEnv = env[variable];
  // An empty variable is how shells unset a value for one command: no scope part.
  if (fromEnv === undefined || fromEnv === '') return undefined;
  return validateNameSegment(fromEnv, variable);
}

/**
 * The resolution rule of one client: built once, then `resolve` for every id. Immutable;
 * `withEnvironment` makes another.
 */
export class ClientScope {
  readonly environment: string | undefined;
  readonly service: string | undefined;
  /** `{environment}/{service}/` (absent parts left out); undefined when unscoped. */
  readonly #prefix: string | undefined;
  /** bare name -> full name, so a hot bare-name read allocates nothing after its first. */
  readonly #resolved = new Map<string, string>();

  constructor(scope: SecretScope) {
    this.environment = scope.environment;
    this.service = scope.service;
    const parts = [scope.environment, scope.service].filter((part) => part !== undefined);
    this.#prefix = parts.length === 0 ? undefined : `${parts.join('/')}/`;
  }

  /**
   * The scope from a client's options, defaulting to KEYSTAGE_ENVIRONMENT and
   * KEYSTAGE_SERVICE; `null` in the options means none, whatever the environment says.
   * Each part is checked as `create` checks its environment and service.
   * @example
   * const scope = ClientScope.from({ environment: 'prod', service: 'billing' }, process.env);
   */
  static from(
    options: { readonly environment?: unknown; readonly service?: unknown },
    env: Readonly<Record<string, string | undefined>>,
  ): ClientScope {
    return new ClientScope({
      ...optional('environment', scopePart(options.environment, 'environment', env)),
      ...optional('service', scopePart(options.service, 'service', env)),
    });
  }

  /** True when bare names are resolved: an environment or a service is set. */
  get scoped(): boolean {
    return this.#prefix !== undefined;
  }

  /** The scope as a plain, frozen object. */
  toScope(): SecretScope {
    return Object.freeze({
      ...optional('environment', this.environment),
      ...optional('service', this.service),
    });
  }

  /** The same service in another environment, checked like the client option. */
  withEnvironment(environment: unknown): ClientScope {
    return new ClientScope({
      environment: validateNameSegment(environment, 'environment'),
      ...optional('service', this.service),
    });
  }

  /**
   * The id a call names: a bare name with the scope's prefix, anything else as given (see
   * the file comment). A full name costs two scans of the string and no allocation.
   * @example
   * new ClientScope({ environment: 'prod', service: 'billing' }).resolve('stripe_key'); // 'prod/billing/stripe_key'
   */
  resolve<T>(id: T): T | string {
    const prefix = this.#prefix;
    if (prefix === undefined || !isBareName(id)) return id;
    let full = this.#resolved.get(id);
    if (full === undefined) {
      if (this.#resolved.size >= RESOLVED_KEPT) this.#resolved.clear();
      full = prefix + id;
      this.#resolved.set(id, full);
    }
    return full;
  }

  /**
   * `create`'s environment and service: the call's own, else, for a bare name, the scope's.
   * A full name gets no scope parts, as `get` takes it as given.
   */
  createParts(options: {
    readonly name?: unknown;
    readonly environment?: unknown;
    readonly service?: unknown;
  }): { environment?: unknown; service?: unknown } {
    if (!this.scoped || !isBareName(options.name)) return {};
    return {
      ...(options.environment === undefined ? optional('environment', this.environment) : {}),
      ...(options.service === undefined ? optional('service', this.service) : {}),
    };
  }

  /**
   * A listing's tag filters: the call's `environment` and `service`, else the scope's, unless
   * the call passes `scoped: false`. `scoped` is checked and left out of the result; options
   * that are not an object are left for the operation's validation to report.
   */
  listFilters<O extends ScopedFilters>(options: O): Omit<O, 'scoped'> {
    if (typeof options !== 'object' || options === null) return options;
    const { scoped, ...rest } = options;
    if (!validateBoolean(scoped, 'scoped', true)) return rest;
    return {
      ...rest,
      ...(rest.environment === undefined ? optional('environment', this.environment) : {}),
      ...(rest.service === undefined ? optional('service', this.service) : {}),
    };
  }
}

/** The filters a scope fills, and the switch that turns it off. */
export interface ScopedFilters {
  readonly environment?: string;
  readonly service?: string;
  readonly scoped?: boolean;
}

/** `{ [key]: value }` when value is defined, else `{}`: optional properties stay absent. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * Refuses a read of everything: `getAll` with no environment, service, tag or prefix (from
 * the call or the scope) would read every secret of the account and region, which a caller
 * asks for with `scoped: false` on purpose, never by leaving the client unscoped.
 */
export function requireFilters(
  filters: {
    readonly environment?: unknown;
    readonly service?: unknown;
    readonly tag?: unknown;
    readonly prefix?: unknown;
  },
  scoped: unknown,
  method: string,
): void {
  if (scoped === false) return;
  const { environment, service, tag, prefix } = filters;
  if (environment === undefined && service === undefined && tag === undefined && prefix === undefined) {
    throw new ValidationError(
      'scoped',
      `${method} has nothing to narrow it (no environment, service, tag or prefix, and the client is unscoped): ` +
        `set environment and service on the client (or ${SCOPE_ENVIRONMENT_VARIABLES.environment} and ` +
        `${SCOPE_ENVIRONMENT_VARIABLES.service}), pass filters, or pass scoped: false to read every secret.`,
    );
  }
}
