import { postgresDriver } from '../db/postgres';
import type { RotationStrategy } from '../protocol';
import { singleUserStrategy, type DatabaseStrategyOptions } from './database';

/** PostgreSQL, single user. */
export function postgresSingleStrategy(options: DatabaseStrategyOptions = {}): RotationStrategy {
  return singleUserStrategy('postgres-single', postgresDriver, options);
}
