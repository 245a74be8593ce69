import type { DatabaseSecret } from '../../lib/core';
import type { ConnectionSettings } from './secret';

/** A logged-in database connection, as a rotation needs it. */
export interface DatabaseSession {
  /** Sets the logged-in user's own password. */
  setOwnPassword(password: string): Promise<void>;
  /**
   * As the master user: makes `user` a working alternate of `base` (created if missing,
   * grants made coherent with `source`, the user whose grants the app relies on now), and
   * sets its password. Converges when run again.
   */
  prepareAlternate(alternate: {
    base: string;
    source: string;
    user: string;
    password: string;
  }): Promise<void>;
  /**
   * What testSecret runs as the pending user: a query in the secret's database, and for
   * alternating users, that it has the access of the current user (`accessOf`, which still
   * logs in): PostgreSQL checks that the session acts as `actsAs`, the base user whose
   * privileges and objects both users share; MySQL, where no user acts as another, logs in
   * as `accessOf` too and checks that the pending user holds every privilege it holds.
   */
  check(expect: { actsAs?: string; accessOf?: DatabaseSecret }): Promise<void>;
  close(): Promise<void>;
}

/** One database engine's side of a rotation. */
export interface DatabaseDriver {
  /** The `engine` values this driver accepts in a secret. */
  readonly engines: readonly string[];
  readonly defaultPort: number;
  /** Longest user name, in bytes. */
  readonly nameLimit: number;
  /**
   * Logs in with a secret. Resolves to undefined when the server refuses the credentials
   * (wrong password, unknown user); throws a `DATABASE_UNREACHABLE` failure when it cannot
   * be reached in time or refuses TLS.
   */
  login(secret: DatabaseSecret, settings: ConnectionSettings): Promise<DatabaseSession | undefined>;
}
