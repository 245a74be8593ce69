import { accessDenied } from '../fault';
import type { SecretRecord } from './records';
import { wildcardMatch } from './wildcard';

/** One statement of a resource policy, as far as the endpoint reads it. */
export interface Statement {
  readonly Effect?: unknown;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly Condition?: unknown;
}

/** A policy document that parsed, or why it did not. */
export type ParsedPolicy =
  | { readonly ok: true; readonly statements: readonly Statement[] }
  | { readonly ok: false; readonly problems: readonly string[] };

const VERSIONS = ['2012-10-17', '2008-10-17'];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const stringsOf = (value: unknown): string[] =>
  [value].flat().filter((item): item is string => typeof item === 'string');

function statementProblems(statement: unknown, n: number): string[] {
  if (!isObject(statement)) return [`Statement ${n} must be a JSON object.`];
  const problems: string[] = [];
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    problems.push(`Statement ${n} needs an Effect of "Allow" or "Deny".`);
  }
  if (statement.Action === undefined && statement.NotAction === undefined) {
    problems.push(`Statement ${n} needs an Action or a NotAction.`);
  }
  for (const field of ['Action', 'NotAction'] as const) {
    const value = statement[field];
    if (
      value !== undefined &&
      (stringsOf(value).length === 0 || stringsOf(value).length !== [value].flat().length)
    ) {
      problems.push(`Statement ${n}: ${field} must be a string or a list of strings.`);
    }
  }
  if (statement.Principal === undefined && statement.NotPrincipal === undefined) {
    problems.push(`Statement ${n} needs a Principal: a resource policy names who it applies to.`);
  }
  return problems;
}

/**
 * Reads a resource policy the way the service checks its syntax: JSON, an object, a known
 * Version if any, and a Statement (one object or a list) whose entries each have an Effect,
 * an Action (or NotAction) and a Principal (or NotPrincipal).
 */
export function parsePolicy(text: string): ParsedPolicy {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, problems: ['The policy is not valid JSON.'] };
  }
  if (!isObject(document)) return { ok: false, problems: ['The policy must be a JSON object.'] };
  const problems: string[] = [];
  if (document.Version !== undefined && !VERSIONS.includes(document.Version as string)) {
    problems.push(`Version must be "2012-10-17" (or the older "2008-10-17").`);
  }
  const raw = document.Statement;
  if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) {
    problems.push('The policy needs a Statement.');
    return { ok: false, problems };
  }
  const statements = [raw].flat();
  statements.forEach((statement, i) => problems.push(...statementProblems(statement, i + 1)));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, statements: statements as Statement[] };
}

/** Whether a principal is everyone: `"*"`, `{"AWS": "*"}` or a list holding `"*"`. */
export function isEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (!isObject(principal)) return false;
  return stringsOf(principal.AWS).includes('*');
}

/**
 * Whether a statement allows broad access, as BlockPublicPolicy and ValidateResourcePolicy
 * judge it here: an Allow for every principal (or for all but some, NotPrincipal), not
 * narrowed by any Condition.
 */
export function grantsPublicAccess(statement: Statement): boolean {
  if (statement.Effect !== 'Allow') return false;
  if (statement.Condition !== undefined && isObject(statement.Condition)) {
    if (Object.keys(statement.Condition).length > 0) return false;
  }
  return isEveryone(statement.Principal) || statement.NotPrincipal !== undefined;
}

/**
 * The local endpoint has no caller identities, so it enforces what a resource policy can
 * say to everyone: a Deny for principal `*` on a matching action refuses the call. Actions
 * match case-insensitively, as IAM matches them.
 */
export function assertAllowed(record: SecretRecord, action: string): void {
  if (record.policy === undefined) return;
  const parsed = parsePolicy(record.policy);
  if (!parsed.ok) return;
  const denied = parsed.statements.some((statement) => {
    if (statement.Effect !== 'Deny' || !isEveryone(statement.Principal)) return false;
    if (statement.Action !== undefined) {
      return stringsOf(statement.Action).some((pattern) =>
        wildcardMatch(pattern, action, { ignoreCase: true }),
      );
    }
    return !stringsOf(statement.NotAction).some((pattern) =>
      wildcardMatch(pattern, action, { ignoreCase: true }),
    );
  });
  if (denied) {
    throw accessDenied(
      `User is not authorized to perform: ${action} on resource: ${record.name} with an explicit deny in a resource-based policy`,
    );
  }
}
