import { KEYSTAGE_TAGS, SECRET_ARN_PATTERN, partialArn } from '../core';
import { ValidationError } from '../errors';
import { coversIpv4, ipv4Notation, isIpv4Block, type Cidr } from './cidr';
import type { SecretGlob } from './glob';
import { SECRETS_MANAGER_ACTIONS } from './iam-actions';
import { POLICY_OPERATIONS } from './operations';
import type { CompiledRule } from './policy-rule';

/**
 * Rendering an access policy as IAM policy documents. IAM sees the caller through principal
 * tags (`aws:PrincipalTag/keystage:service`, `/keystage:environment`, `/keystage:role`) and
 * its address (`aws:SourceIp`); secret patterns become resource ARNs. What IAM cannot say
 * is listed in `unrendered`, never dropped: where a condition cannot be rendered, an allow
 * statement is left out (AWS then grants less than the policy, never more) and a deny
 * statement is rendered without it (AWS then denies more, never less).
 */

/**
 * The principal tag that carries a caller's role, unless the options name another.
 * @example
 * // A CDK role whose sessions the rendered policies treat as devops:
 * Tags.of(opsRole).add(ROLE_TAG, 'devops');
 */
export const ROLE_TAG = 'keystage:role';

/** Condition operators to keys to values, as in an IAM statement. */
export type PolicyConditions = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

/** One IAM statement. */
export interface PolicyStatementDocument {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  /**
   * The statement's principals: `{ AWS: '*' }`, narrowed by its conditions.
   * @default - none: identity policies name no principal
   */
  readonly Principal?: { readonly AWS: string };
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
  /** @default - no conditions */
  readonly Condition?: PolicyConditions;
}

/** An IAM policy document. `Statement` is empty when nothing applies: there is then nothing to attach. */
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatementDocument[];
}

/** Something of a rule that IAM does not enforce as the policy does. */
export interface UnrenderedRule {
  /** The rule's id. */
  readonly rule: string;
  /** The rule's field: `maxRequestsPerHour`, `roles`, `secrets[0]`, `operations`. */
  readonly field: string;
  /** What AWS does instead, in words. */
  readonly why: string;
}

/** A rule left out of a secret's resource policy because none of its patterns names the secret. */
export interface InapplicableRule {
  readonly rule: string;
  readonly why: string;
}

/** A rendered policy and everything it does not say. */
export interface RenderedPolicy {
  readonly document: PolicyDocument;
  /** What IAM does not enforce as the policy does, one entry per rule and field. */
  readonly unrendered: readonly UnrenderedRule[];
  /** Resource policies: rules that do not apply to the secret. Always empty for IAM policies. */
  readonly notApplicable: readonly InapplicableRule[];
}

/** Options of both renderings. */
export interface RenderOptions {
  /**
   * The principal tag whose value is the caller's role: rules' `roles` render as
   * `aws:PrincipalTag/<roleTag>`. IAM principals carry one value per tag, so a role or user
   * has one keystage role there.
   * @default 'keystage:role'
   */
  readonly roleTag?: string;
  /**
   * The roles principals are tagged with. A rule naming another role cannot be rendered:
   * it is listed, an allow left out, a deny rendered for every role.
   * @default - every role
   */
  readonly taggedRoles?: readonly string[];
  /**
   * Deny reading values unless the request comes through one of these VPC endpoints
   * (`aws:SourceVpce`), except requests an AWS service makes for a principal
   * (`aws:ViaAWSService`, such as CloudFormation resolving a dynamic reference).
   * @default - no endpoint restriction
   */
  readonly requireVpcEndpoints?: readonly string[];
}

/** Options of {@link AccessPolicy.toResourcePolicy}. */
export interface ResourcePolicyOptions extends RenderOptions {
  /**
   * The secret's name, to keep only the rules that apply to it.
   * @default - read from `secretArn` when it is a full ARN; otherwise every rule is rendered
   * with its patterns as resource ARNs
   */
  readonly secretName?: string;
  /**
   * The secret's account: allow statements apply to principals of this account only
   * (`aws:PrincipalAccount`), which also keeps the policy from being public.
   * @default - read from `secretArn`; required when it is no ARN (a CDK token)
   */
  readonly account?: string;
  /**
   * The partition of resource ARNs when patterns are rendered.
   * @default - read from `secretArn`, else 'aws'
   */
  readonly partition?: string;
  /**
   * Deny every Secrets Manager action on the secret to principals of other accounts
   * (`aws:PrincipalAccount`), whatever else a policy says.
   * @default true
   */
  readonly denyOutsideAccount?: boolean;
}

