/**
 * What a request does, in the words an access policy uses: the same eight strings as the
 * client's `OperationKind`, defined here so that the policy depends on nothing of the
 * client. `read` a value; `list` what exists (names, metadata, versions, the resource
 * policy); `create`; `update` (new versions, stage moves); `rotate`; `delete` (and
 * undelete); `revoke` (and restore); `manage` (tags, replication).
 */
export type PolicyOperation =
  'read' | 'list' | 'create' | 'update' | 'rotate' | 'delete' | 'revoke' | 'manage';

/**
 * Every operation, in a fixed order: a rule that means "everything" says so with this.
 * @example
 * const admin: PolicyRule = { id: 'admin', effect: 'allow', roles: ['admin'], secrets: ['**'], operations: POLICY_OPERATIONS };
 */
export const POLICY_OPERATIONS: readonly PolicyOperation[] = Object.freeze([
  'read',
  'list',
  'create',
  'update',
  'rotate',
  'delete',
  'revoke',
  'manage',
]);

/**
 * Whether `value` is one of the eight operations.
 * @example
 * isPolicyOperation('read'); // true
 * isPolicyOperation('write'); // false
 */
export function isPolicyOperation(value: unknown): value is PolicyOperation {
  return typeof value === 'string' && (POLICY_OPERATIONS as readonly string[]).includes(value);
}
