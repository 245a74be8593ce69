import { postgresServer, stopScramCluster } from './scram-postgres';

export default function globalTeardown(): void {
  if (process.env.KEYSTAGE_TEST_POSTGRES !== undefined) stopScramCluster(postgresServer());
}
