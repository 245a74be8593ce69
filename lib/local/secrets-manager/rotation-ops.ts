import { ServiceFault, invalidParameter, invalidRequest } from '../fault';
import { CANNOT_INVOKE } from '../rotation/runner';
import { checkRotationRules } from '../rotation/schedule';
import { optionalBoolean, optionalString, requiredString, type Body } from '../wire';
import type { SmContext } from './context';
import { arnIn, newVersionId, type SecretRecord } from './records';
import { assertNotDeleted, attachStage, holderOf, versionById } from './versions';

/** A rotation is unfinished while AWSPENDING is on a version that is not AWSCURRENT. */
export function pendingVersion(record: SecretRecord): string | undefined {
  const pending = holderOf(record, 'AWSPENDING');
  return pending === undefined || pending.stages.includes('AWSCURRENT') ? undefined : pending.id;
}

/**
 * Refuses a rotation whose function Secrets Manager cannot invoke, as the service does when
 * the function does not exist or its policy does not let Secrets Manager call it. Nothing
 * has been changed yet, so the refusal leaves no AWSPENDING version and no configuration.
 */
function assertInvokable(ctx: SmContext, record: SecretRecord, versionId: string, lambdaArn: string): void {
  if (ctx.hasRotationFunction === undefined || ctx.hasRotationFunction(lambdaArn)) return;
  ctx.rotationRefused?.(record.arn, versionId, lambdaArn);
  throw new ServiceFault('AccessDeniedException', CANNOT_INVOKE);
}

function answer(ctx: SmContext, record: SecretRecord, versionId: string): object {
  return { ARN: arnIn(record, ctx.region), Name: record.name, VersionId: versionId };
}

/**
 * Configures rotation and starts one. Every parameter is checked before the function is
 * looked at or anything is created: the token (not a VersionId of the secret other than the
 * pending one), the rules, RotateImmediately. Then a function Secrets Manager cannot invoke
 * is refused (AccessDeniedException), an unfinished rotation is attempted again, or the new
 * version exists at once as an empty AWSPENDING version (reads of it fail until createSecret
 * stores a value) and the steps run in the background, as the service runs them in Lambda.
 */
export function rotateSecret(ctx: SmContext, body: Body): object {
  const secretId = requiredString(body, 'SecretId');
  const token = optionalString(body, 'ClientRequestToken');
  if (token !== undefined && (token.length < 32 || token.length > 64)) {
    throw invalidParameter('ClientRequestToken must be 32-64 characters long.');
  }
  const requestedArn = optionalString(body, 'RotationLambdaARN');
  const rawRules = body.RotationRules;
  const rules = rawRules === undefined || rawRules === null ? undefined : checkRotationRules(rawRules);
  const immediately = optionalBoolean(body, 'RotateImmediately') ?? true;

  const record = ctx.store.resolveForWrite(ctx.tx, secretId, ctx.region);
  assertNotDeleted(record);
  const pending = pendingVersion(record);
  if (token !== undefined && token !== pending && versionById(record, token) !== undefined) {
    // A token names the version the rotation creates; an existing version cannot be that.
    throw invalidRequest(
      `You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${record.arn}.`,
    );
  }

  if (pending !== undefined) {
    // As the service says: the unfinished rotation, with the configuration it had, is
    // attempted again, and the new parameters are not applied.
    const configured = record.rotation.lambdaArn ?? requestedArn;
    if (configured === undefined || configured === '') {
      throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
    }
    assertInvokable(ctx, record, pending, configured);
    if (pending === token) {
      // Asked for by its token: a RotateSecret, which turns rotation on.
      record.rotation.enabled = true;
      ctx.startRotation(record.arn, pending, false);
      return answer(ctx, record, pending);
    }
    // Refused, so nothing changes: with rotation off (cancelled), there is nothing to attempt.
    if (record.rotation.enabled) ctx.startRotation(record.arn, pending, false);
    throw invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.");
  }

  const lambdaArn =
    requestedArn === undefined || requestedArn === '' ? record.rotation.lambdaArn : requestedArn;
  if (lambdaArn === undefined) {
    throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
  }
  const versionId = token ?? newVersionId();
  assertInvokable(ctx, record, versionId, lambdaArn);

  const keptRules = rules === undefined || Object.keys(rules).length === 0 ? record.rotation.rules : rules;
  record.rotation = {
    enabled: true,
    lambdaArn,
    ...(keptRules === undefined ? {} : { rules: { ...keptRules } }),
  };
  const unfilled = { id: versionId, hasValue: false, stages: [] as string[], createdAt: ctx.now() };
  record.versions.push(unfilled);
  attachStage(record, 'AWSPENDING', unfilled);
  record.lastChangedAt = ctx.now();
  // Without RotateImmediately the service only tests the configuration: testSecret runs
  // against the pending version, which is then removed.
  ctx.startRotation(record.arn, versionId, !immediately);
  return answer(ctx, record, versionId);
}

/**
 * Turns rotation off; a rotation in progress stops before its next step. As in the service,
 * the labels stay as they are: the answer names the version AWSPENDING is still on, for the
 * caller to clean up (until then, RotateSecret attempts that rotation again).
 */
export function cancelRotateSecret(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  assertNotDeleted(record);
  record.rotation.enabled = false;
  // DescribeSecret shows no next rotation once rotation is off.
  delete record.nextRotationAt;
  const pending = pendingVersion(record);
  return {
    ARN: arnIn(record, ctx.region),
    Name: record.name,
    ...(pending === undefined ? {} : { VersionId: pending }),
  };
}
