import { usageMetrics } from '../../../../lib/audit/reports';
import { FROM, TO, at, auditEvent, change, denial } from './fixtures';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/billing/db-AbCdEf';

/** One day of prod/billing/db, with the numbers worked out by hand in the tests. */
const day = [
  auditEvent({ timestamp: at('09:05') }),
  auditEvent({ timestamp: at('09:20'), cache_hit: true }),
  auditEvent({ timestamp: at('09:40'), user_id: 'bo', service: 'checkout', cache_hit: true }),
  auditEvent({ timestamp: at('09:55'), user_id: 'carl', service: 'reporting', secret_name: ARN }),
  auditEvent({ timestamp: at('10:15'), cache_hit: true }),
  auditEvent({ timestamp: at('10:30'), user_id: null, user_email: null }),
  auditEvent({
    timestamp: at('11:00'),
    user_id: 'bo',
    service: 'checkout',
    success: false,
    reason: 'SECRET_NOT_FOUND',
  }),
  denial({ timestamp: at('09:50'), user_id: 'eve', service: 'unknown' }),
  auditEvent({ timestamp: at('12:00'), event_type: 'rate_limited', user_id: 'bo', success: false }),
  change({ timestamp: at('13:00') }),
  // Another secret, and reads just outside the period on either side.
  auditEvent({ timestamp: at('09:10'), secret_name: 'prod/other/key' }),
  auditEvent({ timestamp: '2024-04-30T23:59:59.999Z' }),
  auditEvent({ timestamp: TO.toISOString() }),
];

describe('usageMetrics', () => {
  it('computes the metrics of one secret over the period', async () => {
    expect(await usageMetrics(day, { secret: 'prod/billing/db', from: FROM, to: TO })).toEqual({
      kind: 'usage',
      secret: 'prod/billing/db',
      period: { from: '2024-05-01T00:00:00.000Z', to: '2024-05-02T00:00:00.000Z' },
      totalAccesses: 7,
      failedAccesses: 1,
      uniquePrincipals: 3,
      uniqueServices: 3,
      averagePerHour: 7 / 24,
      peakHour: { start: '2024-05-01T09:00:00.000Z', count: 4 },
      perService: [
        { service: 'billing', count: 4 },
        { service: 'checkout', count: 2 },
        { service: 'reporting', count: 1 },
      ],
      unlistedServiceAccesses: 0,
      cacheHits: 3,
      cacheHitRatio: 3 / 7,
      denials: 1,
      rateLimited: 1,
      truncated: false,
    });
  });

  it('gives the same answer whatever the order of the events', async () => {
    const options = { secret: 'prod/billing/db', from: FROM, to: TO };
    expect(await usageMetrics([...day].reverse(), options)).toEqual(await usageMetrics(day, options));
  });

  it('covers every secret when none is named', async () => {
    const metrics = await usageMetrics(day, { from: FROM, to: TO });
    expect({ secret: metrics.secret, totalAccesses: metrics.totalAccesses }).toEqual({
      secret: null,
      totalAccesses: 8,
    });
  });

  it('reads an async iterable', async () => {
    async function* stream() {
      yield* day;
    }
    const metrics = await usageMetrics(stream(), { secret: 'prod/billing/db', from: FROM, to: TO });
    expect(metrics.totalAccesses).toBe(7);
  });

  it('names the earliest of equally busy hours as the peak', async () => {
    const events = [at('15:10'), at('15:20'), at('08:01'), at('08:59')].map((timestamp) =>
      auditEvent({ timestamp }),
    );
    expect((await usageMetrics(events, { from: FROM, to: TO })).peakHour).toEqual({
      start: '2024-05-01T08:00:00.000Z',
      count: 2,
    });
  });

  it('has no peak, and a null ratio, without accesses', async () => {
    const metrics = await usageMetrics([denial()], { from: FROM, to: TO });
    expect({
      peakHour: metrics.peakHour,
      cacheHitRatio: metrics.cacheHitRatio,
      denials: metrics.denials,
    }).toEqual({
      peakHour: null,
      cacheHitRatio: null,
      denials: 1,
    });
  });

  it('stops tracking past maxDistinct, says so, and still counts every access', async () => {
    const events = ['a', 'b', 'c'].map((name) => auditEvent({ user_id: name, service: `svc-${name}` }));
    const metrics = await usageMetrics(events, { from: FROM, to: TO, maxDistinct: 2 });
    expect({
      totalAccesses: metrics.totalAccesses,
      uniquePrincipals: metrics.uniquePrincipals,
      perService: metrics.perService.length,
      unlistedServiceAccesses: metrics.unlistedServiceAccesses,
      truncated: metrics.truncated,
    }).toEqual({
      totalAccesses: 3,
      uniquePrincipals: 2,
      perService: 2,
      unlistedServiceAccesses: 1,
      truncated: true,
    });
  });

  it.each([
    ['to', { from: TO, to: FROM }],
    ['from', { from: 'yesterday', to: TO }],
    ['secret', { from: FROM, to: TO, secret: '' }],
    ['maxDistinct', { from: FROM, to: TO, maxDistinct: 0 }],
  ])('refuses a bad %s', async (field, options) => {
    await expect(usageMetrics(day, options as never)).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field,
    });
  });
});
