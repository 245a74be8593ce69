export { AccessPolicy } from './access-policy';
export type { AccessDecision, AccessPolicyOptions, AccessRequest } from './access-policy';
export { compileGlob } from './glob';
export type { GlobResult, SecretGlob } from './glob';
export { cidrContains, parseAddress, parseCidr } from './cidr';
export type { Address, Cidr, CidrResult } from './cidr';
export { SECRETS_MANAGER_ACTIONS } from './iam-actions';
export { POLICY_OPERATIONS, isPolicyOperation } from './operations';
export type { PolicyOperation } from './operations';
export type { PolicyRule } from './policy-rule';
export type { Principal } from './principal';
export { RBAC_PERMISSIONS, RBAC_TABLE, rbacPolicy, rbacRules } from './rbac';
export type { RbacAssignments, RbacEnvironment, RbacPermission, RbacRole } from './rbac';
export { ROLE_TAG } from './render';
export type {
  IamPolicyOptions,
  InapplicableRule,
  PolicyConditions,
  PolicyDocument,
  PolicyStatementDocument,
  RenderOptions,
  RenderedPolicy,
  ResourcePolicyOptions,
  UnrenderedRule,
} from './render';
export { InProcessRateLimitStore } from './rate-limit-in-process';
export type { InProcessRateLimitStoreOptions } from './rate-limit-in-process';
export { RATE_LIMIT_WINDOW_MS, rateLimitKey } from './rate-limit-store';
export type { RateLimitStore } from './rate-limit-store';
