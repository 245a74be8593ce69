import { KEYSTAGE_TAGS } from '../../core';
import type { SecretListItem, SecretsClient } from '../../client';
import { ValidationError, isKeystageError } from '../../errors';
import { dependsOn } from '../groups';
import type { AppliedStatus } from './apply-template';
import { checkTemplateValue } from './check-value';
import type { CheckContext } from './formats';
import { createFromTemplate, type TemplateSecretCreate } from './create-from-template';
import { templateValue, type TemplateValue } from './template-values';
import type { Template, TemplateSecret } from './template';

/** The steps of `applyTemplate`, one secret at a time. */

/** One secret while the run goes: its outcome so far and, to create, its value. */
export interface Step {
  readonly secret: TemplateSecret;
  readonly name: string;
  status: AppliedStatus | undefined;
  reasons: string[];
  value: TemplateValue | undefined;
  versionId: string | undefined;
  existing: SecretListItem | undefined;
}

export const BLOCKED =
  'not created: nothing is written while another secret of the template is invalid or denied';

/** Dependencies first, template order otherwise: a run cut short leaves what others need. */
export function creationOrder(template: Template): TemplateSecret[] {
  const done = new Set<string>();
  const order: TemplateSecret[] = [];
  const visit = (secret: TemplateSecret): void => {
    if (done.has(secret.name)) return;
    done.add(secret.name);
    for (const other of secret.dependsOn) visit(template.secrets.find((s) => s.name === other)!);
    order.push(secret);
  };
  template.secrets.forEach(visit);
  return order;
}

export async function existingSecrets(
  client: SecretsClient,
  prefix: string,
  options: object,
): Promise<Map<string, SecretListItem>> {
  const found = new Map<string, SecretListItem>();
  // The prefix names the scope; a scoped client's own environment and service must not filter.
  for await (const item of client.list({
    prefix,
    includeScheduledForDeletion: true,
    scoped: false,
    ...options,
  })) {
    found.set(item.name, item);
  }
  return found;
}

/** What an existing secret's outcome says about it. */
export function existsReasons(step: Step, template: string, given: boolean): string[] {
  const reasons: string[] = [];
  const item = step.existing!;
  const createdBy = item.tags[KEYSTAGE_TAGS.template];
  if (createdBy !== template) {
    reasons.push(
      createdBy === undefined
        ? 'exists and was not created by a template; left as it is'
        : `exists, created by template ${JSON.stringify(createdBy)}; left as it is`,
    );
  }
  if (item.deletionDate !== undefined) reasons.push('is scheduled for deletion: undelete it to use it');
  if (given) reasons.push('the value given in overrides is not written: applyTemplate never overwrites');
  return reasons;
}

/**
 * The value for a step (given, else generated where keystage can), checked against the
 * template's rules and against what create itself would refuse; an `invalid` status when not.
 */
export function prepareValue(
  step: Step,
  given: unknown,
  template: Template,
  request: Omit<TemplateSecretCreate, 'secret' | 'value'>,
  context: CheckContext,
): void {
  try {
    step.value = templateValue(step.secret, given);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    step.status = 'invalid';
    step.reasons.push(error.message);
    return;
  }
  if (step.value === undefined) return;
  const reasons = checkTemplateValue(template, step.secret, step.value.text, context);
  if (reasons.length === 0) {
    try {
      createFromTemplate.validate({ ...request, secret: step.secret, value: step.value.text });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // create's own checks (the kind's shape, the size): their messages never hold a value.
      reasons.push(`create refuses it: ${error.message}`);
    }
  }
  if (reasons.length > 0) {
    step.status = 'invalid';
    if (step.value.generated) step.reasons.push('the generated value breaks the template: give a value');
    step.reasons.push(...reasons);
  }
}

/**
 * Records each secret's template dependencies (the groups' `keystage:depends-on` tag) once
 * it and what it depends on exist; a rerun skips those already recorded.
 */
export async function recordDependencies(
  client: SecretsClient,
  steps: ReadonlyMap<string, Step>,
  template: string,
  options: object,
): Promise<void> {
  for (const step of steps.values()) {
    const ours = step.status === 'created' || step.existing?.tags[KEYSTAGE_TAGS.template] === template;
    if (step.secret.dependsOn.length === 0 || !ours) continue;
    const others = step.secret.dependsOn.map((name) => steps.get(name)!);
    if (!others.every((other) => other.status === 'created' || other.status === 'exists')) continue;
    const names = others.map((other) => other.name);
    const recorded = (step.existing?.tags[KEYSTAGE_TAGS.dependsOn] ?? '').split(' ');
    if (names.every((name) => recorded.includes(name))) continue;
    try {
      await dependsOn(client, step.name, names, options);
    } catch (error) {
      if (!isKeystageError(error)) throw error;
      step.reasons.push(
        `${step.status === 'created' ? 'created, but its' : 'its'} dependencies were not recorded (${error.code}): rerun to finish`,
      );
      step.status = 'failed';
    }
  }
}
