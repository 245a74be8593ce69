import type { SecretSource } from '../cache';
import { fetchMany, toFetched } from './operations/get-many';
import { fetchVersion, versionRead } from './operations/read';
import type { CallStage } from './pipeline';

/**
 * Where the read cache reads from: the call stage, running the same work an uncached read
 * runs (one GetSecretValue with its revocation check, or BatchGetSecretValue), with the
 * same error map. The cache knows nothing of the client; a miss and an uncached read are
 * the same call. Ids are checked here too, since `client.cache` is public and its callers
 * skip the validate stage.
 */
export function callStageSource(call: CallStage): SecretSource {
  return {
    fetch: (id, selector) => call.run(fetchVersion, versionRead(id, selector)),
    fetchMany: async (ids) => {
      const { values, errors } = await call.run(fetchMany, ids);
      return { values: toFetched(values), errors };
    },
  };
}
