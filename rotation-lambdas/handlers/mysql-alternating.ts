import { connectionSettingsFromEnv } from '../db/secret';
import { passwordPolicyFromEnv } from '../config';
import { createRotationHandler } from '../protocol';
import { mysqlAlternatingStrategy } from '../strategies/mysql-alternating';

/** Lambda entry: MySQL 8 and MariaDB, alternating users. Configured by PASSWORD_LENGTH, EXCLUDE_CHARACTERS, DB_CONNECT_TIMEOUT_MS, DB_QUERY_TIMEOUT_MS. */
export const handler = createRotationHandler(
  mysqlAlternatingStrategy({
    password: passwordPolicyFromEnv(process.env),
    connection: connectionSettingsFromEnv(process.env),
  }),
);
