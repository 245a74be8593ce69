import { SECRET_KINDS, validateDurationMs, type SecretKind } from '../../../core';
import { ValidationError, show } from '../../../errors';
import { keystageMetadata, tagsToRecord } from '../../metadata';
import type { Operation } from '../../operation';
import { describeRaw } from '../describe';
import { fetchVersion, versionRead, type VersionRead } from '../read';
import { failed, type SecretCheck, type SecretTestResult, type TestOptions } from './check-result';
import { kindChecks } from './kind-checks';

interface TestRequest {
  readonly read: VersionRead;
  readonly kind: SecretKind | undefined;
  readonly connectTimeoutMs: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const OPTIONS = new Set(['principal', 'kind', 'versionStage', 'versionId', 'connectTimeoutMs']);

function checkTestOptions(id: unknown, options: unknown): TestRequest {
  const read = versionRead(id, options);
  for (const key of Object.keys(options as object)) {
    if (!OPTIONS.has(key)) {
      throw new ValidationError(
        key,
        `${show(key)} is not an option of test: it takes ${[...OPTIONS].join(', ')}.`,
      );
    }
  }
  const { kind, connectTimeoutMs } = options as TestOptions;
  if (kind !== undefined && !SECRET_KINDS.includes(kind)) {
    throw new ValidationError('kind', `kind ${show(kind)} must be one of ${SECRET_KINDS.join(', ')}.`);
  }
  return {
    read,
    kind,
    connectTimeoutMs:
      connectTimeoutMs === undefined
        ? DEFAULT_CONNECT_TIMEOUT_MS
        : validateDurationMs(connectTimeoutMs, 'connectTimeoutMs'),
  };
}

const NO_KIND: SecretCheck = failed(
  'kind',
  'The secret has no keystage:type tag naming its kind: pass { kind } to test it as one.',
);

/**
 * `test`: reads one version (AWSCURRENT unless told) and runs its kind's checks: a database
 * credential logs in, a certificate's chain, validity and key are checked, an API key's
 * checksum, a data key unwraps with KMS, an encrypted-json value decrypts, the rest are
 * checked for shape. The kind is the `keystage:type` tag (one DescribeSecret) unless given.
 * Access-wise a read (it reads the value); audited as a `secret_access` of action `test`
 * with the kind, the outcome and the names of the failed checks. Reasons never hold a value.
 */
export const test: Operation<[id: string, options: TestOptions], TestRequest, SecretTestResult> = {
  name: 'test',
  kind: 'read',
  validate: (id, options) => checkTestOptions(id, options),
  secretId: (request) => request.read.id,
  call: async (request, context, invocation) => {
    const { read } = request;
    const kind =
      request.kind ?? keystageMetadata(tagsToRecord((await describeRaw(context, read.id)).Tags)).kind;
    const version = await fetchVersion(read, context);
    invocation.versionId = version.versionId;
    const checks =
      kind === undefined
        ? [NO_KIND]
        : await kindChecks(kind, {
            secretId: read.id,
            version,
            now: context.clock.now(),
            connectTimeoutMs: request.connectTimeoutMs,
            kms: context.kms,
          });
    return {
      arn: version.arn,
      name: version.name,
      versionId: version.versionId,
      kind,
      ok: checks.every((check) => check.ok),
      checks,
    };
  },
  audit: {
    action: 'test',
    describe: (_request, result) => ({
      details: {
        kind: result.kind ?? null,
        ok: result.ok,
        failedChecks: result.checks.filter((check) => !check.ok).map((check) => check.name),
      },
    }),
  },
};
