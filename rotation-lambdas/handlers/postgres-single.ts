import { connectionSettingsFromEnv } from '../db/secret';
import { passwordPolicyFromEnv } from '../config';
import { createRotationHandler } from '../protocol';
import { postgresSingleStrategy } from '../strategies/postgres-single';

/** Lambda entry: PostgreSQL, single user. Configured by PASSWORD_LENGTH, EXCLUDE_CHARACTERS, DB_CONNECT_TIMEOUT_MS, DB_QUERY_TIMEOUT_MS. */
export const handler = createRotationHandler(
  postgresSingleStrategy({
    password: passwordPolicyFromEnv(process.env),
    connection: connectionSettingsFromEnv(process.env),
  }),
);
