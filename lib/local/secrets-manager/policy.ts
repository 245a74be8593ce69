import { accessDenied } from '../fault';
import type { SecretRecord } from './store';

interface Statement {
  readonly Effect?: unknown;
  readonly Principal?: unknown;
  readonly Action?: unknown;
}

function matches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return regex.test(action);
}

function everyone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal === 'object' && principal !== null) {
    const aws = (principal as { AWS?: unknown }).AWS;
    return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
  }
  return false;
}

/**
 * The local endpoint has no caller identities, so it enforces what a resource policy can
 * say to everyone: a Deny for principal `*` on a matching action refuses the call.
 */
export function assertAllowed(record: SecretRecord, action: string): void {
  if (record.policy === undefined) return;
  let statements: Statement[];
  try {
    const parsed = JSON.parse(record.policy) as { Statement?: Statement | Statement[] };
    statements = parsed.Statement === undefined ? [] : [parsed.Statement].flat();
  } catch {
    return;
  }
  const denied = statements.some((statement) => {
    if (statement.Effect !== 'Deny' || !everyone(statement.Principal)) return false;
    const actions = [statement.Action].flat().filter((a): a is string => typeof a === 'string');
    return actions.some((pattern) => matches(pattern, action));
  });
  if (denied) {
    throw accessDenied(
      `User is not authorized to perform: ${action} on resource: ${record.name} with an explicit deny in a resource-based policy`,
    );
  }
}
