import { changeReport } from '../../../../lib/audit/reports';
import { FROM, TO, at, auditEvent, change, denial } from './fixtures';

describe('changeReport', () => {
  const events = [
    change({ timestamp: at('14:00'), action: 'revoke', reason: 'leaked in a ticket', request_id: 'r3' }),
    auditEvent({ timestamp: at('09:00') }),
    change({ timestamp: at('09:30'), action: 'put', version_id: 'v2'.padEnd(32, '0'), request_id: 'r1' }),
    auditEvent({
      timestamp: at('12:00'),
      event_type: 'rotation',
      action: 'rotate',
      success: false,
      reason: 'ROTATION_IN_PROGRESS',
      request_id: 'r2',
    }),
    denial({ timestamp: at('10:00'), action: 'delete' }),
    change({ timestamp: '2024-05-02T00:00:00.000Z', action: 'delete' }),
  ];

  it('lists every change and rotation in the period, in time order, failures included', async () => {
    const report = await changeReport(events, { from: FROM, to: TO });
    expect(report.rows.map((row) => [row.time, row.eventType, row.action, row.success, row.reason])).toEqual([
      [at('09:30'), 'secret_change', 'put', true, null],
      [at('12:00'), 'rotation', 'rotate', false, 'ROTATION_IN_PROGRESS'],
      [at('14:00'), 'secret_change', 'revoke', true, 'leaked in a ticket'],
    ]);
  });

  it('carries who, where and which version for each change', async () => {
    const [put] = (await changeReport(events, { from: FROM, to: TO })).rows;
    expect(put).toEqual({
      time: at('09:30'),
      eventType: 'secret_change',
      action: 'put',
      secret: 'prod/billing/db',
      environment: 'prod',
      principal: 'ana',
      service: 'billing',
      success: true,
      versionId: 'v2'.padEnd(32, '0'),
      reason: null,
      requestId: 'r1',
    });
  });

  it('keeps at most maxRows changes and counts the rest', async () => {
    const report = await changeReport(events, { from: FROM, to: TO, maxRows: 2 });
    expect({ rows: report.rows.length, omitted: report.omitted, truncated: report.truncated }).toEqual({
      rows: 2,
      omitted: 1,
      truncated: true,
    });
  });
});
