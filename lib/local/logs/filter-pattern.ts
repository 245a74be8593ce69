import { compileJson, unsupported, type EventMatcher } from './json-pattern';

export type { EventMatcher } from './json-pattern';

/*
 * The part of CloudWatch Logs' filter pattern syntax the local endpoint understands, matched
 * without regular expressions (so in time linear in the message for terms, and bounded by
 * message x value for wildcards):
 *
 * - terms: `ERROR timeout` matches messages containing every term (case-sensitive);
 *   `"quoted phrase"` a phrase with spaces or punctuation; `?ERROR ?WARN` at least one of the
 *   `?` terms; `-DEBUG` none of the `-` terms;
 * - JSON: `{ $.field = "value" }` and `!=` on strings (with `*` wildcards), `=`, `!=`, `<`,
 *   `<=`, `>`, `>=` on numbers, `IS TRUE`, `IS FALSE`, `IS NULL`, `EXISTS`, `NOT EXISTS`,
 *   joined with `&&`, `||` and parentheses; selectors `$.a.b` and `$.list[0]`.
 *
 * Anything else (space-delimited `[a, b]` patterns, `%regex%`) is an InvalidParameterException
 * that says so, rather than a pattern silently matching nothing.
 */

/** Compiles a filter pattern; an empty or absent one matches every event. */
export function compileFilterPattern(pattern: string | undefined): EventMatcher {
  const source = (pattern ?? '').trim();
  if (source === '') return () => true;
  if (source.startsWith('{')) return compileJson(source);
  if (source.startsWith('[')) throw unsupported('space-delimited patterns');
  if (source.startsWith('%')) throw unsupported('regular expressions');
  return compileTerms(source);
}

function compileTerms(source: string): EventMatcher {
  const required: string[] = [];
  const any: string[] = [];
  const excluded: string[] = [];
  let i = 0;
  while (i < source.length) {
    if (source[i] === ' ' || source[i] === '\t') {
      i++;
      continue;
    }
    let list = required;
    if (source[i] === '?') {
      list = any;
      i++;
    } else if (source[i] === '-' && i + 1 < source.length && source[i + 1] !== ' ') {
      list = excluded;
      i++;
    }
    let term = '';
    if (source[i] === '"') {
      i++;
      while (i < source.length && source[i] !== '"') {
        if (source[i] === '\\' && i + 1 < source.length) i++;
        term += source[i];
        i++;
      }
      if (i >= source.length) throw unsupported('a quoted phrase without its closing quote');
      i++;
    } else {
      while (i < source.length && source[i] !== ' ' && source[i] !== '\t') {
        if (source[i] === '"') throw unsupported('a quote inside a term');
        term += source[i];
        i++;
      }
    }
    if (term === '') throw unsupported('an empty term');
    list.push(term);
  }
  return (message) =>
    required.every((term) => message.includes(term)) &&
    (any.length === 0 || any.some((term) => message.includes(term))) &&
    !excluded.some((term) => message.includes(term));
}
