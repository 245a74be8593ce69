import { ValidationError } from '../errors';
import { serialiseJsonValue, validateSecretValue } from '../core';

export type EncodedValue = { SecretString: string } | { SecretBinary: Uint8Array };

interface SecretSerialisable {
  toSecretString(): string;
}

function isSerialisable(value: object): value is SecretSerialisable {
  return typeof (value as Partial<SecretSerialisable>).toSecretString === 'function';
}

/**
 * A value as Secrets Manager stores it: strings as SecretString, bytes as SecretBinary,
 * objects as JSON. Objects that redact themselves in JSON (`DatabaseCredentials`) are
 * stored through their `toSecretString()`, never through `JSON.stringify`.
 */
export function encodeSecretValue(value: unknown, field = 'value'): EncodedValue {
  if (typeof value === 'string') return { SecretString: validateSecretValue(value, field) as string };
  if (value instanceof Uint8Array) return { SecretBinary: validateSecretValue(value, field) as Uint8Array };
  if (typeof value === 'object' && value !== null) {
    if (isSerialisable(value))
      return { SecretString: validateSecretValue(value.toSecretString(), field) as string };
    return { SecretString: serialiseJsonValue(value, field) };
  }
  throw new ValidationError(
    field,
    `${field} must be a string, a Uint8Array or a JSON-serialisable object, got ${value === null ? 'null' : typeof value}.`,
  );
}
