import { DEFAULT_PORTS, parseDatabaseSecret } from '../../core';
import { ValidationError } from '../../errors';
import { textOf, type SecretKindSpec } from './kind-spec';

/**
 * `database`: the database secret shape of lib/core (engine, host, username, password; port,
 * dbname, ssl, masterarn optional), the JSON AWS's rotation functions read. The product
 * rotates database credentials monthly.
 */
export const databaseKind: SecretKindSpec = {
  kind: 'database',
  shape: 'a JSON object { engine, host, username, password, port?, dbname?, ssl?, masterarn? }',
  check: (value, field) => {
    const text = textOf(value, 'database', field);
    try {
      parseDatabaseSecret(text, {
        subject: `The '${field}' of a database secret`,
      });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // The rule's messages name the key, and for `engine` quote what was given: a reader may,
      // but a write may not, so that one is said again without it.
      const message =
        error.field === 'engine'
          ? `The '${field}' of a database secret has an engine keystage does not know; expected ${Object.keys(DEFAULT_PORTS).join(', ')}.`
          : error.message;
      throw new ValidationError(error.field === 'secret' ? field : `${field}.${error.field}`, message);
    }
  },
  rotation: { days: 30, reason: 'Database credentials rotate monthly.' },
};
