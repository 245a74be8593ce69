import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEvent } from '../../../../lib/audit/audit-event';
import * as reports from '../../../../lib/audit/reports';
import { AUDIT_INSIGHTS_QUERIES } from '../../../../lib/audit/reports';

/** Every field of the event format; a Record so a field added to the format must be added here. */
const FORMAT_FIELDS: Readonly<Record<keyof AuditEvent, true>> = {
  timestamp: true,
  event_type: true,
  user_id: true,
  user_email: true,
  service: true,
  secret_name: true,
  environment: true,
  action: true,
  ip_address: true,
  user_agent: true,
  success: true,
  cache_hit: true,
  version_id: true,
  reason: true,
  request_id: true,
  details: true,
  seq: true,
  prev: true,
};

const COMMANDS = new Set(['fields', 'filter', 'stats', 'sort', 'limit']);
const KEYWORDS = new Set(['by', 'as', 'and', 'or', 'not', 'asc', 'desc']);
const FUNCTIONS = new Set([
  'count',
  'count_distinct',
  'sum',
  'avg',
  'min',
  'max',
  'earliest',
  'latest',
  'bin',
  'isempty',
  'ispresent',
]);

type Token =
  | { readonly kind: 'word'; readonly text: string }
  | { readonly kind: 'string' | 'number' | 'duration' | 'symbol'; readonly text: string };

const TOKEN =
  /\s*(?:("(?:[^"\\]|\\.)*")|(\d+[a-z]+)|(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(!=|<=|>=|[=<>()*,/+-]))/y;

function tokenize(segment: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < segment.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(segment);
    if (match === null) {
      if (segment.slice(start).trim() === '') break;
      throw new SyntaxError(`cannot read ${JSON.stringify(segment.slice(start))}`);
    }
    const [, string, duration, number, word, symbol] = match;
    if (string !== undefined) tokens.push({ kind: 'string', text: string });
    else if (duration !== undefined) tokens.push({ kind: 'duration', text: duration });
    else if (number !== undefined) tokens.push({ kind: 'number', text: number });
    else if (word !== undefined) tokens.push({ kind: 'word', text: word });
    else tokens.push({ kind: 'symbol', text: symbol! });
  }
  return tokens;
}

/** Splits on pipes outside string literals. */
function commands(query: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of query) {
    if (char === '"') quoted = !quoted;
    if (char === '|' && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  if (quoted) throw new SyntaxError('unterminated string');
  return [...parts, current].map((part) => part.trim());
}

interface Checked {
  readonly commands: string[];
  /** Identifiers that name a field (not an alias, keyword or function). */
  readonly fields: string[];
}

/**
 * A small check of Logs Insights syntax: commands separated by pipes, each one of
 * fields/filter/stats/sort/limit, balanced parentheses, known functions, `as` aliases
 * defined before use, `limit` a count up to 10,000.
 */
function check(query: string): Checked {
  const aliases = new Set<string>();
  const fields: string[] = [];
  const names: string[] = [];
  for (const segment of commands(query)) {
    const tokens = tokenize(segment);
    const [head, ...rest] = tokens;
    if (head?.kind !== 'word' || !COMMANDS.has(head.text)) throw new SyntaxError(`not a command: ${segment}`);
    names.push(head.text);
    if (rest.length === 0) throw new SyntaxError(`${head.text} without arguments`);
    if (head.text === 'limit') {
      const count = Number(rest[0]?.text);
      if (rest.length !== 1 || !Number.isInteger(count) || count < 1 || count > 10_000) {
        throw new SyntaxError(`bad limit: ${segment}`);
      }
      continue;
    }
    let depth = 0;
    rest.forEach((token, i) => {
      if (token.text === '(') depth += 1;
      if (token.text === ')') depth -= 1;
      if (depth < 0) throw new SyntaxError(`unbalanced: ${segment}`);
      if (token.kind !== 'word') return;
      const next = rest[i + 1];
      const previous = rest[i - 1];
      if (next?.text === '(') {
        if (!FUNCTIONS.has(token.text)) throw new SyntaxError(`unknown function ${token.text}`);
      } else if (previous?.text === 'as') {
        aliases.add(token.text);
      } else if (!KEYWORDS.has(token.text) && !aliases.has(token.text)) {
        fields.push(token.text);
      }
    });
    if (depth !== 0) throw new SyntaxError(`unbalanced: ${segment}`);
  }
  return { commands: names, fields };
}

const queries = Object.entries(AUDIT_INSIGHTS_QUERIES);

describe('Logs Insights queries', () => {
  it.each(queries)('%s reads as fields/filter/stats/sort/limit commands', (_name, query) => {
    expect(() => check(query)).not.toThrow();
  });

  it.each(queries)('%s names only fields of the event format', (_name, query) => {
    expect(check(query).fields.filter((field) => !(field in FORMAT_FIELDS))).toEqual([]);
  });

  it.each(queries)('%s starts by filtering on event_type', (_name, query) => {
    expect(query).toMatch(/^(fields [^|]+\n\| )?filter .*event_type/);
  });

  it('lists every exported query in AUDIT_INSIGHTS_QUERIES', () => {
    const exported = Object.entries(reports)
      .filter(([name]) => name.endsWith('_QUERY'))
      .map(([, query]) => query);
    expect(new Set(Object.values(AUDIT_INSIGHTS_QUERIES))).toEqual(new Set(exported));
  });

  it('are each named in the README section, which shows the cache-hit query as shipped', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Usage metrics and reports'));
    const names = Object.keys(reports).filter((name) => name.endsWith('_QUERY'));
    expect(names.filter((name) => !section.includes(`\`${name}\``))).toEqual([]);
    expect(section).toContain(`\`\`\`\n${reports.CACHE_HIT_RATIO_QUERY}\n\`\`\``);
  });

  describe('the syntax check', () => {
    it.each([
      ['an unknown command', 'filter event_type = "x" | display user_id'],
      ['an unknown function', 'stats median(seq)'],
      ['unbalanced parentheses', 'stats count(* by secret_name'],
      ['an empty command', 'filter event_type = "x" |'],
      ['a limit past 10,000', 'fields user_id | limit 10001'],
    ])('refuses %s', (_what, query) => {
      expect(() => check(query)).toThrow(SyntaxError);
    });

    it('notices a field the format does not have', () => {
      expect(check('filter username = "ana"').fields).toEqual(['username']);
    });
  });
});
