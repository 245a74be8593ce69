import {
  accessReport,
  changeReport,
  reportCsv,
  reportMarkdown,
  reportTable,
  usageMetrics,
} from '../../../../lib/audit/reports';
import { FROM, TO, at, auditEvent, change } from './fixtures';

/** Names an attacker could give a secret, a service or a principal, and what they aim at. */
const HOSTILE = {
  formula: '=HYPERLINK("http://evil.example","click")',
  dde: "+cmd|' /C calc'!A0",
  minus: '-2+3',
  at: '@SUM(A1:A9)',
  tab: '\tfoo',
  csvBreak: 'a,b\r\n"c"',
  pipe: 'a|b',
  html: '<img src=x onerror=alert(1)>&amp;',
  markup: '*bold* _it_ `code` [link](http://x) ~x~ \\|',
  newline: 'line\nbreak',
} as const;

/** A minimal RFC 4180 reader, to check the CSV by reading it back. */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    } else field += char;
  }
  expect({ field, record }).toEqual({ field: '', record: [] });
  return records;
}

async function hostileAccessReport() {
  const events = Object.values(HOSTILE).map((text, i) =>
    auditEvent({ timestamp: at(`1${i % 10}:00`), user_id: text, service: text, secret_name: text }),
  );
  return accessReport(events, { from: FROM, to: TO });
}

describe('reportCsv', () => {
  it('writes a header and one CRLF-ended record per row, read back cell for cell', async () => {
    const report = await hostileAccessReport();
    const records = readCsv(reportCsv(report));
    expect(records[0]).toEqual(reportTable(report).columns);
    expect(records.slice(1).map((cells) => cells.length)).toEqual(report.rows.map(() => 9));
  });

  it.each([
    ['formula', `'${HOSTILE.formula}`],
    ['dde', `'${HOSTILE.dde}`],
    ['minus', `'${HOSTILE.minus}`],
    ['at', `'${HOSTILE.at}`],
    ['tab', `'${HOSTILE.tab}`],
    ['csvBreak', HOSTILE.csvBreak],
    ['pipe', HOSTILE.pipe],
  ] as const)(
    'keeps the %s text as text, a formula defused with a leading quote',
    async (_name, expected) => {
      const records = readCsv(reportCsv(await hostileAccessReport()));
      expect(records.slice(1).map((cells) => cells[0])).toContain(expected);
    },
  );

  it('leaves no cell that a spreadsheet would run as a formula', async () => {
    const records = readCsv(reportCsv(await hostileAccessReport()));
    expect(records.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
  });

  it('writes numbers and flags as they are, and nulls as empty cells', async () => {
    const report = await changeReport([change({ reason: null, success: false, version_id: null })], {
      from: FROM,
      to: TO,
    });
    const [, row] = readCsv(reportCsv(report));
    expect(row).toEqual([
      at('10:00'),
      'secret_change',
      'put',
      'prod/billing/db',
      'prod',
      'ana',
      'billing',
      'false',
      '',
      '',
      'req-0001',
    ]);
  });
});

describe('reportMarkdown', () => {
  /** The cells of a table line, split on pipes that are not escaped. */
  const cells = (line: string): string[] =>
    line
      .slice(2, -2)
      .split(/(?<!\\)\| /)
      .map((cell) => cell.trim());

  it('keeps every row of the table to its columns, whatever the names hold', async () => {
    const markdown = reportMarkdown(await hostileAccessReport());
    const rows = markdown.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| --- '));
    expect(rows.length).toBe(1 + Object.keys(HOSTILE).length);
    for (const row of rows) expect(cells(row)).toHaveLength(9);
  });

  it.each([
    ['pipe', 'a\\|b'],
    ['html', '&lt;img src=x onerror=alert(1)&gt;&amp;amp;'],
    ['markup', '\\*bold\\* \\_it\\_ \\`code\\` \\[link\\](http://x) \\~x\\~ \\\\\\|'],
    ['newline', 'line break'],
  ] as const)('escapes the %s text', async (_name, expected) => {
    const markdown = reportMarkdown(await hostileAccessReport());
    const principals = markdown
      .split('\n')
      .filter(
        (line) => line.startsWith('| ') && !line.startsWith('| principal') && !line.startsWith('| --- '),
      )
      .map((line) => cells(line)[0]);
    expect(principals).toContain(expected);
  });

  it('has no raw HTML anywhere', async () => {
    expect(reportMarkdown(await hostileAccessReport())).not.toMatch(/<[a-z]/i);
  });

  it('heads the table with the title and the period', async () => {
    const markdown = reportMarkdown(await accessReport([], { from: FROM, to: TO }));
    expect(markdown.split('\n').slice(0, 3)).toEqual([
      '## Access report',
      '',
      'Period: 2024-05-01T00:00:00.000Z to 2024-05-02T00:00:00.000Z (end excluded).',
    ]);
  });

  it('says when a report was truncated', async () => {
    const events = [auditEvent(), auditEvent({ user_id: 'bo' })];
    const markdown = reportMarkdown(await accessReport(events, { from: FROM, to: TO, maxRows: 1 }));
    expect(markdown).toContain('Truncated: the row limit (maxRows) was reached; 1 events are not listed.');
  });
});

describe('reportTable', () => {
  it('shows usage metrics as metric and value rows, per service last', async () => {
    const metrics = await usageMetrics(
      [auditEvent({ cache_hit: true }), auditEvent({ service: 'checkout' })],
      {
        secret: 'prod/billing/db',
        from: FROM,
        to: TO,
      },
    );
    const { columns, rows } = reportTable(metrics);
    expect(columns).toEqual(['metric', 'value']);
    expect(rows).toEqual([
      ['secret', 'prod/billing/db'],
      ['total_accesses', 2],
      ['failed_accesses', 0],
      ['unique_principals', 1],
      ['unique_services', 2],
      ['average_per_hour', 2 / 24],
      ['peak_hour_start', '2024-05-01T10:00:00.000Z'],
      ['peak_hour_count', 2],
      ['cache_hits', 1],
      ['cache_hit_ratio', 0.5],
      ['denials', 0],
      ['rate_limited', 0],
      ['accesses by service billing', 1],
      ['accesses by service checkout', 1],
    ]);
  });
});
