import { connectionSettingsFromEnv } from '../db/secret';
import { passwordPolicyFromEnv } from '../config';
import { createRotationHandler } from '../protocol';
import { postgresAlternatingStrategy } from '../strategies/postgres-alternating';

/** Lambda entry: PostgreSQL, alternating users. Configured by PASSWORD_LENGTH, EXCLUDE_CHARACTERS, DB_CONNECT_TIMEOUT_MS, DB_QUERY_TIMEOUT_MS. */
export const handler = createRotationHandler(
  postgresAlternatingStrategy({
    password: passwordPolicyFromEnv(process.env),
    connection: connectionSettingsFromEnv(process.env),
  }),
);
