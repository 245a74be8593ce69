import { ValidationError } from '../../errors';
import { parseJson, type SecretKindSpec, type StoredValue } from './kind-spec';
import type { SecretKind } from '../../core';

const EXPECTED = 'JSON text of an object or an array';

/** A JSON object or array, as `json` and `encrypted-json` values are (before encryption). */
export function checkJsonDocument(value: StoredValue, kind: SecretKind, field: string): void {
  const parsed = parseJson(value, kind, field, EXPECTED);
  if (typeof parsed !== 'object' || parsed === null) {
    throw new ValidationError(field, `A '${kind}' secret is ${EXPECTED}; ${field} is a JSON scalar.`);
  }
}

/**
 * `json`: a JSON object or array, usually a service's credentials together (the product's
 * Supabase and Firebase configurations); they rotate quarterly, as the API keys in them.
 */
export const jsonKind: SecretKindSpec = {
  kind: 'json',
  shape: EXPECTED,
  check: (value, field) => checkJsonDocument(value, 'json', field),
  rotation: {
    days: 90,
    reason: 'A JSON secret bundles service credentials, which rotate quarterly as API keys do.',
  },
};
