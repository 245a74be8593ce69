import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { FetchedSecret, SecretCache } from '../../cache';
import {
  parseSecretJson,
  validateSecretId,
  validateVersionStage,
  validateVersionToken,
  type VersionStage,
} from '../../core';
import {
  KeystageError,
  PermissionDeniedError,
  SecretDecodeError,
  SecretRevokedError,
  ValidationError,
} from '../../errors';
import { keystageMetadata, tagsToRecord } from '../metadata';
import type { CacheUse, Invocation, Operation } from '../operation';
import type { CallOptions } from '../options';
import type { CallContext } from '../pipeline';
import { SealedSecretValue } from '../sealed-value';
import { isSsmId, ssmRead } from '../ssm-source';
import { fetchParameter } from './ssm-read';

export interface GetOptions extends CallOptions {
  /** @default 'AWSCURRENT' (when no versionId) */
  readonly versionStage?: VersionStage;
  /** @default - the version holding `versionStage` */
  readonly versionId?: string;
}

/** A validator for `getJson`: a function, or an object with `parse` (a zod schema fits). */
export type JsonValidator<T> = ((value: unknown) => T) | { parse(value: unknown): T };

export interface GetJsonOptions<T> extends GetOptions {
  /** Checks and narrows the parsed value; a throw becomes a `SecretDecodeError`. @default - no check */
  readonly validate?: JsonValidator<T>;
}

/** Which version a read selects, as the cache keys it. */
export interface VersionSelector {
  readonly versionStage?: string;
  readonly versionId?: string;
}

/** A checked read of one version of one secret. */
export interface VersionRead {
  readonly id: string;
  readonly selector: VersionSelector;
}

/** The AWSCURRENT read of a secret id checked before: most reads ask for it again and again. */
const currentReads = new Map<string, VersionRead>();
/** Past this many ids the map starts again (checking an id is cheap; keeping all is not). */
const CURRENT_READS_KEPT = 4_096;
const CURRENT: VersionSelector = Object.freeze({});

/** Checks a read's id and options (an `ssm:` id's as SSM takes them). */
export function versionRead(id: unknown, options: unknown): VersionRead {
  const current =
    typeof id === 'string' &&
    typeof options === 'object' &&
    options !== null &&
    (options as GetOptions).versionStage === undefined &&
    (options as GetOptions).versionId === undefined;
  if (!current) return checkedRead(id, options);
  const known = currentReads.get(id);
  if (known !== undefined) return known;
  const read = checkedRead(id, options);
  if (read.id !== id || Object.keys(read.selector).length > 0) return read;
  if (currentReads.size >= CURRENT_READS_KEPT) currentReads.clear();
  // Shared by every read of the id from now on, so frozen.
  const shared: VersionRead = Object.freeze({ id, selector: CURRENT });
  currentReads.set(id, shared);
  return shared;
}

function checkedRead(id: unknown, options: unknown): VersionRead {
  if (isSsmId(id)) return ssmRead(id, options);
  const secretId = validateSecretId(id);
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError(
      'options',
      'Read options must be an object such as { versionStage: "AWSPREVIOUS" }.',
    );
  }
  const { versionStage, versionId } = options as GetOptions;
  return {
    id: secretId,
    selector: {
      ...(versionStage === undefined ? {} : { versionStage: validateVersionStage(versionStage) }),
      ...(versionId === undefined ? {} : { versionId: validateVersionToken(versionId, 'versionId') }),
    },
  };
}

/**
 * A read that was refused may be a revocation: keystage revokes with a resource policy
 * that denies GetSecretValue and records it in a tag. Only then, one DescribeSecret tells
 * the two apart, so ordinary reads pay nothing for it.
 */
export async function explainDenied(
  context: CallContext,
  secretId: string,
  error: unknown,
): Promise<unknown> {
  if (!(error instanceof PermissionDeniedError)) return error;
  try {
    const described = await context.send('DescribeSecret', secretId, (sm) =>
      sm.send(new DescribeSecretCommand({ SecretId: secretId })),
    );
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
    context.logger.debug('revocation check failed; reporting the original denial', {
      secretId,
      code: describeError instanceof KeystageError ? describeError.code : 'UNKNOWN',
    });
    return error;
  }
}

/**
 * One GetSecretValue, with revocation explained: the work behind every read, and the
 * cache's source for a single version. An `ssm:` id is one GetParameter instead.
 */
export async function fetchVersion(read: VersionRead, context: CallContext): Promise<FetchedSecret> {
  if (isSsmId(read.id)) return fetchParameter(read, context);
  const { id, selector } = read;
  try {
    const output = await context.send('GetSecretValue', id, (sm) =>
      sm.send(
        new GetSecretValueCommand({
          SecretId: id,
          ...(selector.versionStage === undefined ? {} : { VersionStage: selector.versionStage }),
          ...(selector.versionId === undefined ? {} : { VersionId: selector.versionId }),
        }),
      ),
    );
    // An encrypted-json value is kept as its ciphertext, never as text (see SealedSecretValue).
    const sealed = SealedSecretValue.fromText(output.SecretString, context.envelope);
    return {
      arn: output.ARN ?? id,
      name: output.Name ?? id,
      versionId: output.VersionId ?? '',
      text: sealed === undefined ? output.SecretString : undefined,
      binary: sealed ?? output.SecretBinary,
    };
  } catch (error) {
    throw await explainDenied(context, id, error);
  }
}

/**
 * How a read turns a version into its answer; `json` parses (once per version when cached).
 * An encrypted-json version decrypts first, so its answer is a promise.
 */
type Decode<I, R> = (
  input: I,
  version: FetchedSecret,
  json: (version: FetchedSecret) => unknown,
) => R | Promise<R>;

