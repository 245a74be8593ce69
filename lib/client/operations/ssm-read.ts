import type { FetchedSecret } from '../../cache';
import type { CallContext } from '../pipeline';
import { fetchedParameter, parameterName } from '../ssm-source';
import type { VersionRead } from './read';
import { ssmError } from './ssm-errors';
import { sdkSsmClient, ssmSdk } from './ssm-sdk';

type SdkSsmClient = ReturnType<typeof sdkSsmClient>;

/** One SSM request through the call stage's SSM client, its failures mapped like every other AWS error. */
export async function sendSsm<T>(
  context: CallContext,
  api: string,
  subject: string | undefined,
  request: (ssm: SdkSsmClient) => Promise<T>,
): Promise<T> {
  try {
    return await request(sdkSsmClient(context.ssm));
  } catch (error) {
    throw ssmError(error, subject === undefined ? { operation: api } : { operation: api, secretId: subject });
  }
}

/**
 * One GetParameter with decryption: the work behind every read of an `ssm:` id (`get`,
 * `getJson`, `getBinary`), and the cache's source for one. The selector goes after a `:`.
 */
export async function fetchParameter(read: VersionRead, context: CallContext): Promise<FetchedSecret> {
  const { versionId, versionStage } = read.selector;
  const selector = versionId ?? versionStage;
  const name = parameterName(read.id);
  const output = await sendSsm(context, 'GetParameter', read.id, (ssm) =>
    ssm.send(
      new (ssmSdk().GetParameterCommand)({
        Name: selector === undefined ? name : `${name}:${selector}`,
        WithDecryption: true,
      }),
    ),
  );
  return fetchedParameter(read.id, output.Parameter);
}
