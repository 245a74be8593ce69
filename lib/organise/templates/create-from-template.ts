import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { KEYSTAGE_TAGS, derivedToken } from '../../core';
import type { CallOptions, SecretRef } from '../../client';
import { recordToTags } from '../../client/metadata';
import type { Operation } from '../../client/operation';
import { create } from '../../client/operations/create';
import type { TemplateSecret } from './template';

/** One secret of a template to create, with its value (given or generated). */
export interface TemplateSecretCreate extends CallOptions {
  readonly template: string;
  readonly secret: TemplateSecret;
  readonly environment: string;
  readonly service: string;
  /** The value as stored: a string, JSON text for JSON kinds. */
  readonly value: string;
}

type CreatePlan = ReturnType<typeof create.validate>;

interface TemplateCreatePlan {
  readonly plan: CreatePlan;
  readonly template: string;
  readonly token: string;
}

/**
 * The ClientRequestToken of a template's secret: derived from the template and the full
 * name only (never from the value, which a VersionId would then reveal to anyone who can
 * list versions), so a create retried after a lost answer repeats the same request and
 * Secrets Manager ignores it instead of adding a version.
 */
export function templateRequestToken(template: string, name: string): string {
  return derivedToken('keystage-template/1', template, name);
}

function planTemplateCreate(request: TemplateSecretCreate): TemplateCreatePlan {
  const { secret, template } = request;
  // Every check of `create` (name, kind and its shape, value size, tags); then keystage's
  // own template tags, which callers cannot set through create's `tags`.
  const plan = create.validate({
    name: secret.name,
    kind: secret.kind,
    value: request.value,
    environment: request.environment,
    service: request.service,
    description: secret.description,
  });
  return {
    plan: {
      ...plan,
      tags: { ...plan.tags, [KEYSTAGE_TAGS.template]: template, [KEYSTAGE_TAGS.exposure]: secret.exposure },
    },
    template,
    token: templateRequestToken(template, plan.name),
  };
}

/**
 * A secret of a template: `create` with the template's tags and a ClientRequestToken
 * derived from the template and the name. It runs through the client's pipeline as a
 * `create` (the access policy, rate limits and audit trail see it as one).
 */
export const createFromTemplate: Operation<[request: TemplateSecretCreate], TemplateCreatePlan, SecretRef> = {
  name: 'create',
  kind: 'create',
  validate: (request) => planTemplateCreate(request),
  secretId: ({ plan }) => plan.name,
  call: async ({ plan, token }, context) => {
    const output = await context.send('CreateSecret', plan.name, (sm) =>
      sm.send(
        new CreateSecretCommand({
          Name: plan.name,
          ...plan.value!,
          Tags: recordToTags(plan.tags),
          ClientRequestToken: token,
          ...(plan.options.description === undefined ? {} : { Description: plan.options.description }),
        }),
      ),
    );
    context.logger.debug('template secret created', { name: plan.name, versionId: output.VersionId });
    return { arn: output.ARN ?? '', name: output.Name ?? plan.name, versionId: output.VersionId ?? token };
  },
  audit: {
    action: 'create',
    describe: ({ plan, template }, ref) => ({
      environment: plan.tags[KEYSTAGE_TAGS.environment]!,
      details: {
        kind: plan.kind,
        versionId: ref.versionId,
        template,
        exposure: plan.tags[KEYSTAGE_TAGS.exposure]!,
      },
    }),
  },
};
