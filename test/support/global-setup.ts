import { choosePostgres, publish } from './scram-postgres';

/** Once per jest run: the PostgreSQL server that refuses wrong passwords. Workers inherit the env. */
export default async function globalSetup(): Promise<void> {
  publish(await choosePostgres());
}
