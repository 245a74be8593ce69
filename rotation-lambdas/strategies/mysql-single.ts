import { mysqlDriver } from '../db/mysql';
import type { RotationStrategy } from '../protocol';
import { singleUserStrategy, type DatabaseStrategyOptions } from './database';

/** MySQL 8 and MariaDB, single user. */
export function mysqlSingleStrategy(options: DatabaseStrategyOptions = {}): RotationStrategy {
  return singleUserStrategy('mysql-single', mysqlDriver, options);
}
