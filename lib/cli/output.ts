import { dump } from 'js-yaml';
import { search } from 'jmespath';
import { ValidationError, show } from '../errors';

/** How a result is printed: `--output json|yaml|table|text`. */
export type OutputFormat = 'json' | 'yaml' | 'table' | 'text';

export const OUTPUT_FORMATS: readonly OutputFormat[] = Object.freeze(['json', 'yaml', 'table', 'text']);

/** How a table (and text) shows an array of objects: a header and a dotted path per column. */
export interface TableView {
  /**
   * The columns, e.g. `[['NAME', 'name'], ['KIND', 'keystage.kind']]`: a header and a dotted
   * path into each row. Only used when no `--query` reshaped the result.
   * @default - every key of the rows, in the order first seen
   */
  readonly columns?: ReadonlyArray<readonly [header: string, path: string]>;
}

/** A JSON value: what every result becomes before it is queried or printed. */
export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

/**
 * A result as plain JSON data: dates as ISO strings, undefined fields left out, through each
 * object's own toJSON (keystage errors and clients print nothing they hold).
 * @example
 * plain({ at: new Date(0), gone: undefined }); // { at: '1970-01-01T00:00:00.000Z' }
 */
export function plain(value: unknown): Plain {
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as Plain);
}

/**
 * Checks a `--query` expression without data, so a typo fails before any call is made.
 * @example
 * checkQuery('[].name');
 */
export function checkQuery(expression: string): void {
  try {
    search({}, expression);
  } catch (error) {
    throw new ValidationError(
      '--query',
      `--query ${show(expression)} is not a JMESPath expression (${(error as Error).message}); see https://jmespath.org, e.g. --query '[].name'.`,
    );
  }
}

/**
 * Applies a JMESPath expression (`--query`) to a result.
 * @example
 * query([{ name: 'a' }], '[].name'); // ['a']
 */
export function query(data: Plain, expression: string | undefined): Plain {
  if (expression === undefined) return data;
  try {
    return search(data, expression) as Plain;
  } catch (error) {
    throw new ValidationError('--query', `--query ${show(expression)} failed: ${(error as Error).message}.`);
  }
}

const isRecord = (value: Plain): value is { [key: string]: Plain } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A dotted path into a row (`keystage.kind`); undefined where it leads nowhere. */
function at(row: Plain, path: string): Plain | undefined {
  let current: Plain | undefined = row;
  for (const key of path.split('.')) {
    if (current === undefined || !isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** One cell: scalars as they are, lists of scalars comma-joined, anything else as compact JSON. */
function cell(value: Plain | undefined, none: string): string {
  if (value === undefined || value === null) return none;
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value) && value.every((entry) => typeof entry !== 'object' || entry === null)) {
    return value.length === 0 ? none : value.map((entry) => cell(entry, none)).join(',');
  }
  return JSON.stringify(value);
}

/** A key as a column header: `lastAccessedAt` -> `LAST ACCESSED AT`. */
function header(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toUpperCase();
}

/** The columns of a list of rows: the view's, else every key in the order first seen. */
function columnsOf(rows: readonly Plain[], view: TableView | undefined): Array<readonly [string, string]> {
  if (view?.columns !== undefined) return [...view.columns];
  const keys: string[] = [];
  for (const row of rows) {
    if (!isRecord(row)) continue;
    for (const key of Object.keys(row)) if (!keys.includes(key)) keys.push(key);
  }
  return keys.map((key) => [header(key), key] as const);
}

/** Lines of aligned columns, the header first. */
function grid(header: readonly string[], rows: readonly (readonly string[])[], bold: (s: string) => string) {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((text, i) => (i === cells.length - 1 ? text : text.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [bold(line(header)), ...rows.map(line)];
}

/** Leaves of an object as dotted keys, down to scalars, lists of scalars and lists of objects. */
function leaves(value: { [key: string]: Plain }, prefix = ''): Array<[string, Plain]> {
  return Object.entries(value).flatMap(([key, entry]): Array<[string, Plain]> =>
    isRecord(entry) && Object.keys(entry).length > 0
      ? leaves(entry, `${prefix}${key}.`)
      : [[`${prefix}${key}`, entry]],
  );
}

const isTable = (value: Plain): value is Plain[] =>
  Array.isArray(value) && value.length > 0 && value.every(isRecord);

function renderTable(data: Plain, view: TableView | undefined, bold: (s: string) => string): string[] {
  if (isTable(data)) {
    const columns = columnsOf(data, view);
    return grid(
      columns.map(([header]) => header),
      data.map((row) => columns.map(([, path]) => cell(at(row, path), '-'))),
      bold,
    );
  }
  if (!isRecord(data)) return Array.isArray(data) ? data.map((entry) => cell(entry, '-')) : [cell(data, '-')];
  // An object: its scalar leaves as key/value rows, then each list of objects as its own table.
  const pairs = leaves(data);
  const lists = pairs.filter(([, value]) => isTable(value));
  const lines = grid(
    ['FIELD', 'VALUE'],
    pairs.filter(([, value]) => !isTable(value)).map(([key, value]) => [key, cell(value, '-')]),
    bold,
  );
  for (const [key, rows] of lists) lines.push('', bold(`${key}:`), ...renderTable(rows, undefined, bold));
  return lines;
}

/** AWS CLI style text: tab-separated, one line per row; `None` for a missing value. */
function renderText(data: Plain, view: TableView | undefined): string[] {
  if (isTable(data)) {
    const columns = columnsOf(data, view);
    return data.map((row) => columns.map(([, path]) => cell(at(row, path), 'None')).join('\t'));
  }
  if (isRecord(data)) return leaves(data).map(([key, value]) => `${key}\t${cell(value, 'None')}`);
  if (Array.isArray(data)) {
    return data.every((entry) => !isRecord(entry) && !Array.isArray(entry))
      ? [data.map((entry) => cell(entry, 'None')).join('\t')]
      : data.map((entry) => cell(entry, 'None'));
  }
  return [cell(data, 'None')];
}

/** What `render` needs besides the data. */
export interface RenderOptions {
  readonly view?: TableView;
  /** Whether the query reshaped the data, so the view's columns no longer apply. @default false */
  readonly queried?: boolean;
  /** Makes a table's header stand out. @default - as it is */
  readonly bold?: (text: string) => string;
}

/**
 * A result as the text `--output` asks for, ending in a newline (nothing for an empty text).
 * @example
 * render([{ name: 'a' }], 'table'); // 'NAME\na\n'
 */
export function render(data: Plain, format: OutputFormat, options: RenderOptions = {}): string {
  const view = options.queried === true ? undefined : options.view;
  const bold = options.bold ?? ((text: string) => text);
  let lines: string[];
  switch (format) {
    case 'json':
      return `${JSON.stringify(data, null, 2)}\n`;
    case 'yaml':
      return dump(data, { noRefs: true, lineWidth: -1 });
    case 'table':
      lines = renderTable(data, view, bold);
      break;
    case 'text':
      lines = renderText(data, view);
      break;
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/**
 * One item of a stream as a line: NDJSON for json, a tab-separated row for text.
 * @example
 * renderLine({ name: 'a', kind: 'api-key' }, 'json'); // '{"name":"a","kind":"api-key"}\n'
 */
export function renderLine(item: Plain, format: 'json' | 'text', view?: TableView): string {
  if (format === 'json') return `${JSON.stringify(item)}\n`;
  return `${renderText([item], view).join('\n')}\n`;
}
