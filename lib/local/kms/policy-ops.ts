import { keyOf, requiredText, text, type Run } from './context';
import { notFound } from './faults';
import { requireCustomerManaged } from './keys';
import { paginate } from './paging';
import { checkKeyPolicy } from './policy';
import type { Body } from '../wire';

/** A key has one key policy, named default. */
function policyName(body: Body): string {
  const name = text(body, 'PolicyName') ?? 'default';
  if (name !== 'default') {
    throw notFound(`A key has no policy named ${name}: the only key policy name is default.`);
  }
  return name;
}

/**
 * Key policies are stored and returned, never evaluated: the endpoint has no caller
 * identities to evaluate them against.
 */
export const POLICY_OPERATIONS = {
  GetKeyPolicy: (ctx, body) => {
    const key = keyOf(ctx, requiredText(body, 'KeyId'));
    return { Policy: ctx.keys.policyOf(ctx.tx, key.id), PolicyName: policyName(body) };
  },

  PutKeyPolicy: (ctx, body) => {
    const key = requireCustomerManaged(keyOf(ctx, requiredText(body, 'KeyId')), 'change its key policy');
    policyName(body);
    const policy = requiredText(body, 'Policy');
    checkKeyPolicy(policy);
    ctx.keys.setPolicy(ctx.tx, key.id, policy);
    return {};
  },

  ListKeyPolicies: (ctx, body) => {
    keyOf(ctx, requiredText(body, 'KeyId'));
    const page = paginate(['default'], (name) => name, body, 100);
    return { PolicyNames: page.items, ...page.more };
  },
} satisfies Record<string, Run>;
