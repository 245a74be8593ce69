import { ValidationError, show } from '../errors';
import { parseCidr, type Cidr } from './cidr';
import { compileGlob, type SecretGlob } from './glob';
import { POLICY_OPERATIONS, isPolicyOperation, type PolicyOperation } from './operations';

/**
 * One rule of an {@link AccessPolicy}. A rule applies to a request when every condition it
 * states holds: the operation is one of `operations`, the secret's name matches one of
 * `secrets`, and, for each of `services`, `environments`, `roles` and `sourceCidrs` the rule
 * names, the caller has one of them. A condition left out matches anything; an empty list
 * is refused (it would match nothing, which is a typo more often than a wish).
 *
 * A condition on something the request does not carry (a `sourceCidrs` rule and a caller
 * with no known address) does not hold, as IAM treats a missing condition key: an allow
 * rule then allows nothing, a deny rule denies nothing.
 * @example
 * const rule: PolicyRule = {
 *   id: 'billing-reads-prod',
 *   effect: 'allow',
 *   services: ['billing'],
 *   secrets: ['prod/billing/**'],
 *   operations: ['read', 'list'],
 *   sourceCidrs: ['10.0.0.0/8', '2001:db8::/32'],
 *   maxRequestsPerHour: 3600,
 * };
 */
export interface PolicyRule {
  /**
   * Names the rule in decisions, audit events, rate limits and rendered statements: unique
   * in the policy, 1-128 of A-Z a-z 0-9 _ . : -.
   */
  readonly id: string;
  /** Whether the rule allows or denies. A matching deny always wins. */
  readonly effect: 'allow' | 'deny';
  /** Secret-name globs: `*` one segment (or part of one, as in `prod/*-db`), `**` any depth (none included). */
  readonly secrets: readonly string[];
  /** The operations the rule is about ({@link POLICY_OPERATIONS} for all). */
  readonly operations: readonly PolicyOperation[];
  /** The calling services (the principal's `service`). @default - any service */
  readonly services?: readonly string[];
  /** The environments calls are made in (the principal's `environment`). @default - any environment */
  readonly environments?: readonly string[];
  /** The caller must hold one of these roles. @default - any caller, with or without roles */
  readonly roles?: readonly string[];
  /** IPv4 and IPv6 blocks (`10.0.0.0/8`, `2001:db8::/32`, or one address) the call must come from. @default - any address */
  readonly sourceCidrs?: readonly string[];
  /**
   * For allow rules: how many requests per hour one principal may make under this rule,
   * counted by the client's rate-limit stage (cache hits included). A whole number, at least 1.
   * @default - no limit
   */
  readonly maxRequestsPerHour?: number;
  /** What the rule is for, in words; a deny rule's reason quotes it. @default - none */
  readonly description?: string;
}

/** A validated rule, ready to match. */
export interface CompiledRule {
  /** The rule's place in the policy; the first matching rule (of the deciding effect) decides. */
  readonly index: number;
  readonly source: PolicyRule;
  readonly id: string;
  readonly effect: 'allow' | 'deny';
  /** One bit per operation, in {@link POLICY_OPERATIONS} order. */
  readonly operations: number;
  readonly globs: readonly SecretGlob[];
  readonly services: ReadonlySet<string> | undefined;
  readonly environments: ReadonlySet<string> | undefined;
  readonly roles: ReadonlySet<string> | undefined;
  readonly cidrs: readonly Cidr[] | undefined;
}

const RULE_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'effect',
  'secrets',
  'operations',
  'services',
  'environments',
  'roles',
  'sourceCidrs',
  'maxRequestsPerHour',
  'description',
]);
const RULE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Services and environments are name segments and tag values. */
const NAME_SEGMENT = /^[A-Za-z0-9_.+=@-]{1,64}$/;
/** Roles travel as tag values when rendered (`aws:PrincipalTag/keystage:role`). */
const ROLE = /^[A-Za-z0-9 _.:/=+@-]{1,128}$/;

/** The bit of one operation in {@link CompiledRule.operations}. */
export function operationBit(operation: PolicyOperation): number {
  return 1 << POLICY_OPERATIONS.indexOf(operation);
}

/**
 * Checks every rule and compiles it; the first problem is a ValidationError whose `field`
 * names the rule and field (`rules[2].sourceCidrs[0]`).
 */
export function compileRules(rules: unknown): CompiledRule[] {
  if (!Array.isArray(rules)) {
    throw new ValidationError('rules', `rules must be an array of policy rules, got ${show(rules)}.`);
  }
  const seen = new Map<string, number>();
  return rules.map((rule: unknown, index) => {
    const compiled = compileRule(rule, index);
    const earlier = seen.get(compiled.id);
    if (earlier !== undefined) {
      throw new ValidationError(
        `rules[${index}].id`,
        `rules[${index}].id ${show(compiled.id)} is already the id of rules[${earlier}]: give every rule its own id.`,
      );
    }
    seen.set(compiled.id, index);
    return compiled;
  });
}

