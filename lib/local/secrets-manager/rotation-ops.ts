import { invalidParameter, invalidRequest } from '../fault';
import { optionalBoolean, optionalString, requiredString, type Body } from '../wire';
import type { SmContext } from './context';
import {
  arnIn,
  assertNotDeleted,
  attachStage,
  holderOf,
  newVersionId,
  type RotationConfig,
  type SecretRecord,
} from './store';

function rulesOf(body: Body, record: SecretRecord): RotationConfig['rules'] {
  const rules = body.RotationRules as RotationConfig['rules'] | undefined;
  if (rules === undefined) return record.rotation.rules;
  const days = rules.AutomaticallyAfterDays;
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 1000)) {
    throw invalidParameter('AutomaticallyAfterDays must be between 1 and 1000.');
  }
  if (days !== undefined && rules.ScheduleExpression !== undefined) {
    throw invalidParameter('You can use AutomaticallyAfterDays or ScheduleExpression, not both.');
  }
  return rules;
}

/** A rotation is unfinished while AWSPENDING is on a version that is not AWSCURRENT. */
export function pendingVersion(record: SecretRecord): string | undefined {
  const pending = holderOf(record, 'AWSPENDING');
  return pending === undefined || pending.stages.includes('AWSCURRENT') ? undefined : pending.id;
}

/**
 * Configures rotation and starts one. The new version exists at once as an empty
 * AWSPENDING version without a value (reads of it fail until createSecret stores a value); the steps
 * then run in the background, as the service runs them in Lambda.
 */
export function rotateSecret(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  assertNotDeleted(record);
  const lambdaArn = optionalString(body, 'RotationLambdaARN') ?? record.rotation.lambdaArn;
  if (lambdaArn === undefined) {
    throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
  }
  const rules = rulesOf(body, record);
  const token = optionalString(body, 'ClientRequestToken') ?? newVersionId();
  const pending = pendingVersion(record);
  if (pending !== undefined) {
    // As the service says: the unfinished rotation is attempted again.
    ctx.startRotation(record.arn, pending, false);
    if (pending === token) return { ARN: arnIn(record, ctx.region), Name: record.name, VersionId: token };
    throw invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.");
  }
  record.rotation = { enabled: true, lambdaArn, ...(rules === undefined ? {} : { rules }) };
  const immediately = optionalBoolean(body, 'RotateImmediately') ?? true;
  const unfilled = { id: token, hasValue: false, stages: [] as string[], createdAt: ctx.now() };
  record.versions.push(unfilled);
  attachStage(record, 'AWSPENDING', unfilled);
  record.lastChangedAt = ctx.now();
  // Without RotateImmediately the service only tests the configuration: testSecret runs
  // against the pending version, which is then removed.
  ctx.startRotation(record.arn, token, !immediately);
  return { ARN: arnIn(record, ctx.region), Name: record.name, VersionId: token };
}

export function cancelRotateSecret(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  assertNotDeleted(record);
  record.rotation.enabled = false;
  const pending = pendingVersion(record);
  if (pending !== undefined) {
    const version = holderOf(record, 'AWSPENDING')!;
    version.stages = version.stages.filter((stage) => stage !== 'AWSPENDING');
  }
  return {
    ARN: arnIn(record, ctx.region),
    Name: record.name,
    ...(pending === undefined ? {} : { VersionId: pending }),
  };
}
