import { accessReport } from '../../../../lib/audit/reports';
import { FROM, TO, at, auditEvent, denial } from './fixtures';

const events = [
  auditEvent({ timestamp: at('09:05') }),
  auditEvent({ timestamp: at('09:20'), cache_hit: true }),
  auditEvent({ timestamp: at('10:15'), cache_hit: true }),
  auditEvent({ timestamp: at('11:00'), success: false, reason: 'SERVICE_UNAVAILABLE' }),
  auditEvent({ timestamp: at('09:40'), user_id: 'bo', service: 'checkout', cache_hit: true }),
  auditEvent({ timestamp: at('10:30'), user_id: null }),
  auditEvent({ timestamp: at('09:10'), secret_name: 'prod/other/key' }),
  auditEvent({ timestamp: at('09:11'), event_type: 'secret_metadata', action: 'describe' }),
  denial({ timestamp: at('09:50') }),
  auditEvent({ timestamp: '2024-04-30T12:00:00.000Z' }),
];

describe('accessReport', () => {
  it('lists who read what, most reads first, with counts, hits and first and last read', async () => {
    const report = await accessReport(events, { from: FROM, to: TO });
    expect(report).toEqual({
      kind: 'access',
      period: { from: FROM.toISOString(), to: TO.toISOString() },
      rows: [
        {
          principal: 'ana',
          service: 'billing',
          secret: 'prod/billing/db',
          count: 4,
          failures: 1,
          cacheHits: 2,
          cacheHitRatio: 0.5,
          firstAt: at('09:05'),
          lastAt: at('11:00'),
        },
        {
          principal: 'ana',
          service: 'billing',
          secret: 'prod/other/key',
          count: 1,
          failures: 0,
          cacheHits: 0,
          cacheHitRatio: 0,
          firstAt: at('09:10'),
          lastAt: at('09:10'),
        },
        {
          principal: 'bo',
          service: 'checkout',
          secret: 'prod/billing/db',
          count: 1,
          failures: 0,
          cacheHits: 1,
          cacheHitRatio: 1,
          firstAt: at('09:40'),
          lastAt: at('09:40'),
        },
        {
          principal: null,
          service: 'billing',
          secret: 'prod/billing/db',
          count: 1,
          failures: 0,
          cacheHits: 0,
          cacheHitRatio: 0,
          firstAt: at('10:30'),
          lastAt: at('10:30'),
        },
      ],
      totalAccesses: 7,
      omitted: 0,
      truncated: false,
    });
  });

  it('counts a secret named by its full or partial ARN as its name', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/billing/db';
    const named = [
      auditEvent(),
      auditEvent({ secret_name: `${arn}-AbCdEf` }),
      auditEvent({ secret_name: arn }),
    ];
    const report = await accessReport(named, { from: FROM, to: TO });
    expect(report.rows.map((row) => [row.secret, row.count])).toEqual([['prod/billing/db', 3]]);
  });

  it('keeps at most maxRows rows and counts the reads it leaves out', async () => {
    const report = await accessReport(events, { from: FROM, to: TO, maxRows: 1 });
    expect({ rows: report.rows.length, omitted: report.omitted, truncated: report.truncated }).toEqual({
      rows: 1,
      omitted: 3,
      truncated: true,
    });
  });
});