/** Options of {@link AccessPolicy.toIamPolicy}. */
export interface IamPolicyOptions extends RenderOptions {
  /** The partition of the resource ARNs. @default 'aws' */
  readonly partition?: string;
  /** The region of the resource ARNs. @default '*' */
  readonly region?: string;
  /** The account of the resource ARNs. @default '*' */
  readonly account?: string;
}

/** Where statements go and what their resources are. */
type Target =
  | { readonly kind: 'resource'; readonly arn: string; readonly name: string; readonly account: string }
  | {
      readonly kind: 'patterns';
      readonly prefix: string;
      /** Set for resource policies, whose allow statements need a principal and an account. */
      readonly account: string | undefined;
    };

const SUFFIX = '-??????';
const MAX_EXPANDED_DEPTH_WILDCARDS = 3;

/** Renders a secret's resource policy. */
export function renderResourcePolicy(
  rules: readonly CompiledRule[],
  secretArn: string,
  options: ResourcePolicyOptions,
): RenderedPolicy {
  const arn = SECRET_ARN_PATTERN.test(secretArn) ? secretArn.split(':') : undefined;
  const account = options.account ?? arn?.[4];
  if (account === undefined || account.length === 0) {
    throw new ValidationError(
      'account',
      `toResourcePolicy needs the secret's account: ${JSON.stringify(secretArn.slice(0, 80))} is no secret ARN, so pass { account }.`,
    );
  }
  const partial = partialArn(secretArn);
  const name = options.secretName ?? partial?.slice(partial.indexOf(':secret:') + ':secret:'.length);
  const partition = options.partition ?? arn?.[1] ?? 'aws';
  const target: Target =
    name === undefined
      ? { kind: 'patterns', prefix: `arn:${partition}:secretsmanager:*:${account}:secret:`, account }
      : { kind: 'resource', arn: secretArn, name, account };
  const out = render(rules, target, options);
  const guards: PolicyStatementDocument[] = [];
  if (options.denyOutsideAccount ?? true) {
    guards.push({
      Sid: 'DenyOutsideAccount',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['secretsmanager:*'],
      Resource: secretArn,
      Condition: { StringNotEquals: { 'aws:PrincipalAccount': account } },
    });
  }
  const vpce = vpcEndpointGuard(options, secretArn, ['secretsmanager:GetSecretValue']);
  if (vpce !== undefined) guards.push({ ...vpce, Principal: { AWS: '*' } });
  return finish(out, guards);
}

/** Renders an identity-based policy. */
export function renderIamPolicy(rules: readonly CompiledRule[], options: IamPolicyOptions): RenderedPolicy {
  const prefix = `arn:${options.partition ?? 'aws'}:secretsmanager:${options.region ?? '*'}:${options.account ?? '*'}:secret:`;
  const out = render(rules, { kind: 'patterns', prefix, account: undefined }, options);
  const vpce = vpcEndpointGuard(options, `${prefix}*`, [
    'secretsmanager:GetSecretValue',
    'secretsmanager:BatchGetSecretValue',
  ]);
  return finish(out, vpce === undefined ? [] : [vpce]);
}

interface Rendering {
  readonly statements: PolicyStatementDocument[];
  readonly unrendered: UnrenderedRule[];
  readonly notApplicable: InapplicableRule[];
}

function finish(out: Rendering, guards: readonly PolicyStatementDocument[]): RenderedPolicy {
  return {
    document: { Version: '2012-10-17', Statement: [...out.statements, ...guards] },
    unrendered: out.unrendered,
    notApplicable: out.notApplicable,
  };
}