function compileRule(rule: unknown, index: number): CompiledRule {
  const at = `rules[${index}]`;
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
    throw new ValidationError(at, `${at} must be a rule object, got ${show(rule)}.`);
  }
  const fields = rule as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!RULE_FIELDS.has(key)) {
      throw new ValidationError(
        `${at}.${key}`,
        `${at}.${key} is not a rule field: use ${[...RULE_FIELDS].join(', ')}.`,
      );
    }
  }
  const id = fields.id;
  if (typeof id !== 'string' || !RULE_ID.test(id)) {
    throw new ValidationError(`${at}.id`, `${at}.id must be 1-128 of A-Z a-z 0-9 _ . : -, got ${show(id)}.`);
  }
  const fail = (field: string, problem: string): never => {
    throw new ValidationError(`${at}.${field}`, `${at}.${field} (rule ${show(id)}) ${problem}`);
  };
  const effect = fields.effect;
  if (effect !== 'allow' && effect !== 'deny')
    fail('effect', `must be "allow" or "deny", got ${show(effect)}.`);

  const list = (field: string, required: boolean): unknown[] | undefined => {
    const value = fields[field];
    if (value === undefined) {
      return required ? fail(field, 'is required: list at least one.') : undefined;
    }
    if (!Array.isArray(value)) return fail(field, `must be an array, got ${show(value)}.`);
    if (value.length === 0) {
      return fail(field, required ? 'is empty: list at least one.' : 'is empty: leave it out to match any.');
    }
    return value as unknown[];
  };

  const globs = list('secrets', true)!.map((pattern, i) => {
    if (typeof pattern !== 'string') return fail(`secrets[${i}]`, `must be a string, got ${show(pattern)}.`);
    const result = compileGlob(pattern);
    return result.ok ? result.glob : fail(`secrets[${i}]`, `${show(pattern)} ${result.problem}.`);
  });

  let operations = 0;
  list('operations', true)!.forEach((operation, i) => {
    if (!isPolicyOperation(operation)) {
      fail(
        `operations[${i}]`,
        `${show(operation)} is not an operation: use ${POLICY_OPERATIONS.join(', ')}.`,
      );
    } else {
      operations |= operationBit(operation);
    }
  });

  const names = (field: string, shape: RegExp, what: string): ReadonlySet<string> | undefined => {
    const values = list(field, false);
    if (values === undefined) return undefined;
    values.forEach((value, i) => {
      if (typeof value !== 'string' || !shape.test(value))
        fail(`${field}[${i}]`, `must be ${what}, got ${show(value)}.`);
    });
    return new Set(values as string[]);
  };
  const services = names('services', NAME_SEGMENT, '1-64 of A-Z a-z 0-9 _ . + = @ -');
  const environments = names('environments', NAME_SEGMENT, '1-64 of A-Z a-z 0-9 _ . + = @ -');
  const roles = names('roles', ROLE, '1-128 of A-Z a-z 0-9, space and _ . : / = + @ -');

  const cidrs = list('sourceCidrs', false)?.map((text, i) => {
    if (typeof text !== 'string') return fail(`sourceCidrs[${i}]`, `must be a string, got ${show(text)}.`);
    const result = parseCidr(text);
    return result.ok ? result.cidr : fail(`sourceCidrs[${i}]`, `${show(text)} ${result.problem}.`);
  });

  const limit = fields.maxRequestsPerHour;
  if (limit !== undefined) {
    if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) {
      fail('maxRequestsPerHour', `must be a whole number of at least 1, got ${show(limit)}.`);
    }
    if (effect === 'deny')
      fail('maxRequestsPerHour', 'is for allow rules: a deny rule allows no requests to count.');
  }
  const description = fields.description;
  if (description !== undefined && (typeof description !== 'string' || description.length === 0)) {
    fail('description', `must be a non-empty string, got ${show(description)}.`);
  }

  const source: PolicyRule = Object.freeze({
    ...(fields as unknown as PolicyRule),
    secrets: Object.freeze([...(fields.secrets as string[])]),
    operations: Object.freeze([...(fields.operations as PolicyOperation[])]),
    ...(services === undefined ? {} : { services: Object.freeze([...(fields.services as string[])]) }),
    ...(environments === undefined
      ? {}
      : { environments: Object.freeze([...(fields.environments as string[])]) }),
    ...(roles === undefined ? {} : { roles: Object.freeze([...(fields.roles as string[])]) }),
    ...(cidrs === undefined ? {} : { sourceCidrs: Object.freeze([...(fields.sourceCidrs as string[])]) }),
  });
  return {
    index,
    source,
    id,
    effect: effect as 'allow' | 'deny',
    operations,
    globs,
    services,
    environments,
    roles,
    cidrs,
  };
}
