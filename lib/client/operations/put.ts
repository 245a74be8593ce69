import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ValidationError } from '../../errors';
import { audited, call, type ClientContext } from '../context';
import { encodeSecretValue } from '../encode-value';
import type { PutOptions } from '../types';
import { validateSecretId, validateVersionStage, validateVersionToken } from '../validation';

/**
 * Stores a new version. Secrets Manager makes the token idempotent: the same token with
 * the same value is a no-op, with a different value a ResourceExistsException (CONFLICT).
 */
export async function putSecretValue(
  ctx: ClientContext,
  id: string,
  value: string | Uint8Array | object,
  options: PutOptions,
): Promise<string> {
  const secretId = validateSecretId(id);
  const encoded = encodeSecretValue(value);
  const token =
    options?.clientRequestToken === undefined
      ? undefined
      : validateVersionToken(options.clientRequestToken, 'clientRequestToken');
  let stages: string[] | undefined;
  if (options?.versionStages !== undefined) {
    if (
      !Array.isArray(options.versionStages) ||
      options.versionStages.length === 0 ||
      options.versionStages.length > 20
    ) {
      throw new ValidationError('versionStages', 'versionStages must be an array of 1 to 20 staging labels.');
    }
    stages = options.versionStages.map((stage, i) => validateVersionStage(stage, `versionStages[${i}]`));
  }
  return audited(
    ctx,
    'put',
    secretId,
    async () => {
      const output = await call('PutSecretValue', secretId, () =>
        ctx.sm.send(
          new PutSecretValueCommand({
            SecretId: secretId,
            ...encoded,
            ...(token === undefined ? {} : { ClientRequestToken: token }),
            ...(stages === undefined ? {} : { VersionStages: stages }),
          }),
        ),
      );
      ctx.logger.debug('secret version stored', { secretId, versionId: output.VersionId });
      return { arn: output.ARN, versionId: output.VersionId ?? '', stages: output.VersionStages ?? [] };
    },
    (result) => ({
      ...(result.arn === undefined ? {} : { secret: result.arn }),
      details: { versionId: result.versionId, stages: result.stages },
    }),
  ).then((result) => result.versionId);
}
