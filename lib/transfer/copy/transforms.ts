import { createHash } from 'node:crypto';
import { ValidationError, show } from '../../errors';

/**
 * What a transform rewrites: a secret's `names` (its name within its service), the `keys`
 * of a JSON value (object keys at every depth), or string `values` (a string secret as a
 * whole, and every string inside a JSON value). Tags, descriptions and binary values are
 * never rewritten.
 */
export type TransformScope = 'names' | 'keys' | 'values';

/**
 * A literal replacement: every occurrence of `replace` becomes `with`, left to right, no
 * patterns. Transforms apply in the order given.
 * @example
 * const live: CopyTransform = { replace: '_live_', with: '_test_' }; // names and JSON keys
 * const host: CopyTransform = { replace: '.prod.internal', with: '.staging.internal', in: ['values'] };
 */
export interface CopyTransform {
  /** The text to find: 1 to 256 characters. */
  readonly replace: string;
  /** What to put in its place: 0 to 256 characters. */
  readonly with: string;
  /**
   * What it rewrites. Values are opt-in: rewriting a live key's prefix does not make it a
   * test key (it is still the live secret), so secrets that must differ per environment
   * belong in `regenerate`; values are for the fields that name environment-specific
   * places (a host, a URL).
   * @default ['names', 'keys']
   */
  readonly in?: readonly TransformScope[];
}

interface Replacement {
  readonly find: string;
  readonly put: string;
}

/** Checked transforms, by scope. */
export interface Transforms {
  readonly names: readonly Replacement[];
  readonly keys: readonly Replacement[];
  readonly values: readonly Replacement[];
  /**
   * A digest of the transforms as given (order and scopes included): part of every
   * idempotency token, so a run with other transforms writes other versions.
   */
  readonly fingerprint: string;
}

const SCOPES: readonly TransformScope[] = ['names', 'keys', 'values'];
const DEFAULT_SCOPES: readonly TransformScope[] = ['names', 'keys'];
const NAME_CHARACTERS = /^[A-Za-z0-9/_+=.@-]*$/;
const MAX_TEXT = 256;
const MAX_TRANSFORMS = 50;
/** Deeper JSON than this is refused rather than walked (the walk recurses). */
const MAX_DEPTH = 256;

function text(value: unknown, field: string, min: number): string {
  if (typeof value !== 'string' || value.length < min || value.length > MAX_TEXT) {
    throw new ValidationError(
      field,
      `${field} must be a string of ${min} to ${MAX_TEXT} characters, got ${show(value)}.`,
    );
  }
  return value;
}

function scopesOf(value: unknown, field: string): readonly TransformScope[] {
  if (value === undefined) return DEFAULT_SCOPES;
  if (!Array.isArray(value) || value.length === 0) {
    throw new ValidationError(field, `${field} must be a non-empty array of ${SCOPES.join(', ')}.`);
  }
  for (const [i, scope] of value.entries()) {
    if (!SCOPES.includes(scope as TransformScope)) {
      throw new ValidationError(
        `${field}[${i}]`,
        `${field}[${i}] ${show(scope)} must be one of ${SCOPES.join(', ')}.`,
      );
    }
  }
  return value as TransformScope[];
}

/**
 * Checks `transform` (an array of {@link CopyTransform}), before any I/O.
 * @example
 * const transforms = checkTransforms([{ replace: '_live_', with: '_test_' }]);
 */
