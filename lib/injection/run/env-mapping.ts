import type { CallOptions, SecretsClient } from '../../client';
import { isSsmId, validateSsmId } from '../../client/ssm-source';
import { validateSecretId } from '../../core';
import { SecretDecodeError, ValidationError, show } from '../../errors';

/** One environment variable of the child and the secret (or JSON field of it) it holds. */
export interface EnvMapping {
  /** The variable, e.g. `DB_PASSWORD`. */
  readonly name: string;
  /** The secret, as given: a name, an ARN, or a bare name the client's scope resolves. */
  readonly secretId: string;
  /** The top-level JSON field to take; undefined for the whole value. */
  readonly field: string | undefined;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads `id` or `id#field` (a secret or an `ssm:` parameter, or one top-level field of a JSON
 * value). Secret names, ARNs and parameter names cannot contain `#`, so the first starts the field.
 * @example
 * parseSecretReference('prod/billing/db#password', 'DB_PASSWORD'); // { secretId: 'prod/billing/db', field: 'password' }
 */
export function parseSecretReference(reference: unknown, field: string): Omit<EnvMapping, 'name'> {
  if (typeof reference !== 'string') {
    throw new ValidationError(
      field,
      `${field} must be "secret-id" or "secret-id#field", got ${show(reference)}.`,
    );
  }
  const hash = reference.indexOf('#');
  const id = hash < 0 ? reference : reference.slice(0, hash);
  const secretId = isSsmId(id) ? validateSsmId(id, field) : validateSecretId(id, field);
  const key = hash < 0 ? undefined : reference.slice(hash + 1);
  if (key === '') {
    throw new ValidationError(
      field,
      `${field} ${show(reference)} names no field after "#": write "secret-id#field".`,
    );
  }
  return { secretId, field: key };
}

/** Checks `{ NAME: 'id#field' }`: at least one variable, each a valid name and reference. */
export function parseEnvMappings(env: unknown): EnvMapping[] {
  if (typeof env !== 'object' || env === null || Array.isArray(env)) {
    throw new ValidationError(
      'env',
      `env must be an object such as { DB_PASSWORD: 'prod/billing/db#password' }, got ${show(env)}.`,
    );
  }
  const entries = Object.entries(env as Record<string, unknown>);
  if (entries.length === 0) {
    throw new ValidationError(
      'env',
      'env names no variable: give at least one, e.g. { DB_PASSWORD: "prod/billing/db#password" }.',
    );
  }
  return entries.map(([name, reference]) => {
    if (!VARIABLE_NAME.test(name)) {
      throw new ValidationError(
        `env.${name}`,
        `${show(name)} is not an environment variable name: use letters, digits and "_", not starting with a digit.`,
      );
    }
    return { name, ...parseSecretReference(reference, `env.${name}`) };
  });
}

/**
 * Reads `NAME=id#field` as the command line gives it (`keystage run --env`), for
 * {@link parseEnvMappings}. A name given twice is refused: the second would silently win.
 * @example
 * envFromFlags(['DB_PASSWORD=prod/billing/db#password']); // { DB_PASSWORD: 'prod/billing/db#password' }
 */
export function envFromFlags(flags: readonly string[], field = '--env'): Record<string, string> {
  const env: Record<string, string> = {};
  for (const flag of flags) {
    const equals = flag.indexOf('=');
    if (equals <= 0) {
      throw new ValidationError(
        field,
        `${field} ${show(flag)} must be NAME=secret-id or NAME=secret-id#field.`,
      );
    }
    const name = flag.slice(0, equals);
    if (Object.hasOwn(env, name)) throw new ValidationError(field, `${field} names ${show(name)} twice.`);
    env[name] = flag.slice(equals + 1);
  }
  return env;
}

/** A JSON field as an environment variable holds it: strings as they are, anything else as JSON. */
function fieldText(secretId: string, parsed: unknown, field: string): string {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SecretDecodeError(
      `Secret ${JSON.stringify(secretId)} is not a JSON object, so it has no field ${JSON.stringify(field)}: inject it whole (no "#").`,
      { secretId },
    );
  }
  if (!Object.hasOwn(parsed, field)) {
    const keys = Object.keys(parsed);
    throw new SecretDecodeError(
      `Secret ${JSON.stringify(secretId)} has no field ${JSON.stringify(field)}; its fields are ` +
        `${keys.length === 0 ? 'none' : keys.map((key) => JSON.stringify(key)).join(', ')}.`,
      { secretId },
    );
  }
  const value = (parsed as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The values of one secret's variables, read through the client (so the access policy and
 * the audit trail see each read): the whole value with `get`, fields with one `getJson`.
 * `versionId` pins the version the watcher reported, so a rotation in between is not missed.
 */
export async function readMappedValues(
  client: SecretsClient,
  secretId: string,
  mappings: readonly EnvMapping[],
  versionId: string | undefined,
  call: CallOptions,
): Promise<Map<string, string>> {
  const options = versionId === undefined ? call : { ...call, versionId };
  const whole = mappings.some((mapping) => mapping.field === undefined)
    ? await client.get(secretId, options)
    : undefined;
  const json = mappings.some((mapping) => mapping.field !== undefined)
    ? await client.getJson(secretId, options)
    : undefined;
  const values = new Map<string, string>();
  for (const mapping of mappings) {
    const value = mapping.field === undefined ? whole! : fieldText(secretId, json, mapping.field);
    if (value.includes('\u0000')) {
      throw new SecretDecodeError(
        `The value for ${mapping.name} from ${JSON.stringify(secretId)} holds a NUL character, which an environment variable cannot.`,
        { secretId },
      );
    }
    values.set(mapping.name, value);
  }
  return values;
}
