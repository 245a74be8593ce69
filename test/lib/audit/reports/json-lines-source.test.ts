import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ValidationError } from '../../../../lib';
import { jsonLinesEvents } from '../../../../lib/audit/reports';
import { auditEvent, collect, jsonLines } from './fixtures';

const PLANTED = 'pl4nted-S3CRET-value-7f3a';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keystage-reports-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const first = auditEvent({ request_id: 'req-1' });
const second = auditEvent({ request_id: 'req-2', secret_name: 'prod/billing/stripé' });

describe('jsonLinesEvents', () => {
  it('reads events from a stream whose chunks split lines and characters', async () => {
    const bytes = Buffer.from(jsonLines([first, second]), 'utf8');
    // Cut inside the second line's é (a two-byte character) and inside the first line.
    const cut = bytes.indexOf(Buffer.from('é')) + 1;
    const chunks = [bytes.subarray(0, 10), bytes.subarray(10, cut), bytes.subarray(cut)];
    expect(await collect(jsonLinesEvents(Readable.from(chunks)))).toEqual([first, second]);
  });

  it('reads the last line without a final newline', async () => {
    const text = jsonLines([first, second]).trimEnd();
    expect(await collect(jsonLinesEvents(Readable.from([text])))).toEqual([first, second]);
  });

  it('skips and counts junk lines, and passes over blank ones', async () => {
    const text = [
      'not json at all',
      JSON.stringify(first),
      '',
      `{"value":"${PLANTED}"}`,
      '   ',
      '[1,2,3]',
      JSON.stringify({ ...second, success: 'yes' }),
      JSON.stringify(second),
    ].join('\r\n');
    const events = jsonLinesEvents(Readable.from([text]));
    expect(await collect(events)).toEqual([first, second]);
    expect({ records: events.records, skipped: events.skipped }).toEqual({ records: 2, skipped: 4 });
  });

  it('skips a line longer than maxLineBytes without holding it, and reads on', async () => {
    const long = JSON.stringify(auditEvent({ user_agent: 'x'.repeat(5_000) }));
    const chunks = [
      JSON.stringify(first),
      '\n',
      long.slice(0, 2_000),
      long.slice(2_000),
      '\n',
      JSON.stringify(second),
    ];
    const events = jsonLinesEvents(Readable.from(chunks), { maxLineBytes: 1_000 });
    expect(await collect(events)).toEqual([first, second]);
    expect(events.skipped).toBe(1);
  });

  it('reads a file, afresh on each pass', async () => {
    const path = join(dir, 'audit.jsonl');
    writeFileSync(path, jsonLines([first, second]));
    const events = jsonLinesEvents({ path });
    expect(await collect(events)).toHaveLength(2);
    expect(await collect(events)).toEqual([first, second]);
    expect(events.records).toBe(2);
  });

  it('fails with a ValidationError naming path when the file does not exist', async () => {
    await expect(collect(jsonLinesEvents({ path: join(dir, 'missing.jsonl') }))).rejects.toMatchObject({
      constructor: ValidationError,
      field: 'path',
    });
  });

  it('refuses a maxLineBytes that is not a positive integer', () => {
    expect(() => jsonLinesEvents(Readable.from([]), { maxLineBytes: 0 })).toThrow(
      expect.objectContaining({ field: 'maxLineBytes' }),
    );
  });
});