export function checkTransforms(value: unknown): Transforms {
  const given = value ?? [];
  if (!Array.isArray(given) || given.length > MAX_TRANSFORMS) {
    throw new ValidationError(
      'transform',
      `transform must be an array of at most ${MAX_TRANSFORMS} { replace, with, in? }.`,
    );
  }
  const names: Replacement[] = [];
  const keys: Replacement[] = [];
  const values: Replacement[] = [];
  const canonical: unknown[] = [];
  for (const [i, item] of given.entries()) {
    const field = `transform[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new ValidationError(field, `${field} must be { replace, with, in? }, got ${show(item)}.`);
    }
    const unknown = Object.keys(item).find((key) => !['replace', 'with', 'in'].includes(key));
    if (unknown !== undefined) {
      throw new ValidationError(
        `${field}.${unknown}`,
        `${field}.${unknown} is not a transform field: use replace, with and in.`,
      );
    }
    const { replace, with: put, in: scope } = item as CopyTransform;
    const replacement = { find: text(replace, `${field}.replace`, 1), put: text(put, `${field}.with`, 0) };
    const scopes = scopesOf(scope, `${field}.in`);
    if (
      scopes.includes('names') &&
      !(NAME_CHARACTERS.test(replacement.find) && NAME_CHARACTERS.test(replacement.put))
    ) {
      throw new ValidationError(
        field,
        `${field} rewrites names, so replace and with may hold only the characters of a secret name: A-Z a-z 0-9 / _ + = . @ -`,
      );
    }
    if (scopes.includes('names')) names.push(replacement);
    if (scopes.includes('keys')) keys.push(replacement);
    if (scopes.includes('values')) values.push(replacement);
    canonical.push([replacement.find, replacement.put, SCOPES.filter((s) => scopes.includes(s))]);
  }
  const fingerprint = createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
  return { names, keys, values, fingerprint };
}

function applyAll(replacements: readonly Replacement[], input: string): string {
  let out = input;
  for (const { find, put } of replacements) out = out.split(find).join(put);
  return out;
}

/** A secret's name within its service, rewritten by the `names` transforms. */
export function transformName(transforms: Transforms, name: string): string {
  return applyAll(transforms.names, name);
}

/** The value `text` holds if it is a JSON object or array; undefined otherwise. */
function jsonContainer(input: string): object | undefined {
  const first = input.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    const parsed: unknown = JSON.parse(input);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Thrown inside the walk; `transformValue` names the secret. */
class WalkProblem {
  constructor(readonly problem: string) {}
}

function walk(transforms: Transforms, node: unknown, depth: number): unknown {
  if (typeof node === 'string') return applyAll(transforms.values, node);
  if (typeof node !== 'object' || node === null) return node;
  if (depth > MAX_DEPTH) throw new WalkProblem(`its JSON nests deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(node)) return node.map((item) => walk(transforms, item, depth + 1));
  // A null prototype keeps a "__proto__" key an ordinary key, as JSON.parse made it.
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, item] of Object.entries(node)) {
    const renamed = applyAll(transforms.keys, key);
    if (Object.hasOwn(out, renamed)) {
      throw new WalkProblem('the key transforms map two keys of one JSON object to the same key');
    }
    out[renamed] = walk(transforms, item, depth + 1);
  }
  return out;
}

/**
 * A string value as the target stores it: JSON (an object or array) has its keys and
 * string values rewritten and is serialised again only if something changed, so an
 * untouched value is copied byte for byte; any other string has the `values` transforms
 * applied as a whole. Problems name the secret, never a value.
 * @example
 * transformValue(transforms, '{"sk_live_key":"…"}', 'prod/billing/stripe'); // '{"sk_test_key":"…"}'
 */
export function transformValue(transforms: Transforms, value: string, secret: string): string {
  if (transforms.keys.length === 0 && transforms.values.length === 0) return value;
  const json = jsonContainer(value);
  if (json === undefined) return applyAll(transforms.values, value);
  let rewritten: unknown;
  try {
    rewritten = walk(transforms, json, 0);
  } catch (error) {
    if (!(error instanceof WalkProblem)) throw error;
    throw new ValidationError(
      'transform',
      `Secret ${JSON.stringify(secret)} cannot be transformed: ${error.problem}.`,
      {
        secretId: secret,
      },
    );
  }
  const serialised = JSON.stringify(rewritten);
  return serialised === JSON.stringify(json) ? value : serialised;
}