/**
 * The cache use of a single-version read: a fresh hit is answered as it is (and marked, for
 * stages that record hits); anything else goes to `cache.get`, which reads through the
 * call stage on a miss and serves stale values when it may.
 */
function servedByCache<A extends readonly unknown[], I extends { readonly read: VersionRead }, R>(
  decode: Decode<I, R>,
  hitPath?: (cache: SecretCache) => (...args: A) => Promise<R> | undefined,
): CacheUse<A, I, R> {
  const hit = (cache: SecretCache, input: I, invocation: Invocation): R | Promise<R> | undefined => {
    const version = cache.peek(input.read.id, input.read.selector);
    if (version === undefined) return undefined;
    invocation.cacheHit = true;
    invocation.versionId = version.versionId;
    return decode(input, version, (fetched) => cache.json(fetched));
  };
  return {
    hit,
    // Only after `hit` found nothing fresh (the cache stage asks it first).
    serve: async (cache, input, invocation) => {
      const version = await cache.get(input.read.id, input.read.selector);
      invocation.versionId = version.versionId;
      return decode(input, version, (fetched) => cache.json(fetched));
    },
    ...(hitPath === undefined ? {} : { hitPath }),
  };
}

/** Uncached: one GetSecretValue, then the same decoding. */
function readThenDecode<I extends { readonly read: VersionRead }, R>(decode: Decode<I, R>) {
  return async (input: I, context: CallContext, invocation: Invocation): Promise<R> => {
    const version = await fetchVersion(input.read, context);
    invocation.versionId = version.versionId;
    return decode(input, version, parseSecretJson);
  };
}

function text(input: { readonly read: VersionRead }, version: FetchedSecret): string | Promise<string> {
  if (version.text !== undefined) return version.text;
  if (version.binary instanceof SealedSecretValue) return version.binary.open(version, input.read.id);
  const id = JSON.stringify(input.read.id);
  throw new SecretDecodeError(
    version.binary === undefined
      ? `Secret ${id} returned no value.`
      : `Secret ${id} holds binary data: read it with getBinary().`,
    { secretId: input.read.id },
  );
}

function binary(input: { readonly read: VersionRead }, version: FetchedSecret): Uint8Array {
  const id = JSON.stringify(input.read.id);
  if (version.binary instanceof SealedSecretValue) {
    throw new SecretDecodeError(
      `Secret ${id} holds an encrypted-json value: read it with get() or getJson().`,
      {
        secretId: input.read.id,
      },
    );
  }
  if (version.binary !== undefined) return version.binary;
  throw new SecretDecodeError(
    version.text === undefined
      ? `Secret ${id} returned no value.`
      : `Secret ${id} holds a string: read it with get() or getJson().`,
    { secretId: input.read.id },
  );
}

interface JsonRead {
  readonly read: VersionRead;
  readonly validate: JsonValidator<unknown> | undefined;
}

/**
 * The parsed JSON value, checked by the validator. A validator's error is not kept as the
 * cause: validators routinely quote the value.
 */
function checkedJson(input: JsonRead, version: FetchedSecret, json: (v: FetchedSecret) => unknown): unknown {
  if (version.binary instanceof SealedSecretValue) {
    return version.binary.openJson(version, input.read.id).then((parsed) => validated(input, parsed));
  }
  return validated(input, json(version));
}

function validated(input: JsonRead, parsed: unknown): unknown {
  const { validate } = input;
  if (validate === undefined) return parsed;
  try {
    return typeof validate === 'function' ? validate(parsed) : validate.parse(parsed);
  } catch (error) {
    const name = error instanceof Error ? error.name : typeof error;
    throw new SecretDecodeError(
      `Secret ${JSON.stringify(input.read.id)} does not have the expected shape (the validator threw ${name}); ` +
        'the validator message is not shown because it may quote the value.',
      { secretId: input.read.id },
    );
  }
}

/**
 * `get`: a string secret. Its hit path is the cache's hot path: a fresh AWSCURRENT string
 * costs one Map lookup and no allocation.
 */
export const get: Operation<[id: string, options: GetOptions], { readonly read: VersionRead }, string> = {
  name: 'get',
  kind: 'read',
  validate: (id, options) => ({ read: versionRead(id, options) }),
  secretId: (input) => input.read.id,
  call: readThenDecode(text),
  cache: servedByCache(
    text,
    // A principal passed with the call must be checked: that takes the full path.
    (cache) => (id, options) =>
      typeof options === 'object' && options !== null && options.principal === undefined
        ? cache.peekText(id, options)
        : undefined,
  ),
};

/** `getJson`: a JSON secret, parsed once per version (and frozen) when cached. */
export const getJson: Operation<[id: string, options: GetJsonOptions<unknown>], JsonRead, unknown> = {
  name: 'getJson',
  kind: 'read',
  validate: (id, options) => {
    const validate = (options as GetJsonOptions<unknown> | null | undefined)?.validate;
    if (validate !== undefined && typeof validate !== 'function' && typeof validate?.parse !== 'function') {
      throw new ValidationError(
        'validate',
        'validate must be a function or an object with a parse(value) method.',
      );
    }
    return { read: versionRead(id, options), validate };
  },
  secretId: (input) => input.read.id,
  call: readThenDecode(checkedJson),
  cache: servedByCache(checkedJson),
};

/** `getBinary`: a binary secret (`SecretBinary`). */
export const getBinary: Operation<
  [id: string, options: GetOptions],
  { readonly read: VersionRead },
  Uint8Array
> = {
  name: 'getBinary',
  kind: 'read',
  validate: (id, options) => ({ read: versionRead(id, options) }),
  secretId: (input) => input.read.id,
  call: readThenDecode(binary),
  cache: servedByCache(binary),
};
