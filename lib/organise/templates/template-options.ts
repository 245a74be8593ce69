import { validateNameSegment } from '../../core';
import type { CallOptions, Clock, SecretsClient } from '../../client';
import { ValidationError, show } from '../../errors';
import { TemplateCatalog } from './catalog';
import type { CatalogOption } from './describe-template';
import type { CheckContext } from './formats';

/**
 * The environments that take live (production) keys unless `productionEnvironments` says otherwise.
 * @example
 * await validateService(secrets, 'billing', { environment: 'live', productionEnvironments: [...DEFAULT_PRODUCTION_ENVIRONMENTS, 'live'] });
 */
export const DEFAULT_PRODUCTION_ENVIRONMENTS: readonly string[] = Object.freeze(['prod', 'production']);

/** The options `applyTemplate` and `validateService` share. */
export interface TemplateScopeOptions extends CallOptions, CatalogOption {
  /**
   * The environment, e.g. `prod`: the first segment of every secret name.
   * @default - the client's environment (`new SecretsClient({ environment })`); required when it has none
   */
  readonly environment?: string;
  /**
   * Environments that take production (live) keys; every other environment takes test keys.
   * @default ['prod', 'production']
   */
  readonly productionEnvironments?: readonly string[];
  /** For JWT expiry. @default - the system clock */
  readonly clock?: Pick<Clock, 'now'>;
}

/** Checked common options. */
export interface CheckedScope {
  readonly environment: string;
  readonly catalog: TemplateCatalog;
  readonly context: CheckContext;
  /** `{ principal }` when one was given, for the calls made on the caller's behalf. */
  readonly callOptions: CallOptions;
}

/** A name segment from the options, else from the client's scope; one of them must give it. */
export function scopePart(
  given: unknown,
  fromClient: string | undefined,
  field: 'environment' | 'service',
  method: string,
): string {
  if (given === undefined && fromClient === undefined) {
    throw new ValidationError(
      field,
      `${method} needs ${field === 'environment' ? 'an' : 'a'} ${field}: pass { ${field} } or use a client scoped to one.`,
    );
  }
  return validateNameSegment(given ?? fromClient, field);
}

/**
 * Checks the shared options and that no other key than `allowed` (and the shared ones) is
 * given; the environment defaults to the client's.
 */
export function checkScopeOptions(
  options: unknown,
  method: string,
  allowed: readonly string[],
  client: SecretsClient,
): CheckedScope {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError(
      'options',
      `${method} needs options { environment, ... }, got ${show(options)}.`,
    );
  }
  const known = new Set([
    'environment',
    'productionEnvironments',
    'clock',
    'catalog',
    'principal',
    ...allowed,
  ]);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new ValidationError(
        key,
        `${show(key)} is not an option of ${method}: it takes ${[...known].join(', ')}.`,
      );
    }
  }
  const given = options as Partial<TemplateScopeOptions>;
  const environment = scopePart(given.environment, client.scope.environment, 'environment', method);
  const production = given.productionEnvironments ?? DEFAULT_PRODUCTION_ENVIRONMENTS;
  if (!Array.isArray(production)) {
    throw new ValidationError(
      'productionEnvironments',
      'productionEnvironments must be an array of environment names.',
    );
  }
  production.forEach((name, i) => validateNameSegment(name, `productionEnvironments[${i}]`));
  const catalog = given.catalog ?? TemplateCatalog.builtIn();
  if (!(catalog instanceof TemplateCatalog)) {
    throw new ValidationError(
      'catalog',
      'catalog must be a TemplateCatalog (TemplateCatalog.builtIn().with(...)).',
    );
  }
  const clock = given.clock;
  if (clock !== undefined && typeof clock?.now !== 'function') {
    throw new ValidationError('clock', 'clock must have a now() that returns milliseconds since the epoch.');
  }
  return {
    environment,
    catalog,
    context: {
      environment,
      production: (production as readonly string[]).includes(environment),
      now: clock === undefined ? Date.now() : clock.now(),
    },
    callOptions: given.principal === undefined ? {} : { principal: given.principal },
  };
}
