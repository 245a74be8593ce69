import { ValidationError, show } from '../errors';
import { AccessPolicy } from './access-policy';
import type { PolicyOperation } from './operations';
import type { PolicyRule } from './policy-rule';

/** The product's roles. */
export type RbacRole = 'developer' | 'teamLead' | 'devops' | 'admin';
/** The product's environments. */
export type RbacEnvironment = 'development' | 'staging' | 'production';
/** The columns of the product's role table. */
export type RbacPermission = 'view' | 'edit' | 'delete' | 'manage';

/**
 * How the role table's words map to operations: view = read + list; edit = create +
 * update + rotate (a rotation writes a new value); delete = delete (and undelete) +
 * revoke (and restore), the operations that take a secret out of use; manage = manage
 * (tags, replication).
 * @example
 * RBAC_PERMISSIONS.edit; // ['create', 'update', 'rotate']
 */
export const RBAC_PERMISSIONS: Readonly<Record<RbacPermission, readonly PolicyOperation[]>> = Object.freeze({
  view: Object.freeze(['read', 'list'] as const),
  edit: Object.freeze(['create', 'update', 'rotate'] as const),
  delete: Object.freeze(['delete', 'revoke'] as const),
  manage: Object.freeze(['manage'] as const),
});

/**
 * The product's role table: for each role and permission, the environments it holds in.
 * Developer: view and edit development. Team lead: view and edit development and staging,
 * delete development. DevOps: view and edit all, delete development and staging, manage.
 * Admin: everything everywhere.
 * @example
 * RBAC_TABLE.teamLead.delete; // ['development']
 */
export const RBAC_TABLE: Readonly<
  Record<RbacRole, Readonly<Partial<Record<RbacPermission, readonly RbacEnvironment[]>>>>
> = Object.freeze({
  developer: { view: ['development'], edit: ['development'] },
  teamLead: { view: ['development', 'staging'], edit: ['development', 'staging'], delete: ['development'] },
  devops: {
    view: ['development', 'staging', 'production'],
    edit: ['development', 'staging', 'production'],
    delete: ['development', 'staging'],
    manage: ['development', 'staging', 'production'],
  },
  admin: {
    view: ['development', 'staging', 'production'],
    edit: ['development', 'staging', 'production'],
    delete: ['development', 'staging', 'production'],
    manage: ['development', 'staging', 'production'],
  },
});

const ROLE_IDS: Readonly<Record<RbacRole, string>> = {
  developer: 'developer',
  teamLead: 'team-lead',
  devops: 'devops',
  admin: 'admin',
};

/** Who holds which product role, and which secrets belong to which environment. */
export interface RbacAssignments {
  /**
   * The first segment of the secret names of each environment (keystage names secrets
   * `<environment>/<service>/<name>`); one prefix or several.
   * @default { development: 'dev', staging: 'staging', production: 'prod' }
   */
  readonly environments?: Readonly<Partial<Record<RbacEnvironment, string | readonly string[]>>>;
  /**
   * The role name, as in a principal's `roles`, of each product role.
   * @default { developer: 'developer', teamLead: 'team-lead', devops: 'devops', admin: 'admin' }
   */
  readonly roles?: Readonly<Partial<Record<RbacRole, string>>>;
  /**
   * A limit on every rule: requests per hour per principal.
   * @default - no limit
   */
  readonly maxRequestsPerHour?: number;
  /**
   * Addresses every call must come from.
   * @default - any address
   */
  readonly sourceCidrs?: readonly string[];
}

const DEFAULT_ENVIRONMENTS: Readonly<Record<RbacEnvironment, string>> = {
  development: 'dev',
  staging: 'staging',
  production: 'prod',
};

/**
 * The role table as policy rules, one per role and permission (`developer-view`,
 * `team-lead-delete`, ...), to combine with rules of your own.
 * @example
 * const policy = new AccessPolicy({
 *   rules: [{ id: 'no-prod-delete', effect: 'deny', secrets: ['prod/**'], operations: ['delete'] }, ...rbacRules()],
 * });
 */
export function rbacRules(assignments: RbacAssignments = {}): PolicyRule[] {
  const prefixes = (environment: RbacEnvironment): readonly string[] => {
    const given = assignments.environments?.[environment] ?? DEFAULT_ENVIRONMENTS[environment];
    const list = typeof given === 'string' ? [given] : given;
    if (!Array.isArray(list) || list.length === 0) {
      throw new ValidationError(
        `environments.${environment}`,
        `environments.${environment} must name the first segment of its secrets' names, got ${show(given)}.`,
      );
    }
    return list;
  };
  const rules: PolicyRule[] = [];
  for (const role of Object.keys(RBAC_TABLE) as RbacRole[]) {
    const roleName = assignments.roles?.[role] ?? ROLE_IDS[role];
    for (const permission of Object.keys(RBAC_PERMISSIONS) as RbacPermission[]) {
      const environments = RBAC_TABLE[role][permission];
      if (environments === undefined) continue;
      rules.push({
        id: `${ROLE_IDS[role]}-${permission}`,
        effect: 'allow',
        roles: [roleName],
        secrets: environments.flatMap(prefixes).map((prefix) => `${prefix}/**`),
        operations: RBAC_PERMISSIONS[permission],
        ...(assignments.maxRequestsPerHour === undefined
          ? {}
          : { maxRequestsPerHour: assignments.maxRequestsPerHour }),
        ...(assignments.sourceCidrs === undefined ? {} : { sourceCidrs: assignments.sourceCidrs }),
        description: `${role} may ${permission} secrets in ${environments.join(', ')}`,
      });
    }
  }
  return rules;
}

/**
 * The product's RBAC preset as an access policy: developer / team lead / devops / admin by
 * environment, default deny for everyone else. An environment is the first segment of a
 * secret's name.
 * @example
 * const policy = rbacPolicy({ environments: { development: 'dev', staging: 'staging', production: 'prod' } });
 * policy.evaluate({ principal: { id: 'ana', service: 'web', environment: 'dev', roles: ['developer'] }, operation: 'update', secret: 'dev/web/api-key' }).allowed; // true
 */
export function rbacPolicy(assignments: RbacAssignments = {}): AccessPolicy {
  return new AccessPolicy({ rules: rbacRules(assignments) });
}
