import { invalidParameter } from './faults';
import { wildcardMatch } from './wildcard';

/*
 * CloudWatch Logs' JSON filter patterns, `{ $.field = "value" && ... }`: a tokenizer and a
 * recursive-descent parser that compiles the pattern once into a test of a parsed event.
 */

/** Whether an event's message matches a filter pattern. */
export type EventMatcher = (message: string) => boolean;

/** A filter pattern the endpoint does not understand: said, rather than matching nothing. */
export const unsupported = (what: string) =>
  invalidParameter(
    `The filterPattern is not one the local endpoint understands (${what}): use terms, "quoted phrases", ?alternatives, -exclusions or a JSON pattern such as { $.event_type = "secret_access" }.`,
  );

type Token =
  | { readonly kind: 'punct'; readonly text: string }
  | { readonly kind: 'selector'; readonly path: readonly (string | number)[] }
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'word'; readonly text: string };

const PUNCTS = ['&&', '||', '!=', '<=', '>=', '=', '<', '>', '(', ')', '{', '}'];
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isWordChar = (c: string | undefined) =>
  c !== undefined && (/[A-Za-z0-9_]/.test(c) || '.*/:@+-#'.includes(c));

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    const punct = PUNCTS.find((p) => source.startsWith(p, i));
    if (punct !== undefined) {
      tokens.push({ kind: 'punct', text: punct });
      i += punct.length;
    } else if (c === '$') {
      i++;
      const path: (string | number)[] = [];
      while (source[i] === '.' || source[i] === '[') {
        if (source[i] === '.') {
          i++;
          let name = '';
          while (i < source.length && /[A-Za-z0-9_@-]/.test(source[i]!)) name += source[i++];
          if (name === '') throw unsupported('a selector with an empty field name');
          path.push(name);
        } else {
          i++;
          let digits = '';
          while (isDigit(source[i])) digits += source[i++];
          if (digits === '' || source[i] !== ']') throw unsupported('a selector index that is not [n]');
          i++;
          path.push(Number(digits));
        }
      }
      if (path.length === 0) throw unsupported('a selector without a field ($.field)');
      tokens.push({ kind: 'selector', path });
    } else if (c === '"') {
      i++;
      let text = '';
      while (i < source.length && source[i] !== '"') {
        if (source[i] === '\\' && i + 1 < source.length) i++;
        text += source[i++];
      }
      if (i >= source.length) throw unsupported('a string without its closing quote');
      i++;
      tokens.push({ kind: 'string', text });
    } else if (isDigit(c) || (c === '-' && isDigit(source[i + 1]))) {
      let text = c;
      i++;
      while (isDigit(source[i]) || source[i] === '.') text += source[i++];
      const value = Number(text);
      if (!Number.isFinite(value)) throw unsupported('a malformed number');
      tokens.push({ kind: 'number', value });
    } else if (isWordChar(c)) {
      let text = '';
      while (isWordChar(source[i])) text += source[i++];
      tokens.push({ kind: 'word', text });
    } else {
      throw unsupported('a character JSON patterns do not use');
    }
  }
  return tokens;
}

type JsonValue = unknown;
type Test = (document: JsonValue) => boolean;

function select(document: JsonValue, path: readonly (string | number)[]): JsonValue {
  let value = document;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(value)) return undefined;
      value = value[step];
    } else {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
      value = Object.hasOwn(value, step) ? (value as Record<string, unknown>)[step] : undefined;
    }
    if (value === undefined) return undefined;
  }
  return value;
}

/** Compiles a JSON filter pattern (it starts with `{`). */
export function compileJson(source: string): EventMatcher {
  const tokens = tokenize(source);
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const isPunct = (text: string): boolean => {
    const token = peek();
    return token?.kind === 'punct' && token.text === text;
  };
  const expect = (text: string): void => {
    if (!isPunct(text)) throw unsupported(`expected ${text}`);
    at++;
  };
  const word = (): string | undefined => {
    const token = peek();
    return token?.kind === 'word' ? token.text.toUpperCase() : undefined;
  };

  const comparison = (): Test => {
    const token = tokens[at++];
    if (token?.kind !== 'selector') throw unsupported('a comparison that does not start with $.field');
    const path = token.path;
    if (word() === 'IS') {
      at++;
      const what = word();
      at++;
      if (what === 'TRUE') return (doc) => select(doc, path) === true;
      if (what === 'FALSE') return (doc) => select(doc, path) === false;
      if (what === 'NULL') return (doc) => select(doc, path) === null;
      throw unsupported('IS takes TRUE, FALSE or NULL');
    }
    if (word() === 'EXISTS') {
      at++;
      return (doc) => select(doc, path) !== undefined;
    }
    if (word() === 'NOT') {
      at++;
      if (word() !== 'EXISTS') throw unsupported('NOT takes EXISTS');
      at++;
      return (doc) => select(doc, path) === undefined;
    }
    const op = peek();
    if (op?.kind !== 'punct' || !['=', '!=', '<', '<=', '>', '>='].includes(op.text)) {
      throw unsupported('a comparison without an operator');
    }
    at++;
    const value = tokens[at++];
    if (value === undefined || value.kind === 'punct' || value.kind === 'selector') {
      throw unsupported('a comparison without a value');
    }
    if (value.kind === 'number') {
      const n = value.value;
      const compare: Record<string, (x: number) => boolean> = {
        '=': (x) => x === n,
        '!=': (x) => x !== n,
        '<': (x) => x < n,
        '<=': (x) => x <= n,
        '>': (x) => x > n,
        '>=': (x) => x >= n,
      };
      const test = compare[op.text]!;
      return (doc) => {
        const x = select(doc, path);
        if (x === undefined) return false;
        return typeof x === 'number' ? test(x) : op.text === '!=';
      };
    }
    if (op.text !== '=' && op.text !== '!=') throw unsupported('<, <=, > and >= compare numbers only');
    const wanted = value.text;
    const equal = (doc: JsonValue): boolean => {
      const x = select(doc, path);
      return typeof x === 'string' && wildcardMatch(x, wanted);
    };
    return op.text === '=' ? equal : (doc) => select(doc, path) !== undefined && !equal(doc);
  };

  const unary = (): Test => {
    if (isPunct('(')) {
      at++;
      const inner = or();
      expect(')');
      return inner;
    }
    return comparison();
  };
  const and = (): Test => {
    const parts = [unary()];
    while (isPunct('&&')) {
      at++;
      parts.push(unary());
    }
    return parts.length === 1 ? parts[0]! : (doc) => parts.every((part) => part(doc));
  };
  const or = (): Test => {
    const parts = [and()];
    while (isPunct('||')) {
      at++;
      parts.push(and());
    }
    return parts.length === 1 ? parts[0]! : (doc) => parts.some((part) => part(doc));
  };

  expect('{');
  const test = or();
  expect('}');
  if (at !== tokens.length) throw unsupported('text after the closing }');
  return (message) => {
    // Only objects and arrays are JSON log events; a message that is not JSON never matches.
    const first = message.trimStart()[0];
    if (first !== '{' && first !== '[') return false;
    let document: JsonValue;
    try {
      document = JSON.parse(message);
    } catch {
      return false;
    }
    return test(document);
  };
}
