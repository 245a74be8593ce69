import { mysqlDriver } from '../db/mysql';
import type { RotationStrategy } from '../protocol';
import { alternatingUsersStrategy, type DatabaseStrategyOptions } from './database';

/** MySQL 8 and MariaDB, alternating users. */
export function mysqlAlternatingStrategy(options: DatabaseStrategyOptions = {}): RotationStrategy {
  return alternatingUsersStrategy('mysql-alternating', mysqlDriver, options);
}
