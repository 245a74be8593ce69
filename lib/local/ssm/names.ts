import { accessDenied, badSelector, hierarchyLevelLimit, validation } from './faults';

/*
 * Parameter names as Parameter Store takes them: letters, digits, `_ . -` and `/`; a name
 * with a `/` is a path and starts with one; at most 1011 characters and 15 levels; nothing
 * that starts with `aws` or `ssm` (in any case), and nothing under `/aws/`, which AWS keeps
 * for itself (the Secrets Manager references among it). A read may name a version or a
 * label after a `:` (`name:3`, `name:prod`), and may name a parameter by its ARN.
 */

/** The longest fully qualified name (the API's 2048 leaves room for the service's own attributes). */
export const MAX_NAME_LENGTH = 1011;
/** The most levels (`/`) a name or path has. */
export const MAX_HIERARCHY_LEVELS = 15;
/** Where Parameter Store answers from Secrets Manager instead of its own parameters. */
export const REFERENCE_PREFIX = '/aws/reference/secretsmanager/';

const NAME_CHARACTERS = /^[a-zA-Z0-9_.\-/]+$/;
const PATH_RULES =
  'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/". ' +
  'It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following ' +
  'symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, ' +
  'must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.';

/** A name's place in the hierarchy: a name without a leading `/` sits at the root. */
export function hierarchyName(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}

function levels(path: string): number {
  let count = 0;
  for (const character of path) if (character === '/') count++;
  return count;
}

function assertLevels(path: string): void {
  if (levels(hierarchyName(path)) > MAX_HIERARCHY_LEVELS) {
    throw hierarchyLevelLimit(
      `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels; ${path} has ${levels(hierarchyName(path))}. Use fewer levels.`,
    );
  }
}

/** Checks the name of a parameter PutParameter would create or change. */
export function checkNewName(name: string): void {
  const lower = name.toLowerCase();
  const bare = lower.startsWith('/') ? lower.slice(1) : lower;
  if (bare.startsWith('aws') || bare.startsWith('ssm')) {
    if (lower.startsWith('/aws/')) throw accessDenied(`No access to reserved parameter name: ${name}.`);
    throw validation(
      name.includes('/')
        ? 'Parameter name: can\'t be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of ' +
            'sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_'
        : 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).',
    );
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw validation(
      `Parameter name is ${name.length} characters; a fully qualified name has at most ${MAX_NAME_LENGTH}.`,
    );
  }
  if (!NAME_CHARACTERS.test(name)) {
    throw validation(
      'Parameter name: it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of ' +
        'letters, numbers and the following 3 symbols .-_',
    );
  }
  if (name.includes('/') && !name.startsWith('/')) {
    throw validation(`Parameter name must be a fully qualified name: a path starts with "/" (/${name}).`);
  }
  if (name.includes('//') || name.endsWith('/')) throw validation(PATH_RULES);
  assertLevels(name);
}

/**
 * The path of GetParametersByPath, in its hierarchy form with a trailing `/`: `/` alone, or
 * `/a/b/` for `/a/b` and `/a/b/`.
 */
export function checkPath(path: string): string {
  if (!path.startsWith('/') || path.includes('//') || !NAME_CHARACTERS.test(path))
    throw validation(PATH_RULES);
  assertLevels(path.endsWith('/') && path !== '/' ? path.slice(0, -1) : path);
  return path.endsWith('/') ? path : `${path}/`;
}

/** What a read names: the parameter (its possible names) and, after a `:`, a version or a label. */
export interface ParameterRef {
  /** The names the request may mean, in the order to try (an ARN's `parameter/x` is `/x` or `x`). */
  readonly candidates: readonly string[];
  readonly selector: Selector | undefined;
}

export type Selector = { readonly version: number } | { readonly label: string };

/** `:3` or `:label`, as the answer's Selector shows it. */
export function selectorText(selector: Selector): string {
  return 'version' in selector ? `:${selector.version}` : `:${selector.label}`;
}

const PARAMETER_ARN = /^arn:[^:]+:ssm:([^:]*):([^:]*):parameter\/(.*)$/s;

/**
 * Reads a name, an ARN of this Region and account, and a selector after them. Undefined
 * for an ARN of another Region, account or service (no parameter of this endpoint has it).
 */
export function parseRef(raw: string, region: string, accountId: string): ParameterRef | undefined {
  let rest = raw;
  let fromArn = false;
  if (raw.startsWith('arn:')) {
    const arn = PARAMETER_ARN.exec(raw);
    if (arn === null || arn[1] !== region || arn[2] !== accountId) return undefined;
    rest = arn[3]!;
    fromArn = true;
  }
  const parts = rest.split(':');
  if (parts.length > 2 || parts[1] === '') throw badSelector();
  const base = parts[0]!;
  const selector = parts.length === 2 ? parseSelector(parts[1]!) : undefined;
  const candidates = fromArn ? [`/${base}`, base] : [base];
  return { candidates, selector };
}

function parseSelector(text: string): Selector {
  return /^\d+$/.test(text) ? { version: Number(text) } : { label: text };
}

/** `arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>`. */
export function parameterArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ssm:${region}:${accountId}:parameter${hierarchyName(name)}`;
}
