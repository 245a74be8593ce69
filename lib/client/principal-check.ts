import { isIP } from 'node:net';
import { ValidationError, show } from '../errors';
import type { Principal } from '../policy/principal';

const REQUIRED = ['id', 'service', 'environment'] as const;
const OPTIONAL = ['email', 'sourceIp', 'userAgent'] as const;
const KNOWN: ReadonlySet<string> = new Set<string>([...REQUIRED, 'roles', ...OPTIONAL]);

/**
 * Checks a principal (the client's, or one passed with a call) before it is used: `id`,
 * `service` and `environment` are non-empty strings, `roles` an array of strings (empty
 * for none), the optional fields strings, `sourceIp` an IPv4 or IPv6 address, and nothing
 * else (a misspelt `role` would otherwise match no rule without a word). Failures name the
 * field, e.g. `principal.roles`. Allocation-free for a valid principal: servers acting for
 * many callers check one per call.
 */
export function checkPrincipal(value: unknown, field = 'principal'): Principal {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(
      field,
      `${field} must be { id, service, environment, roles, email?, sourceIp?, userAgent? }, got ${show(value)}.`,
    );
  }
  const given = value as Record<string, unknown>;
  for (const key of REQUIRED) {
    const part = given[key];
    if (typeof part !== 'string' || part === '') {
      throw new ValidationError(
        `${field}.${key}`,
        `${field}.${key} must be a non-empty string, got ${show(part)}.`,
      );
    }
  }
  const roles = given.roles;
  if (!Array.isArray(roles)) {
    throw new ValidationError(
      `${field}.roles`,
      `${field}.roles must be an array of role names (empty for none), got ${show(roles)}.`,
    );
  }
  for (let i = 0; i < roles.length; i++) {
    if (typeof roles[i] !== 'string' || roles[i] === '') {
      throw new ValidationError(
        `${field}.roles[${i}]`,
        `${field}.roles[${i}] must be a non-empty string, got ${show(roles[i])}.`,
      );
    }
  }
  for (const key of OPTIONAL) {
    const part = given[key];
    if (part !== undefined && typeof part !== 'string') {
      throw new ValidationError(`${field}.${key}`, `${field}.${key} must be a string, got ${show(part)}.`);
    }
  }
  if (given.sourceIp !== undefined && isIP(given.sourceIp as string) === 0) {
    throw new ValidationError(
      `${field}.sourceIp`,
      `${field}.sourceIp ${show(given.sourceIp)} is not an IPv4 or IPv6 address.`,
    );
  }
  for (const key in given) {
    if (!KNOWN.has(key)) {
      throw new ValidationError(
        `${field}.${key}`,
        `${field}.${key} is not a principal field: use ${[...KNOWN].join(', ')}.`,
      );
    }
  }
  return value as Principal;
}
