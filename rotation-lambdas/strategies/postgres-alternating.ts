import { postgresDriver } from '../db/postgres';
import type { RotationStrategy } from '../protocol';
import { alternatingUsersStrategy, type DatabaseStrategyOptions } from './database';

/** PostgreSQL, alternating users. */
export function postgresAlternatingStrategy(options: DatabaseStrategyOptions = {}): RotationStrategy {
  return alternatingUsersStrategy('postgres-alternating', postgresDriver, options);
}
