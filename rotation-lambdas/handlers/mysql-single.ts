import { connectionSettingsFromEnv } from '../db/secret';
import { passwordPolicyFromEnv } from '../config';
import { createRotationHandler } from '../protocol';
import { mysqlSingleStrategy } from '../strategies/mysql-single';

/** Lambda entry: MySQL 8 and MariaDB, single user. Configured by PASSWORD_LENGTH, EXCLUDE_CHARACTERS, DB_CONNECT_TIMEOUT_MS, DB_QUERY_TIMEOUT_MS. */
export const handler = createRotationHandler(
  mysqlSingleStrategy({
    password: passwordPolicyFromEnv(process.env),
    connection: connectionSettingsFromEnv(process.env),
  }),
);
