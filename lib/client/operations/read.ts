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
import { parseSecretJson, type FetchedSecret } from '../../cache/secret-cache';
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

/** One version as the cache keeps it, straight from GetSecretValue. */
export async function fetchSecret(
  ctx: ClientContext,
  id: string,
  options: GetOptions,
): Promise<FetchedSecret> {
  const output = await readSecretValue(ctx, id, options);
  return {
    arn: output.ARN ?? id,
    name: output.Name ?? id,
    versionId: output.VersionId ?? '',
    text: output.SecretString,
    binary: output.SecretBinary,
  };
}

/**
 * Through the cache when there is one. Arguments are checked on a miss, by the read that
 * goes to the service: a hit can only be for an id and selector that passed before.
 */
function readVersion(ctx: ClientContext, id: string, options: GetOptions): Promise<FetchedSecret> {
  if (ctx.cache === undefined || typeof options !== 'object' || options === null)
    return fetchSecret(ctx, id, options);
  return ctx.cache.get(id, options);
}

/** The string value of a secret. */
export async function getSecretString(ctx: ClientContext, id: string, options: GetOptions): Promise<string> {
  const version = await readVersion(ctx, id, options);
  if (version.text !== undefined) return version.text;
  throw new SecretDecodeError(
    version.binary === undefined
      ? `Secret ${JSON.stringify(id)} returned no value.`
      : `Secret ${JSON.stringify(id)} holds binary data: read it with getBinary().`,
    { secretId: id },
  );
}

function runValidator<T>(validate: JsonValidator<T>, value: unknown): T {
  return typeof validate === 'function' ? validate(value) : validate.parse(value);
}

/**
 * The parsed JSON value of a secret (parsed once per version and frozen when cached).
 * A validator's error is not kept as the cause: validators routinely quote the value.
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
  const version = await readVersion(ctx, id, options);
  const parsed = ctx.cache === undefined ? parseSecretJson(version) : ctx.cache.json(version);
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
  const version = await readVersion(ctx, id, options);
  if (version.binary !== undefined) return version.binary;
  throw new SecretDecodeError(
    version.text === undefined
      ? `Secret ${JSON.stringify(id)} returned no value.`
      : `Secret ${JSON.stringify(id)} holds a string: read it with get() or getJson().`,
    { secretId: id },
  );
}
