import { ServiceFault } from '../fault';
import { optionalBoolean, optionalString, requiredString, type Body } from '../wire';
import type { SmContext } from './context';
import { grantsPublicAccess, parsePolicy } from './policy';
import { arnIn } from './records';
import { assertNotDeleted } from './versions';

/** Check names in ValidateResourcePolicy's ValidationErrors. */
export const CHECKS = { syntax: 'SYNTAX_CHECK', publicAccess: 'PUBLIC_ACCESS_CHECK' } as const;

const PUBLIC_MESSAGE =
  'This resource policy grants access to every principal (Principal "*" or NotPrincipal) without a Condition that narrows it. Name the accounts or roles that need access, or add a Condition.';

/** Everything ValidateResourcePolicy finds wrong with a policy. */
export function policyErrors(text: string): Array<{ CheckName: string; ErrorMessage: string }> {
  const parsed = parsePolicy(text);
  if (!parsed.ok) {
    return parsed.problems.map((problem) => ({ CheckName: CHECKS.syntax, ErrorMessage: problem }));
  }
  return parsed.statements.some(grantsPublicAccess)
    ? [{ CheckName: CHECKS.publicAccess, ErrorMessage: PUBLIC_MESSAGE }]
    : [];
}

/** PutResourcePolicy: attaches a policy whose syntax is valid (MalformedPolicyDocumentException otherwise). */
export function putResourcePolicy(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  assertNotDeleted(record);
  const policy = requiredString(body, 'ResourcePolicy');
  const parsed = parsePolicy(policy);
  if (!parsed.ok) {
    throw new ServiceFault(
      'MalformedPolicyDocumentException',
      `This resource policy contains a syntax error: ${parsed.problems.join(' ')} Fix the policy and try again.`,
    );
  }
  // Public policies are allowed unless the caller asks to block them (the model's default).
  if ((optionalBoolean(body, 'BlockPublicPolicy') ?? false) && parsed.statements.some(grantsPublicAccess)) {
    throw new ServiceFault(
      'PublicPolicyException',
      `This resource policy will grant public access to the secret. ${PUBLIC_MESSAGE} Or call without BlockPublicPolicy.`,
    );
  }
  record.policy = policy;
  record.lastChangedAt = ctx.now();
  return { ARN: arnIn(record, ctx.region), Name: record.name };
}

/** GetResourcePolicy: the attached policy, if any (ResourcePolicy is left out otherwise). */
export function getResourcePolicy(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolve(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  assertNotDeleted(record);
  return {
    ARN: arnIn(record, ctx.region),
    Name: record.name,
    ...(record.policy === undefined ? {} : { ResourcePolicy: record.policy }),
  };
}

/** DeleteResourcePolicy: detaches the policy; none attached is no error. */
export function deleteResourcePolicy(ctx: SmContext, body: Body): object {
  const record = ctx.store.resolveForWrite(ctx.tx, requiredString(body, 'SecretId'), ctx.region);
  assertNotDeleted(record);
  if (record.policy !== undefined) {
    delete record.policy;
    record.lastChangedAt = ctx.now();
  }
  return { ARN: arnIn(record, ctx.region), Name: record.name };
}

/**
 * Checks a policy without attaching it: its syntax, and whether it grants broad access. The
 * third check the service makes, that the caller does not lock itself out, needs caller
 * identities, which the local endpoint does not have.
 */
export function validateResourcePolicy(ctx: SmContext, body: Body): object {
  const id = optionalString(body, 'SecretId');
  if (id !== undefined) ctx.store.resolve(ctx.tx, id, ctx.region);
  const ValidationErrors = policyErrors(requiredString(body, 'ResourcePolicy'));
  return { PolicyValidationPassed: ValidationErrors.length === 0, ValidationErrors };
}