function render(rules: readonly CompiledRule[], target: Target, options: RenderOptions): Rendering {
  const out: Rendering = { statements: [], unrendered: [], notApplicable: [] };
  const roleTag = options.roleTag ?? ROLE_TAG;
  const tagged = options.taggedRoles === undefined ? undefined : new Set(options.taggedRoles);
  for (const rule of rules) {
    const allow = rule.effect === 'allow';
    const gap = (field: string, why: string) => out.unrendered.push({ rule: rule.id, field, why });
    const equals: Record<string, string | readonly string[]> = {};
    const conditions: Record<string, Record<string, string | readonly string[]>> = {};

    // SSM parameter ids (`ssm:/prod/...`) are no Secrets Manager resource: no secret ARN names them.
    const parameters = new Set<number>();
    rule.globs.forEach((glob, i) => {
      if (!namesParameters(glob)) return;
      parameters.add(i);
      gap(
        `secrets[${i}]`,
        `"${glob.pattern}" names SSM parameters, which no Secrets Manager policy governs: ` +
          `AWS ${allow ? 'grants' : 'denies'} none of it here; write an IAM statement for ssm:GetParameter* on the parameters' ARNs`,
      );
    });
    if (parameters.size === rule.globs.length) continue;
    if (target.kind === 'resource' && !rule.globs.some((glob) => glob.matches(target.name))) {
      out.notApplicable.push({
        rule: rule.id,
        why: `its secrets (${rule.source.secrets.join(', ')}) do not match ${target.name}`,
      });
      continue;
    }
    if (rule.services !== undefined)
      equals[`aws:PrincipalTag/${KEYSTAGE_TAGS.service}`] = values(rule.services);
    if (rule.environments !== undefined) {
      equals[`aws:PrincipalTag/${KEYSTAGE_TAGS.environment}`] = values(rule.environments);
    }
    if (rule.roles !== undefined) {
      const untagged = tagged === undefined ? [] : [...rule.roles].filter((role) => !tagged.has(role));
      if (untagged.length === 0) {
        equals[`aws:PrincipalTag/${roleTag}`] = values(rule.roles);
      } else if (allow) {
        gap(
          'roles',
          `no principal tag says ${untagged.join(', ')}: the allow is left out, so AWS grants none of it`,
        );
        continue;
      } else {
        gap('roles', `no principal tag says ${untagged.join(', ')}: AWS denies it to every role`);
      }
    }
    if (target.account !== undefined && allow) equals['aws:PrincipalAccount'] = target.account;
    if (Object.keys(equals).length > 0) conditions.StringEquals = equals;
    if (rule.cidrs !== undefined) conditions.IpAddress = { 'aws:SourceIp': values(sourceIps(rule.cidrs)) };
    if (rule.source.maxRequestsPerHour !== undefined) {
      gap(
        'maxRequestsPerHour',
        `IAM has no rate limits: AWS allows more than ${rule.source.maxRequestsPerHour} requests an hour; the client's rate-limit stage counts them`,
      );
    }

    const operations = POLICY_OPERATIONS.filter((_, bit) => (rule.operations & (1 << bit)) !== 0);
    const resourceActions = operations.flatMap((op) => SECRETS_MANAGER_ACTIONS[op].resource);
    const resources =
      target.kind === 'resource' ? target.arn : resourcePatterns(rule, target.prefix, gap, parameters);
    const principal =
      target.kind === 'resource' || target.account !== undefined ? { Principal: { AWS: '*' } } : {};
    const condition = Object.keys(conditions).length > 0 ? { Condition: conditions } : {};
    const sid = `${allow ? 'Allow' : 'Deny'}${rule.index}${rule.id.replace(/[^A-Za-z0-9]/g, '')}`.slice(
      0,
      100,
    );
    out.statements.push({
      Sid: sid,
      Effect: allow ? 'Allow' : 'Deny',
      ...principal,
      Action: resourceActions,
      Resource: resources,
      ...condition,
    });

    // Actions without a resource type in IAM (ListSecrets, BatchGetSecretValue).
    const identity = target.kind === 'patterns' && target.account === undefined;
    if (operations.includes('list')) {
      gap(
        'operations',
        !allow
          ? 'ListSecrets cannot be denied for some secrets only: AWS still lists these secrets to callers IAM lets list'
          : identity
            ? 'ListSecrets has no resource in IAM: AWS lets the caller list the names and metadata of every secret'
            : 'ListSecrets is no resource-policy action: the caller needs it in an IAM policy to list',
      );
    }
    if (identity && allow) {
      const accountActions = operations.flatMap((op) => SECRETS_MANAGER_ACTIONS[op].account);
      if (accountActions.length > 0) {
        out.statements.push({
          Sid: `${sid}Any`.slice(0, 100),
          Effect: 'Allow',
          Action: accountActions,
          Resource: '*',
          ...condition,
        });
      }
    }
  }
  return out;
}

