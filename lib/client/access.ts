import { partialArn } from '../core';
import type { AccessDecision, AccessRequest } from '../policy/access-policy';
import type { PolicyOperation } from '../policy/operations';
import type { OperationKind } from './operation';

export type { AccessDecision, AccessRequest } from '../policy/access-policy';
export type { PolicyOperation } from '../policy/operations';
export type { Principal } from '../policy/principal';

/**
 * What SecretsClient asks of an access policy: `AccessPolicy` is one. `evaluate` must be
 * pure and synchronous: it runs on every call, cache hits included.
 * @example
 * const secrets = new SecretsClient({ policy: new AccessPolicy({ rules }), principal });
 */
export interface AccessEvaluator {
  evaluate(request: AccessRequest): AccessDecision;
}

/** The client's operation kinds in the policy's words (the same eight, kept apart by design). */
export const POLICY_OPERATION: Readonly<Record<OperationKind, PolicyOperation>> = Object.freeze({
  read: 'read',
  list: 'list',
  create: 'create',
  update: 'update',
  rotate: 'rotate',
  delete: 'delete',
  revoke: 'revoke',
  manage: 'manage',
});

/**
 * A secret as the access policy sees it, from the id a caller passed. Only the name:
 * the request's environment and service stay the principal's own, as AccessPolicy defines
 * them (where the call is made from); the secret's environment and service are segments of
 * its name, which the rules' `secrets` patterns match.
 */
export interface SecretTarget {
  /** The name: the id itself, or an ARN's name part (without the random suffix). */
  readonly secret: string;
  /**
   * The other reading of an ARN whose name ends like a random suffix (`-` and six
   * characters): Secrets Manager may take it as a partial ARN of a secret with that longer
   * name. Undefined when the id has one reading.
   */
  readonly alias: string | undefined;
}

const SECRET_MARK = ':secret:';

/**
 * The target of a call on `id` (a name, a full ARN or a partial ARN). Names are the
 * policy's language, so ARNs are authorized by the name they carry: a full ARN's name is
 * its tail without the suffix. A tail that merely looks suffixed (a partial ARN of
 * `prod/app/db-backup`) is ambiguous for the service too, so both readings are kept.
 * @example
 * secretTarget('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/billing/db-AbCdEf');
 * // { secret: 'prod/billing/db', alias: 'prod/billing/db-AbCdEf' }
 */
export function secretTarget(id: string): SecretTarget {
  if (!id.startsWith('arn:')) return { secret: id, alias: undefined };
  const tail = id.slice(id.indexOf(SECRET_MARK) + SECRET_MARK.length);
  return partialArn(id) === undefined
    ? { secret: tail, alias: undefined }
    : { secret: tail.slice(0, -7), alias: tail };
}
