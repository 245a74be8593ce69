import { incidentReport } from '../../../../lib/audit/reports';
import { FROM, TO, at, auditEvent, denial } from './fixtures';

const BASELINE_FROM = new Date('2024-04-24T00:00:00.000Z');
const OTHER = 'prod/other/key';

const events = [
  // The baseline: ana and bo read the database secret from their usual addresses.
  auditEvent({ timestamp: at('10:00', '2024-04-28'), user_id: 'ana', ip_address: '10.0.0.7' }),
  auditEvent({ timestamp: at('10:00', '2024-04-28'), user_id: 'bo', ip_address: '10.0.0.8' }),
  // Before the baseline: does not make mallory known.
  auditEvent({ timestamp: at('10:00', '2024-04-01'), user_id: 'mallory', ip_address: '10.0.0.7' }),
  // The period.
  auditEvent({ timestamp: at('09:00'), user_id: 'ana', ip_address: '10.0.0.7' }),
  auditEvent({ timestamp: at('10:00'), user_id: 'bo', ip_address: '203.0.113.9' }),
  auditEvent({ timestamp: at('10:30'), user_id: 'bo', ip_address: '203.0.113.9', action: 'getJson' }),
  auditEvent({ timestamp: at('11:00'), user_id: 'mallory', ip_address: '10.0.0.7' }),
  auditEvent({ timestamp: at('12:00'), user_id: 'ana', ip_address: '10.0.0.7', secret_name: OTHER }),
  denial({ timestamp: at('09:55'), user_id: 'eve', ip_address: '10.0.0.7' }),
  denial({ timestamp: at('09:50'), user_id: 'eve', ip_address: '10.0.0.7' }),
  auditEvent({
    timestamp: at('13:00'),
    event_type: 'rate_limited',
    user_id: 'bo',
    ip_address: '10.0.0.8',
    success: false,
    reason: 'max 100 per hour',
  }),
  auditEvent({
    timestamp: at('14:00'),
    user_id: 'ana',
    ip_address: '10.0.0.7',
    success: false,
    reason: 'SECRET_NOT_FOUND',
  }),
  auditEvent({
    timestamp: at('15:00'),
    event_type: 'audit_checkpoint',
    action: null,
    user_id: 'zed',
    secret_name: null,
  }),
];

const options = { from: FROM, to: TO, baselineFrom: BASELINE_FROM };

describe('incidentReport', () => {
  it('lists denials, new principals and source IPs, throttles and failures, in that order', async () => {
    const report = await incidentReport(events, options);
    expect(
      report.rows.map((row) => [row.kind, row.secret, row.principal, row.sourceIp, row.count, row.firstAt]),
    ).toEqual([
      ['denial', 'prod/billing/db', 'eve', '10.0.0.7', 2, at('09:50')],
      ['new-principal', 'prod/billing/db', 'eve', '10.0.0.7', 2, at('09:50')],
      ['new-principal', 'prod/billing/db', 'mallory', '10.0.0.7', 1, at('11:00')],
      ['new-principal', OTHER, 'ana', '10.0.0.7', 1, at('12:00')],
      ['new-source-ip', 'prod/billing/db', 'bo', '203.0.113.9', 2, at('10:00')],
      ['new-source-ip', OTHER, 'ana', '10.0.0.7', 1, at('12:00')],
      ['rate-limited', 'prod/billing/db', 'bo', '10.0.0.8', 1, at('13:00')],
      ['failure', 'prod/billing/db', 'ana', '10.0.0.7', 1, at('14:00')],
    ]);
  });

  it('describes a new source IP by its first event, and gives it no reason', async () => {
    const report = await incidentReport(events, options);
    expect(report.rows.find((row) => row.sourceIp === '203.0.113.9')).toEqual({
      kind: 'new-source-ip',
      secret: 'prod/billing/db',
      principal: 'bo',
      service: 'billing',
      sourceIp: '203.0.113.9',
      action: 'get',
      reason: null,
      count: 2,
      firstAt: at('10:00'),
      lastAt: at('10:30'),
    });
  });

  it('gives the same rows whatever the order of the events', async () => {
    expect(await incidentReport([...events].reverse(), options)).toEqual(
      await incidentReport(events, options),
    );
  });

  it('measures "new" against the 30 days before from by default', async () => {
    const report = await incidentReport(events, { from: FROM, to: TO });
    expect(report.baselineFrom).toBe('2024-04-01T00:00:00.000Z');
    // mallory's read of 2024-04-01 is now in the baseline.
    expect(report.rows.some((row) => row.kind === 'new-principal' && row.principal === 'mallory')).toBe(
      false,
    );
  });

  it('says it is truncated when the baseline outgrows maxRows', async () => {
    const report = await incidentReport(events, { ...options, maxRows: 1 });
    expect(report.truncated).toBe(true);
  });

  it('refuses a baselineFrom that is not before from', async () => {
    await expect(incidentReport(events, { from: FROM, to: TO, baselineFrom: TO })).rejects.toMatchObject({
      field: 'baselineFrom',
    });
  });
});
