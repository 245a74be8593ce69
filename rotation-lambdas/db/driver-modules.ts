import type * as Mysql2 from 'mysql2/promise';
import type * as Pg from 'pg';
import { RotationFailure } from '../errors';

// pg and mysql2 are optional peer dependencies of `keystage/rotation` (and bundled into the
// built functions): each is loaded when a rotation first connects to its engine, so a
// function that rotates PostgreSQL does not need mysql2 installed, nor the other way round,
// and `import 'keystage/rotation'` loads neither. Node caches a module after the first load.

function load<T>(name: string, what: string, required: () => T): T {
  try {
    return required();
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw error;
    throw new RotationFailure(
      'UNEXPECTED_ERROR',
      `The ${what} strategies need the "${name}" package, an optional peer dependency of keystage: install it next to keystage.`,
      { cause: error },
    );
  }
}

/** node-postgres, loaded on first use. */
export function pgModule(): typeof Pg {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return load('pg', 'PostgreSQL', () => require('pg') as typeof Pg);
}

/** mysql2's promise API, loaded on first use. */
export function mysql2Module(): typeof Mysql2 {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return load('mysql2', 'MySQL', () => require('mysql2/promise') as typeof Mysql2);
}
