import { ValidationError, show } from '../errors';
import { randomFromAlphabet } from './random';

/** Every printable ASCII punctuation character. */
export const PASSWORD_SYMBOLS = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/**
 * The characters a generated password leaves out unless told otherwise: every symbol but
 * `-`, `_` and `.`, and the space. Each one breaks something a password travels through:
 * `: / @ ? # [ ] %` split or percent-decode a URI's userinfo; `:` and `\` are field
 * separators and escapes in `.pgpass`; `; & = ?` split JDBC properties and query strings;
 * `" ' \` and backtick end or escape quotes; `$ ! * ( ) { } < > | ^ ~ , +` and space are
 * special to shells or connection-string parsers. What is left needs no escaping anywhere.
 */
export const SAFE_EXCLUDED_CHARACTERS = PASSWORD_SYMBOLS.replace(/[-_.]/g, '') + ' ';

const CLASSES = Object.freeze({
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  symbols: PASSWORD_SYMBOLS,
});

type CharacterClass = keyof typeof CLASSES;

/** How a password is generated. */
export interface PasswordPolicy {
  /**
   * Number of characters, 8..4096.
   * @default 32
   */
  readonly length?: number;
  /**
   * Use lowercase letters a-z.
   * @default true
   */
  readonly lowercase?: boolean;
  /**
   * Use uppercase letters A-Z.
   * @default true
   */
  readonly uppercase?: boolean;
  /**
   * Use digits 0-9.
   * @default true
   */
  readonly digits?: boolean;
  /**
   * Use punctuation (whatever `excludeCharacters` leaves of it).
   * @default true
   */
  readonly symbols?: boolean;
  /**
   * Guarantee at least one character of every class in use.
   * @default true
   */
  readonly requireEachClass?: boolean;
  /**
   * Characters never to use. Replaces the default set, so pass
   * `SAFE_EXCLUDED_CHARACTERS + 'lIO01'` to add to it.
   * @default SAFE_EXCLUDED_CHARACTERS
   */
  readonly excludeCharacters?: string;
}

/** A policy with every default filled in and checked. */
export type ResolvedPasswordPolicy = Required<PasswordPolicy>;

interface Plan {
  readonly length: number;
  readonly alphabet: string;
  /** The character sets of which each password must hold one. */
  readonly required: readonly string[];
}

function flag(policy: PasswordPolicy, name: keyof PasswordPolicy, fallback: boolean): boolean {
  const value = policy[name] ?? fallback;
  if (typeof value !== 'boolean') {
    throw new ValidationError(name, `${name} must be true or false, got ${show(value)}.`);
  }
  return value;
}

function plan(policy: PasswordPolicy = {}): { resolved: ResolvedPasswordPolicy; plan: Plan } {
  if (typeof policy !== 'object' || policy === null) {
    throw new ValidationError('policy', `A password policy must be an object, got ${show(policy)}.`);
  }
  const length = policy.length ?? 32;
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 8 || length > 4096) {
    throw new ValidationError('length', `length must be an integer from 8 to 4096, got ${show(length)}.`);
  }
  const excludeCharacters = policy.excludeCharacters ?? SAFE_EXCLUDED_CHARACTERS;
  if (typeof excludeCharacters !== 'string') {
    throw new ValidationError(
      'excludeCharacters',
      `excludeCharacters must be a string, got ${show(excludeCharacters)}.`,
    );
  }
  const resolved: ResolvedPasswordPolicy = {
    length,
    lowercase: flag(policy, 'lowercase', true),
    uppercase: flag(policy, 'uppercase', true),
    digits: flag(policy, 'digits', true),
    symbols: flag(policy, 'symbols', true),
    requireEachClass: flag(policy, 'requireEachClass', true),
    excludeCharacters,
  };
  const excluded = new Set(excludeCharacters);
  const sets: Array<[CharacterClass, string]> = [];
  for (const name of Object.keys(CLASSES) as CharacterClass[]) {
    if (!resolved[name]) continue;
    const chars = [...CLASSES[name]].filter((ch) => !excluded.has(ch)).join('');
    if (chars.length === 0 && resolved.requireEachClass) {
      throw new ValidationError(
        'excludeCharacters',
        `excludeCharacters removes every character of the ${name} class, which requireEachClass needs: ` +
          `turn ${name} off or exclude fewer characters.`,
      );
    }
    if (chars.length > 0) sets.push([name, chars]);
  }
  const alphabet = sets.map(([, chars]) => chars).join('');
  if (alphabet.length === 0) {
    throw new ValidationError(
      'excludeCharacters',
      'No character is left to build a password from: enable a class or exclude fewer characters.',
    );
  }
  // Unreachable while the minimum length (8) exceeds the number of classes (4); kept so that
  // lowering the minimum or adding a class cannot produce a policy that never terminates.
  if (resolved.requireEachClass && length < sets.length) {
    throw new ValidationError(
      'length',
      `length ${length} is too short to hold one of each of ${sets.length} classes.`,
    );
  }
  const required = resolved.requireEachClass ? sets.map(([, chars]) => chars) : [];
  return { resolved, plan: { length, alphabet, required } };
}

/**
 * Checks a policy and fills in its defaults; throws `ValidationError` naming the field.
 * Lets a caller reject a bad policy before it makes any API call.
 * @example
 * resolvePasswordPolicy({ length: 64 }).excludeCharacters === SAFE_EXCLUDED_CHARACTERS; // true
 */
export function resolvePasswordPolicy(policy?: PasswordPolicy): ResolvedPasswordPolicy {
  return plan(policy).resolved;
}

/**
 * A random password. Every character is drawn uniformly from the allowed alphabet; when a
 * required class is missing the whole password is drawn again, so the result is uniform
 * over all passwords that satisfy the policy (no class is favoured at a fixed position).
 * @example
 * const password = generatePassword(); // 32 chars of A-Z a-z 0-9 - _ .
 * const pin = generatePassword({ length: 8, lowercase: false, uppercase: false, symbols: false });
 */
export function generatePassword(policy?: PasswordPolicy): string {
  const { plan: p } = plan(policy);
  // Redrawing the whole password (rather than patching in a missing class) keeps the result
  // uniform over valid passwords. It ends quickly: the default policy accepts ~78% of draws, and
  // the worst valid policy (length 8, three classes cut to one character each beside all 32
  // symbols) still accepts ~0.6%, so about 160 cheap redraws.
  for (;;) {
    const candidate = randomFromAlphabet(p.alphabet, p.length);
    if (p.required.every((chars) => hasAny(candidate, chars))) return candidate;
  }
}

function hasAny(text: string, chars: string): boolean {
  for (const ch of text) if (chars.includes(ch)) return true;
  return false;
}
