import {
  CancelRotateSecretCommand,
  DeleteResourcePolicyCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  RotateSecretCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { KeystageError, UnexpectedServiceError } from '../../errors';
import { audited, call, type ClientContext } from '../context';
import { recordToTags, tagsToRecord } from '../metadata';
import { KEYSTAGE_TAGS, type RevokeOptions, type SecretIdentity } from '../types';
import { toTagValue, validateSecretId, validateText } from '../validation';
import { describeRaw } from './describe';

/** The statement revocation adds; its Sid lets restore find it again among the owner's own. */
export const REVOKED_STATEMENT_SID = 'KeystageRevoked';

const DENY_READS = Object.freeze({
  Sid: REVOKED_STATEMENT_SID,
  Effect: 'Deny',
  Principal: '*',
  Action: ['secretsmanager:GetSecretValue'],
  Resource: '*',
});

interface PolicyDocument {
  Version?: string;
  Statement: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

async function readPolicy(ctx: ClientContext, secretId: string): Promise<PolicyDocument | undefined> {
  const output = await call('GetResourcePolicy', secretId, () =>
    ctx.sm.send(new GetResourcePolicyCommand({ SecretId: secretId })),
  );
  if (output.ResourcePolicy === undefined || output.ResourcePolicy === '') return undefined;
  try {
    const parsed = JSON.parse(output.ResourcePolicy) as { Statement?: unknown } & Record<string, unknown>;
    const statements = parsed.Statement === undefined ? [] : [parsed.Statement].flat();
    return { ...parsed, Statement: statements as Array<Record<string, unknown>> };
  } catch (error) {
    throw new UnexpectedServiceError(
      `The resource policy of ${JSON.stringify(secretId)} is not valid JSON; fix or delete it before revoking.`,
      { cause: error, secretId },
    );
  }
}

function withoutRevocation(policy: PolicyDocument | undefined): Array<Record<string, unknown>> {
  return (policy?.Statement ?? []).filter((statement) => statement.Sid !== REVOKED_STATEMENT_SID);
}

function putPolicy(ctx: ClientContext, secretId: string, policy: PolicyDocument): Promise<unknown> {
  return call('PutResourcePolicy', secretId, () =>
    ctx.sm.send(new PutResourcePolicyCommand({ SecretId: secretId, ResourcePolicy: JSON.stringify(policy) })),
  );
}

function repeatable(error: unknown, action: 'revoke' | 'restore'): unknown {
  if (error instanceof KeystageError) {
    (error as { message: string }).message += ` ${action} is safe to repeat: call it again to finish.`;
  }
  return error;
}

/**
 * Revokes a secret. Reads are denied first, so they stop as early as possible; the
 * rotation suspension is recorded before rotation is cancelled, so restore knows to resume
 * it even if a later step fails; the status tag comes last. Every step is idempotent.
 */
export async function revokeSecret(
  ctx: ClientContext,
  id: string,
  options: RevokeOptions,
): Promise<SecretIdentity> {
  const secretId = validateSecretId(id);
  const reason = validateText(options?.reason, 'reason', 256, { required: true });
  return audited(
    ctx,
    'revoke',
    secretId,
    async () => {
      try {
        const policy = await readPolicy(ctx, secretId);
        await putPolicy(ctx, secretId, {
          ...policy,
          Version: policy?.Version ?? '2012-10-17',
          Statement: [...withoutRevocation(policy), { ...DENY_READS }],
        });
        const described = await describeRaw(ctx, secretId);
        if (described.RotationEnabled === true) {
          await tag(ctx, secretId, { [KEYSTAGE_TAGS.rotationSuspended]: 'true' });
          await call('CancelRotateSecret', secretId, () =>
            ctx.sm.send(new CancelRotateSecretCommand({ SecretId: secretId })),
          );
        }
        await tag(ctx, secretId, {
          [KEYSTAGE_TAGS.status]: 'revoked',
          [KEYSTAGE_TAGS.revokedAt]: new Date(ctx.clock.now()).toISOString(),
          [KEYSTAGE_TAGS.revokedReason]: toTagValue(reason),
        });
        ctx.logger.info('secret revoked', {
          secretId,
          rotationSuspended: described.RotationEnabled === true,
        });
        return { arn: described.ARN ?? '', name: described.Name ?? secretId };
      } catch (error) {
        throw repeatable(error, 'revoke');
      }
    },
    () => ({ reason }),
  );
}

/**
 * Undoes a revocation: the deny statement goes (the owner's own statements stay), rotation
 * resumes if revocation suspended it, and the secret is marked active again.
 */
export async function restoreSecret(ctx: ClientContext, id: string): Promise<SecretIdentity> {
  const secretId = validateSecretId(id);
  return audited(ctx, 'restore', secretId, async () => {
    try {
      const policy = await readPolicy(ctx, secretId);
      const remaining = withoutRevocation(policy);
      if (policy !== undefined && remaining.length !== policy.Statement.length) {
        if (remaining.length > 0) await putPolicy(ctx, secretId, { ...policy, Statement: remaining });
        else {
          await call('DeleteResourcePolicy', secretId, () =>
            ctx.sm.send(new DeleteResourcePolicyCommand({ SecretId: secretId })),
          );
        }
      }
      const described = await describeRaw(ctx, secretId);
      const tags = tagsToRecord(described.Tags);
      if (tags[KEYSTAGE_TAGS.rotationSuspended] === 'true' && described.RotationEnabled !== true) {
        if (described.RotationLambdaARN !== undefined && described.RotationRules !== undefined) {
          await call('RotateSecret', secretId, () =>
            ctx.sm.send(
              new RotateSecretCommand({
                SecretId: secretId,
                RotationLambdaARN: described.RotationLambdaARN,
                RotationRules: described.RotationRules,
                RotateImmediately: false,
              }),
            ),
          );
        } else {
          ctx.logger.warn('rotation was suspended but its configuration is gone; not resumed', {
            secretId,
          });
        }
      }
      await tag(ctx, secretId, { [KEYSTAGE_TAGS.status]: 'active' });
      const stale = [KEYSTAGE_TAGS.revokedAt, KEYSTAGE_TAGS.revokedReason, KEYSTAGE_TAGS.rotationSuspended];
      if (stale.some((key) => key in tags)) {
        await call('UntagResource', secretId, () =>
          ctx.sm.send(new UntagResourceCommand({ SecretId: secretId, TagKeys: stale })),
        );
      }
      ctx.logger.info('secret restored', { secretId });
      return { arn: described.ARN ?? '', name: described.Name ?? secretId };
    } catch (error) {
      throw repeatable(error, 'restore');
    }
  });
}

function tag(ctx: ClientContext, secretId: string, tags: Record<string, string>): Promise<unknown> {
  return call('TagResource', secretId, () =>
    ctx.sm.send(new TagResourceCommand({ SecretId: secretId, Tags: recordToTags(tags) })),
  );
}
