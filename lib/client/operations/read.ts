import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
} from '@aws-sdk/client-secrets-manager';
import {
  KeystageError,
  PermissionDeniedError,
  SecretDecodeError,
  SecretRevokedError,
  ValidationError,
} from '../../errors';
import { call, type ClientContext } from '../context';
import { keystageMetadata, tagsToRecord } from '../metadata';
import type { GetJsonOptions, GetOptions, JsonValidator } from '../types';
import { validateSecretId, validateVersionStage, validateVersionToken } from '../validation';

/**
 * A read that was refused may be a revocation: keystage revokes with a resource policy
 * that denies GetSecretValue and records it in a tag. Only then, one DescribeSecret tells
 * the two apart, so ordinary reads pay nothing for it.
 */
export async function explainDenied(ctx: ClientContext, secretId: string, error: unknown): Promise<unknown> {
  if (!(error instanceof PermissionDeniedError)) return error;
  try {
    const described = await ctx.sm.send(new DescribeSecretCommand({ SecretId: secretId }));
    const meta = keystageMetadata(tagsToRecord(described.Tags));
    if (meta.status !== 'revoked') return error;
    const when = meta.revokedAt === undefined ? '' : ` at ${meta.revokedAt}`;
    return new SecretRevokedError(
      `Secret ${JSON.stringify(secretId)} was revoked${when}` +
        `${meta.revokedReason === undefined ? '' : ` (${meta.revokedReason})`}: reads are denied until restore() is called.`,
      {
        cause: error.cause ?? error,
        secretId,
        ...(meta.revokedReason === undefined ? {} : { reason: meta.revokedReason }),
      },
    );
  } catch (describeError) {
    ctx.logger.debug('revocation check failed; reporting the original denial', {
      secretId,
      code: describeError instanceof KeystageError ? describeError.code : 'UNKNOWN',
    });
    return error;
  }
}

/** Checks the read options and turns them into GetSecretValue parameters. */
function versionSelector(options: GetOptions): { VersionStage?: string; VersionId?: string } {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError(
      'options',
      'Read options must be an object such as { versionStage: "AWSPREVIOUS" }.',
    );
  }
  return {
    ...(options.versionStage === undefined
      ? {}
      : { VersionStage: validateVersionStage(options.versionStage) }),
    ...(options.versionId === undefined
      ? {}
      : { VersionId: validateVersionToken(options.versionId, 'versionId') }),
  };
}

/** One GetSecretValue, with errors mapped and revocation explained. */
export async function readSecretValue(
  ctx: ClientContext,
  id: string,
  options: GetOptions,
): Promise<GetSecretValueCommandOutput> {
  const secretId = validateSecretId(id);
  const selector = versionSelector(options);
  try {
    return await call('GetSecretValue', secretId, () =>
      ctx.sm.send(new GetSecretValueCommand({ SecretId: secretId, ...selector })),
    );
  } catch (error) {
    throw await explainDenied(ctx, secretId, error);
  }
}

/** The string value of a secret. */
export async function getSecretString(ctx: ClientContext, id: string, options: GetOptions): Promise<string> {
  const output = await readSecretValue(ctx, id, options);
  if (output.SecretString !== undefined) return output.SecretString;
  throw new SecretDecodeError(
    output.SecretBinary === undefined
      ? `Secret ${JSON.stringify(id)} returned no value.`
      : `Secret ${JSON.stringify(id)} holds binary data: read it with getBinary().`,
    { secretId: id },
  );
}

function runValidator<T>(validate: JsonValidator<T>, value: unknown): T {
  return typeof validate === 'function' ? validate(value) : validate.parse(value);
}

/**
 * The parsed JSON value of a secret. Neither a parse error nor a validator's error is kept
 * as the cause: both routinely quote the text they reject, which here is the secret.
 */
export async function getSecretJson<T>(
  ctx: ClientContext,
  id: string,
  options: GetJsonOptions<T>,
): Promise<T> {
  const validate = options?.validate;
  if (validate !== undefined && typeof validate !== 'function' && typeof validate?.parse !== 'function') {
    throw new ValidationError(
      'validate',
      'validate must be a function or an object with a parse(value) method.',
    );
  }
  const text = await getSecretString(ctx, id, options);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SecretDecodeError(
      `Secret ${JSON.stringify(id)} is not valid JSON (${text.length} characters): read it with get() or fix the stored value.`,
      { secretId: id },
    );
  }
  if (validate === undefined) return parsed as T;
  try {
    return runValidator(validate, parsed);
  } catch (error) {
    const name = error instanceof Error ? error.name : typeof error;
    throw new SecretDecodeError(
      `Secret ${JSON.stringify(id)} does not have the expected shape (the validator threw ${name}); ` +
        'the validator message is not shown because it may quote the value.',
      { secretId: id },
    );
  }
}

/** The binary value of a secret. */
export async function getSecretBinary(
  ctx: ClientContext,
  id: string,
  options: GetOptions,
): Promise<Uint8Array> {
  const output = await readSecretValue(ctx, id, options);
  if (output.SecretBinary !== undefined) return output.SecretBinary;
  throw new SecretDecodeError(
    output.SecretString === undefined
      ? `Secret ${JSON.stringify(id)} returned no value.`
      : `Secret ${JSON.stringify(id)} holds a string: read it with get() or getJson().`,
    { secretId: id },
  );
}
