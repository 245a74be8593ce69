import {
  CancelRotateSecretCommand,
  DeleteResourcePolicyCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  RotateSecretCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { KEYSTAGE_TAGS, toTagValue, validateSecretId, validateText } from '../../core';
import { KeystageError, UnexpectedServiceError } from '../../errors';
import { recordToTags, tagsToRecord } from '../metadata';
import type { Operation } from '../operation';
import { checkCallOptions, type CallOptions } from '../options';
import type { CallContext } from '../pipeline';
import { describeRaw } from './describe';
import { identityFrom, type SecretIdentity } from './identity';

export interface RevokeOptions extends CallOptions {
  /** Why, recorded as a tag and in the audit event. 1..256 characters. */
  readonly reason: string;
}

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

async function readPolicy(context: CallContext, secretId: string): Promise<PolicyDocument | undefined> {
  const output = await context.send('GetResourcePolicy', secretId, (sm) =>
    sm.send(new GetResourcePolicyCommand({ SecretId: secretId })),
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

function putPolicy(context: CallContext, secretId: string, policy: PolicyDocument): Promise<unknown> {
  return context.send('PutResourcePolicy', secretId, (sm) =>
    sm.send(new PutResourcePolicyCommand({ SecretId: secretId, ResourcePolicy: JSON.stringify(policy) })),
  );
}

function tag(context: CallContext, secretId: string, tags: Record<string, string>): Promise<unknown> {
  return context.send('TagResource', secretId, (sm) =>
    sm.send(new TagResourceCommand({ SecretId: secretId, Tags: recordToTags(tags) })),
  );
}

function repeatable(error: unknown, action: 'revoke' | 'restore'): unknown {
  if (error instanceof KeystageError) {
    (error as { message: string }).message += ` ${action} is safe to repeat: call it again to finish.`;
  }
  return error;
}

/**
 * `revoke`: reads are denied first, so they stop as early as possible; the rotation
 * suspension is recorded before rotation is cancelled, so restore knows to resume it even
 * if a later step fails; the status tag comes last. Every step is idempotent.
 */
export const revoke: Operation<
  [id: string, options: RevokeOptions],
  { readonly secretId: string; readonly reason: string },
  SecretIdentity
> = {
  name: 'revoke',
  kind: 'revoke',
  validate: (id, options) => ({
    secretId: validateSecretId(id),
    reason: validateText(options?.reason, 'reason', 256, { required: true }),
  }),
  secretId: (input) => input.secretId,
  call: async ({ secretId, reason }, context) => {
    try {
      const policy = await readPolicy(context, secretId);
      await putPolicy(context, secretId, {
        ...policy,
        Version: policy?.Version ?? '2012-10-17',
        Statement: [...withoutRevocation(policy), { ...DENY_READS }],
      });
      const described = await describeRaw(context, secretId);
      if (described.RotationEnabled === true) {
        await tag(context, secretId, { [KEYSTAGE_TAGS.rotationSuspended]: 'true' });
        await context.send('CancelRotateSecret', secretId, (sm) =>
          sm.send(new CancelRotateSecretCommand({ SecretId: secretId })),
        );
      }
      await tag(context, secretId, {
        [KEYSTAGE_TAGS.status]: 'revoked',
        [KEYSTAGE_TAGS.revokedAt]: new Date(context.clock.now()).toISOString(),
        [KEYSTAGE_TAGS.revokedReason]: toTagValue(reason),
      });
      context.logger.info('secret revoked', {
        secretId,
        rotationSuspended: described.RotationEnabled === true,
      });
      return identityFrom(described, secretId);
    } catch (error) {
      throw repeatable(error, 'revoke');
    }
  },
  audit: { action: 'revoke', describe: ({ reason }) => ({ reason }) },
};

/**
 * `restore`: undoes a revocation. The deny statement goes (the owner's own statements
 * stay), rotation resumes if revocation suspended it, and the secret is marked active again.
 */
export const restore: Operation<[id: string, options: CallOptions], string, SecretIdentity> = {
  name: 'restore',
  kind: 'revoke',
  validate: (id, options) => (checkCallOptions(options, 'restore'), validateSecretId(id)),
  secretId: (secretId) => secretId,
  call: async (secretId, context) => {
    try {
      const policy = await readPolicy(context, secretId);
      const remaining = withoutRevocation(policy);
      if (policy !== undefined && remaining.length !== policy.Statement.length) {
        if (remaining.length > 0) await putPolicy(context, secretId, { ...policy, Statement: remaining });
        else {
          await context.send('DeleteResourcePolicy', secretId, (sm) =>
            sm.send(new DeleteResourcePolicyCommand({ SecretId: secretId })),
          );
        }
      }
      const described = await describeRaw(context, secretId);
      const tags = tagsToRecord(described.Tags);
      if (tags[KEYSTAGE_TAGS.rotationSuspended] === 'true' && described.RotationEnabled !== true) {
        if (described.RotationLambdaARN !== undefined && described.RotationRules !== undefined) {
          await context.send('RotateSecret', secretId, (sm) =>
            sm.send(
              new RotateSecretCommand({
                SecretId: secretId,
                RotationLambdaARN: described.RotationLambdaARN,
                RotationRules: described.RotationRules,
                RotateImmediately: false,
              }),
            ),
          );
        } else {
          context.logger.warn('rotation was suspended but its configuration is gone; not resumed', {
            secretId,
          });
        }
      }
      await tag(context, secretId, { [KEYSTAGE_TAGS.status]: 'active' });
      const stale = [KEYSTAGE_TAGS.revokedAt, KEYSTAGE_TAGS.revokedReason, KEYSTAGE_TAGS.rotationSuspended];
      if (stale.some((key) => key in tags)) {
        await context.send('UntagResource', secretId, (sm) =>
          sm.send(new UntagResourceCommand({ SecretId: secretId, TagKeys: stale })),
        );
      }
      context.logger.info('secret restored', { secretId });
      return identityFrom(described, secretId);
    } catch (error) {
      throw repeatable(error, 'restore');
    }
  },
  audit: { action: 'restore' },
};