/**
 * Whether a glob names SSM parameters: its first segment holds a `:`, which no secret name
 * has, so it can match only `ssm:` ids (`ssm:/prod/billing/db_url`, `ssm:db_url`).
 */
function namesParameters(glob: SecretGlob): boolean {
  return glob.segments[0]!.includes(':');
}

/** Condition values: one as a string, several as a list, as IAM documents write them. */
function values(set: Iterable<string>): string | readonly string[] {
  const list = [...set];
  return list.length === 1 ? list[0]! : list;
}

/** The blocks as `aws:SourceIp` values: IPv4-mapped blocks in IPv4 notation, IPv6 blocks holding all of IPv4 also as 0.0.0.0/0. */
function sourceIps(cidrs: readonly Cidr[]): string[] {
  const values = new Set<string>();
  for (const cidr of cidrs) {
    if (cidr.family === 4 || isIpv4Block(cidr)) {
      values.add(ipv4Notation(cidr));
    } else {
      values.add(cidr.text);
      // Here an IPv4 caller is ::ffff:a.b.c.d; IAM compares IPv4 only with IPv4 blocks.
      if (coversIpv4(cidr)) values.add('0.0.0.0/0');
    }
  }
  return [...values];
}

/** The ARN patterns of a rule's globs; where IAM's `*` is broader than the glob, a gap. */
function resourcePatterns(
  rule: CompiledRule,
  prefix: string,
  gap: (field: string, why: string) => void,
  skipped: ReadonlySet<number>,
): string[] {
  const patterns = new Set<string>();
  rule.globs.forEach((glob, i) => {
    if (skipped.has(i)) return;
    const { names, broader, collapsed } = arnNames(glob);
    for (const name of names) patterns.add(`${prefix}${name}`);
    const effect = rule.effect === 'allow' ? 'allows' : 'denies';
    if (collapsed) {
      gap(
        `secrets[${i}]`,
        `"${glob.pattern}" has more than ${MAX_EXPANDED_DEPTH_WILDCARDS} ** segments: rendered as one broader ARN pattern, so AWS ${effect} more names`,
      );
    } else if (broader) {
      gap(
        `secrets[${i}]`,
        `"${glob.pattern}": * stands for part of one segment, but in an IAM ARN it also spans "/", so AWS ${effect} deeper names too`,
      );
    }
  });
  return [...patterns];
}

/**
 * The secret-name parts of the ARNs that match a glob: `**` is IAM's `*` (which spans `/`)
 * or nothing, so each `**` doubles the patterns (up to 3 of them); a name ending in a
 * literal gets the `-??????` suffix Secrets Manager appends.
 */
export function arnNames(glob: SecretGlob): { names: string[]; broader: boolean; collapsed: boolean } {
  const segments = glob.segments;
  const broader = segments.some((segment) => segment !== '**' && segment.includes('*'));
  const deep = segments.filter((segment) => segment === '**').length;
  const withSuffix = (name: string) => (name.endsWith('*') ? name : `${name}${SUFFIX}`);
  if (deep > MAX_EXPANDED_DEPTH_WILDCARDS) {
    let name = '';
    segments.forEach((segment, i) => {
      if (i > 0 && segment !== '**' && segments[i - 1] !== '**') name += '/';
      if (segment !== '**' || !name.endsWith('*')) name += segment === '**' ? '*' : segment;
    });
    return { names: [withSuffix(name)], broader, collapsed: true };
  }
  const names = new Set<string>();
  for (let mask = 0; mask < 1 << deep; mask++) {
    let k = 0;
    const kept: string[] = [];
    for (const segment of segments) {
      if (segment !== '**') kept.push(segment);
      else if ((mask & (1 << k++)) !== 0) kept.push('*');
    }
    if (kept.length > 0) names.add(withSuffix(kept.join('/')));
  }
  return { names: [...names], broader, collapsed: false };
}

function vpcEndpointGuard(
  options: RenderOptions,
  resource: string,
  actions: readonly string[],
): PolicyStatementDocument | undefined {
  const endpoints = options.requireVpcEndpoints ?? [];
  if (endpoints.length === 0) return undefined;
  return {
    Sid: 'ReadThroughVpcEndpointsOnly',
    Effect: 'Deny',
    Action: [...actions],
    Resource: resource,
    Condition: {
      StringNotEquals: { 'aws:SourceVpce': [...endpoints] },
      BoolIfExists: { 'aws:ViaAWSService': 'false' },
    },
  };
}
