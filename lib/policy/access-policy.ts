import { ValidationError, show } from '../errors';
import { cidrContains, parseAddress, type Address } from './cidr';
import type { PolicyOperation } from './operations';
import { compileRules, type CompiledRule, type PolicyRule } from './policy-rule';
import type { Principal } from './principal';
import {
  renderIamPolicy,
  renderResourcePolicy,
  type IamPolicyOptions,
  type RenderedPolicy,
  type ResourcePolicyOptions,
} from './render';
import { RuleIndex, operationIndex } from './rule-index';

/** What an {@link AccessPolicy} is made of. */
export interface AccessPolicyOptions {
  /** The rules, in order: among matching rules of the deciding effect, the first decides. An empty list denies everything. */
  readonly rules: readonly PolicyRule[];
}

/** One request to decide about. */
export interface AccessRequest {
  /** Who is calling. */
  readonly principal: Principal;
  /** What the call does. */
  readonly operation: PolicyOperation;
  /** The secret's name (not an ARN: patterns match names). */
  readonly secret: string;
  /** The environment the call is made in. @default - the principal's environment */
  readonly environment?: string;
  /** The calling service. @default - the principal's service */
  readonly service?: string;
  /** The address the call came from. @default - the principal's sourceIp, else unknown */
  readonly sourceIp?: string;
}

/** The answer to a request. */
export interface AccessDecision {
  readonly allowed: boolean;
  /** The id of the deciding rule; undefined when no rule matched (default deny). */
  readonly rule: string | undefined;
  /** Why, in words: `allowed by rule X`, `denied by rule Y: ...`, `no rule allows ...`. */
  readonly reason: string;
  /** The deciding allow rule's limit, for the rate-limit stage. @default - no limit */
  readonly maxRequestsPerHour?: number;
}

/**
 * An access policy: rules over services, environments, roles, secret-name globs,
 * operations, per-hour limits and source addresses. Default deny; a matching deny rule
 * wins over any allow rule. Construction checks every rule and fails with a
 * `VALIDATION_ERROR` naming the rule and field; {@link AccessPolicy.evaluate} is pure.
 *
 * The same policy renders to the statements IAM can enforce: {@link AccessPolicy.toResourcePolicy}
 * for one secret, {@link AccessPolicy.toIamPolicy} for identities; what IAM cannot say is
 * listed in the result, never dropped.
 * @example
 * const policy = new AccessPolicy({
 *   rules: [
 *     { id: 'billing-reads', effect: 'allow', services: ['billing'], secrets: ['prod/billing/**'], operations: ['read', 'list'], maxRequestsPerHour: 3600 },
 *     { id: 'no-prod-delete', effect: 'deny', secrets: ['prod/**'], operations: ['delete'], description: 'production secrets are never deleted from code' },
 *   ],
 * });
 * const decision = policy.evaluate({ principal, operation: 'read', secret: 'prod/billing/db' });
 * // { allowed: true, rule: 'billing-reads', reason: 'allowed by rule billing-reads', maxRequestsPerHour: 3600 }
 */
export class AccessPolicy {
  /** The rules as given, checked and frozen. */
  readonly rules: readonly PolicyRule[];
  private readonly compiled: readonly CompiledRule[];
  private readonly index: RuleIndex;
  /** Decisions that depend only on the rule, built once so an allowed request allocates none. */
  private readonly decisions: readonly AccessDecision[];

