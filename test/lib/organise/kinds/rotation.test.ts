import { rotationAdvice, rotationIntervalDays } from '../../../../lib/organise/kinds';

describe('rotationIntervalDays', () => {
  it.each([
    ['rate(30 days)', 30],
    ['rate(1 day)', 1],
    ['rate( 7 days )', 7],
    ['rate(12 hours)', 0.5],
    // The first of every month: the longest gap is a 31-day month.
    ['cron(0 4 1 * ? *)', 31],
    // Every Sunday (1 = SUN), by number and by name.
    ['cron(0 0 ? * 1 *)', 7],
    ['cron(0 0 ? * SUN *)', 7],
    // Mondays to Fridays: a weekend in between.
    ['cron(0 0 ? * MON-FRI *)', 3],
    // Quarterly, on the first of January, April, July and October.
    ['cron(0 0 1 1/3 ? *)', 92],
    ['cron(0 0 1 JAN,APR,JUL,OCT ? *)', 92],
    // The last day of February only: once a year.
    ['cron(0 0 L 2 ? *)', 366],
    // The second Tuesday of every month.
    ['cron(0 9 ? * 3#2 *)', 35],
    // Every four hours, every day.
    ['cron(0 */4 * * ? *)', 1],
  ])('reads %s as at most %s days between rotations', (expression, days) => {
    expect(rotationIntervalDays({ scheduleExpression: expression })).toBe(days);
  });

  it.each([
    'cron(0 0 15W * ? *)',
    'cron(0 0 ? * 6L *)',
    'cron(0 0 1 1 ? 2030)',
    'cron(0 0 1 * 1 *)',
    'cron(0 0 1 *)',
    'cron(61 0 1 * ? *)',
    'rate(2 weeks)',
    'every month',
  ])('cannot judge %s', (expression) => {
    expect(rotationIntervalDays({ scheduleExpression: expression })).toBeUndefined();
  });

  it('falls back to AutomaticallyAfterDays without an expression', () => {
    expect(rotationIntervalDays({ automaticallyAfterDays: 45 })).toBe(45);
    expect(rotationIntervalDays({})).toBeUndefined();
  });

  it('prefers the schedule expression, which is what Secrets Manager runs', () => {
    expect(rotationIntervalDays({ automaticallyAfterDays: 45, scheduleExpression: 'rate(10 days)' })).toBe(
      10,
    );
  });
});

describe('rotationAdvice', () => {
  it('meets the recommendation when rotation is on and at least as frequent', () => {
    expect(rotationAdvice('database', { enabled: true, automaticallyAfterDays: 30 })).toEqual({
      days: 30,
      reason: 'Database credentials rotate monthly.',
      configuredDays: 30,
      meets: true,
    });
  });

  it('does not meet it when rotation is less frequent', () => {
    expect(rotationAdvice('api-key', { enabled: true, scheduleExpression: 'rate(120 days)' })).toMatchObject({
      days: 90,
      configuredDays: 120,
      meets: false,
    });
  });

  it('does not meet it when rotation is off, whatever the rules say', () => {
    expect(rotationAdvice('webhook-secret', { enabled: false, automaticallyAfterDays: 1 })).toMatchObject({
      days: 182,
      configuredDays: undefined,
      meets: false,
    });
  });

  it('cannot say when the schedule cannot be judged', () => {
    expect(
      rotationAdvice('generic', { enabled: true, scheduleExpression: 'cron(0 0 15W * ? *)' }),
    ).toMatchObject({
      configuredDays: undefined,
      meets: undefined,
    });
  });

  it('counts a schedule that runs more than daily as one day', () => {
    expect(rotationAdvice('database', { enabled: true, scheduleExpression: 'rate(4 hours)' })).toMatchObject({
      configuredDays: 1,
      meets: true,
    });
  });
});

describe('rotationIntervalDays on rare days', () => {
  it('sees the four-year gap of a 29 February schedule', () => {
    expect(rotationIntervalDays({ scheduleExpression: 'cron(0 0 29 2 ? *)' })).toBe(1461);
  });

  it('cannot judge a day that never comes', () => {
    expect(rotationIntervalDays({ scheduleExpression: 'cron(0 0 30 2 ? *)' })).toBeUndefined();
  });
});
