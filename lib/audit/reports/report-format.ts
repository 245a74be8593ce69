import { reportTable, type Report, type ReportCell } from './report-table';

/**
 * A spreadsheet runs a cell that starts with one of these as a formula (`=HYPERLINK(...)`,
 * `@SUM(...)`, `+cmd|...`); tab and carriage return are in OWASP's list because some
 * programs skip them before looking. Secret names may start with `=`, `+`, `@` and `-`.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const CSV_QUOTE_NEEDED = /[",\r\n]/;

/** One CSV field (RFC 4180), with text that a spreadsheet would run as a formula defused. */
function csvField(cell: ReportCell): string {
  if (cell === null) return '';
  // Numbers and flags are written by us, not taken from events: never a formula.
  if (typeof cell !== 'string') return String(cell);
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return CSV_QUOTE_NEEDED.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A report as CSV (RFC 4180): a header row, then one record per row, CRLF line ends, fields
 * with a comma, quote or line break quoted and quotes doubled. A text cell that starts with
 * `=`, `+`, `-`, `@`, tab or CR gets a leading `'` so a spreadsheet shows it instead of
 * running it (CSV formula injection). Empty cells are nulls.
 * @example
 * await writeFile('access.csv', reportCsv(await accessReport(events, { from, to })));
 */
export function reportCsv(report: Report): string {
  const { columns, rows } = reportTable(report);
  return [columns, ...rows].map((cells) => `${cells.map(csvField).join(',')}\r\n`).join('');
}

const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * One Markdown table cell (GitHub Flavored Markdown). A pipe would end the cell and a line
 * break the row; emphasis, code and link characters (`\ \` * _ ~ [ ]`) are backslash-escaped
 * so a name renders as itself, and `& < >` become entities so no HTML or autolink in an
 * event reaches a renderer. Line-start markup (`#`, `-`, `+`) cannot occur inside a cell.
 * Control characters become spaces.
 */
function markdownCell(cell: ReportCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number')
    return Number.isInteger(cell) ? String(cell) : String(Number(cell.toFixed(4)));
  if (typeof cell === 'boolean') return String(cell);
  return (
    cell
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ')
      .replace(/[\\`*_~[\]|]/g, (char) => `\\${char}`)
      .replace(/[&<>]/g, (char) => HTML_ENTITIES[char]!)
  );
}

const markdownRow = (cells: readonly ReportCell[]): string => `| ${cells.map(markdownCell).join(' | ')} |`;

/**
 * A report as Markdown: a heading, its notes (period, what was left out) and a table, with
 * every cell escaped (pipes, markup, HTML, line breaks) so event text renders as text.
 * Ratios are shown to four decimals; the JSON report has them whole.
 * @example
 * await writeFile('incidents.md', reportMarkdown(await incidentReport(events, { from, to })));
 */
export function reportMarkdown(report: Report): string {
  const { title, columns, rows, notes } = reportTable(report);
  return [
    `## ${title}`,
    '',
    ...notes.map((note) => markdownCell(note)),
    '',
    markdownRow(columns),
    `|${columns.map(() => ' --- ').join('|')}|`,
    ...rows.map(markdownRow),
    '',
  ].join('\n');
}