  constructor(options: AccessPolicyOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ValidationError('rules', `AccessPolicy takes { rules }, got ${show(options)}.`);
    }
    this.compiled = compileRules(options.rules);
    this.rules = Object.freeze(this.compiled.map((rule) => rule.source));
    this.index = new RuleIndex(this.compiled);
    this.decisions = this.compiled.map((rule) => Object.freeze(ruleDecision(rule)));
  }

  /**
   * Decides a request: the first matching deny rule denies; otherwise the first matching
   * allow rule allows; otherwise it is denied by default. Pure: same request, same answer.
   * @example
   * const { allowed, reason } = policy.evaluate({ principal, operation: 'delete', secret: 'prod/billing/db' });
   * // false, 'denied by rule no-prod-delete: production secrets are never deleted from code'
   */
  evaluate(request: AccessRequest): AccessDecision {
    const { principal } = request;
    const service = request.service ?? principal.service;
    const environment = request.environment ?? principal.environment;
    const operation = operationIndex(request.operation);
    const secret = request.secret;
    if (operation >= 0) {
      const segments = secret.split('/');
      const candidates = this.index.candidates(operation, service, environment, principal.roles, segments);
      // The address is parsed at most once, and only when a candidate asks for it.
      let address: Address | null | undefined;
      const addressOf = (): Address | null => {
        if (address === undefined) {
          const text = request.sourceIp ?? principal.sourceIp;
          address = (text === undefined ? undefined : parseAddress(text)?.address) ?? null;
        }
        return address;
      };
      // Denies first, then allows, each in policy order: the first match of each decides.
      const deny = this.firstMatch(candidates, true, segments, addressOf);
      if (deny !== undefined) return this.decisions[deny]!;
      const allow = this.firstMatch(candidates, false, segments, addressOf);
      if (allow !== undefined) return this.decisions[allow]!;
    }
    return {
      allowed: false,
      rule: undefined,
      reason: `no rule allows ${String(request.operation)} of ${secret} for service ${service} in ${environment}`,
    };
  }

  /** The index of the first candidate of one effect whose patterns and blocks match. */
  private firstMatch(
    candidates: Uint32Array,
    deny: boolean,
    segments: readonly string[],
    addressOf: () => Address | null,
  ): number | undefined {
    const denies = this.index.denies;
    for (let w = 0; w < candidates.length; w++) {
      let word = deny ? candidates[w]! & denies[w]! : candidates[w]! & ~denies[w]!;
      while (word !== 0) {
        const low = word & -word;
        word ^= low;
        const rule = this.compiled[w * 32 + 31 - Math.clz32(low)]!;
        if (namesSecret(rule, segments) && (rule.cidrs === undefined || fromBlock(addressOf(), rule))) {
          return rule.index;
        }
      }
    }
    return undefined;
  }

  /**
   * The resource policy of one secret (for PutResourcePolicy or a CDK
   * `AWS::SecretsManager::ResourcePolicy`): the rules whose patterns match the secret's
   * name, as statements for principals of the secret's account, plus the guards the options
   * ask for. Rules that do not apply to the secret are in `notApplicable`; what IAM cannot
   * say is in `unrendered`.
   * @example
   * const { document, unrendered } = policy.toResourcePolicy('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/billing/db-AbCdEf');
   * await sm.send(new PutResourcePolicyCommand({ SecretId: arn, ResourcePolicy: JSON.stringify(document), BlockPublicPolicy: true }));
   */
  toResourcePolicy(secretArn: string, options: ResourcePolicyOptions = {}): RenderedPolicy {
    return renderResourcePolicy(this.compiled, secretArn, options);
  }

  /**
   * An identity-based policy (attach it to the roles your services run as) with a statement
   * per rule, secret patterns as resource ARNs. What IAM cannot say exactly is listed in
   * `unrendered`.
   * @example
   * const { document, unrendered } = policy.toIamPolicy({ region: 'eu-west-1', account: '123456789012' });
   * for (const gap of unrendered) logger.warn('not enforced by IAM', { ...gap });
   */
  toIamPolicy(options: IamPolicyOptions = {}): RenderedPolicy {
    return renderIamPolicy(this.compiled, options);
  }
}

function ruleDecision(rule: CompiledRule): AccessDecision {
  if (rule.effect === 'deny') {
    const why =
      rule.source.description ??
      `it denies ${rule.source.operations.join(', ')} of ${rule.source.secrets.join(', ')}`;
    return { allowed: false, rule: rule.id, reason: `denied by rule ${rule.id}: ${why}` };
  }
  const limit = rule.source.maxRequestsPerHour;
  return {
    allowed: true,
    rule: rule.id,
    reason: `allowed by rule ${rule.id}`,
    ...(limit === undefined ? {} : { maxRequestsPerHour: limit }),
  };
}

function namesSecret(rule: CompiledRule, segments: readonly string[]): boolean {
  for (const glob of rule.globs) if (glob.matchesSegments(segments)) return true;
  return false;
}

function fromBlock(address: Address | null, rule: CompiledRule): boolean {
  return address !== null && rule.cidrs!.some((cidr) => cidrContains(cidr, address));
}
