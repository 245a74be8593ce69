import { parseAuditLine, toAuditRecord } from '../../../../lib/audit/reports';
import { auditEvent } from './fixtures';

describe('toAuditRecord', () => {
  it('accepts an event of the format as it is', () => {
    const event = auditEvent();
    expect(toAuditRecord(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it('accepts an event without the chain fields (a sink of your own writes none)', () => {
    const entry: Record<string, unknown> = { ...auditEvent() };
    delete entry['seq'];
    delete entry['prev'];
    expect(toAuditRecord(entry)).toEqual(entry);
  });

  it('drops fields the format does not have', () => {
    const record = toAuditRecord({ ...auditEvent(), value: 'hunter2', extra: { nested: true } });
    expect(Object.keys(record!)).not.toContain('value');
    expect(Object.keys(record!)).not.toContain('extra');
  });

  it.each([
    ['a missing field', (e: Record<string, unknown>) => delete e['user_id']],
    ['a number where text belongs', (e: Record<string, unknown>) => (e['secret_name'] = 42)],
    ['an unknown event_type', (e: Record<string, unknown>) => (e['event_type'] = 'secret_read')],
    ['an unknown action', (e: Record<string, unknown>) => (e['action'] = 'steal')],
    ['a timestamp that is not ISO-8601', (e: Record<string, unknown>) => (e['timestamp'] = 'yesterday')],
    ['a string success', (e: Record<string, unknown>) => (e['success'] = 'true')],
    ['an array of details', (e: Record<string, unknown>) => (e['details'] = ['x'])],
    ['a seq of 0', (e: Record<string, unknown>) => (e['seq'] = 0)],
    ['a prev that is not a SHA-256', (e: Record<string, unknown>) => (e['prev'] = 'abc')],
  ])('refuses an object with %s', (_what, spoil) => {
    const event: Record<string, unknown> = { ...auditEvent() };
    spoil(event);
    expect(toAuditRecord(event)).toBeUndefined();
  });
});

describe('parseAuditLine', () => {
  it.each(['', 'not json', '{"unterminated":', '[1,2]', 'null', '{"timestamp":"2024-05-01T00:00:00.000Z"}'])(
    'answers undefined for %j, without throwing',
    (line) => {
      expect(parseAuditLine(line)).toBeUndefined();
    },
  );

  it('reads a line with a trailing carriage return', () => {
    expect(parseAuditLine(`${JSON.stringify(auditEvent())}\r`)).toEqual(auditEvent());
  });
});
