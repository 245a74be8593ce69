import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import {
  accessReport,
  changeReport,
  complianceReport,
  incidentReport,
  jsonLinesEvents,
  reportCsv,
  reportMarkdown,
  usageMetrics,
  type Report,
} from '../../../../lib/audit/reports';
import { FROM, TO, at, auditEvent, change, denial, jsonLines } from './fixtures';

// Events never carry a value; this checks the reports add no way for one to travel: a value
// planted wherever a careless writer could put one never reaches any output.
const PLANTED = 'pl4nted-S3CRET-value-9c1e';

const log = [
  jsonLines([
    auditEvent({ details: { value: PLANTED, note: `password=${PLANTED}` } }),
    auditEvent({ timestamp: at('11:00'), user_id: null, user_agent: `curl ${PLANTED}` }),
    denial({ user_email: `${PLANTED}@example.com`, details: { rule: PLANTED } }),
    change({ action: 'put', details: { previous: PLANTED } }),
    auditEvent({ event_type: 'rate_limited', success: false, details: { secret: PLANTED } }),
  ]),
  // An event-shaped line with an extra field, and lines that are not events at all.
  `${JSON.stringify({ ...auditEvent({ request_id: 'extra' }), value: PLANTED, SecretString: PLANTED })}\n`,
  `${JSON.stringify({ ...auditEvent(), success: PLANTED })}\n`,
  `SecretString=${PLANTED}\n`,
  `{"value":"${PLANTED}"\n`,
].join('');

async function everyReport(): Promise<Report[]> {
  const events = () => jsonLinesEvents(Readable.from([log]));
  const period = { from: FROM, to: TO };
  return [
    await usageMetrics(events(), period),
    await accessReport(events(), period),
    await changeReport(events(), period),
    await incidentReport(events(), period),
    await complianceReport(events(), {
      ...period,
      secrets: [{ name: 'prod/billing/db', keystage: { kind: 'database', status: 'revoked' } }],
    }),
  ];
}

describe('reports never carry a planted value', () => {
  it('reads the events the scan is about (the scan is not vacuous)', async () => {
    const events = jsonLinesEvents(Readable.from([log]));
    for await (const _ of events) void _;
    expect({ records: events.records, skipped: events.skipped }).toEqual({ records: 6, skipped: 3 });
  });

  it.each([
    ['JSON', (report: Report) => JSON.stringify(report)],
    ['CSV', reportCsv],
    ['Markdown', reportMarkdown],
    ['util.inspect', (report: Report) => inspect(report, { depth: Infinity })],
  ])('in %s', async (_format, render) => {
    const outputs = (await everyReport()).map(render);
    expect(outputs.filter((output) => output.includes('pl4nted'))).toEqual([]);
  });

  it('in the source, which counts junk lines without keeping them', async () => {
    const events = jsonLinesEvents(Readable.from([log]));
    for await (const _ of events) void _;
    expect(inspect(events, { depth: Infinity, getters: true })).not.toContain('pl4nted');
  });
});
