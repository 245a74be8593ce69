import { ServiceFault } from '../../../lib/local/fault';
import { checkRotationRules, nextRotationDate } from '../../../lib/local/rotation/schedule';

// The schedule arithmetic behind NextRotationDate and the RotationRules checks, without an
// endpoint: windows open on the hour, in UTC.

const from = Date.UTC(2024, 0, 10, 12);

describe('nextRotationDate', () => {
  it.each([
    ['cron(0 8 ? JAN-JUN,DEC 6L *)', '2024-01-26T08:00:00.000Z'], // the last Friday of January
    ['cron(0 0 ? * SUN#1 *)', '2024-02-04T00:00:00.000Z'], // the first Sunday of February
    ['cron(0 16 L * ? *)', '2024-01-31T16:00:00.000Z'],
    ['cron(0 0 1 JAN ? *)', '2025-01-01T00:00:00.000Z'], // into the next year
    ['cron(0 12 10 * ? *)', '2024-02-10T12:00:00.000Z'], // strictly after: not the same hour
    ['cron(0 6,18 ? * MON-FRI *)', '2024-01-10T18:00:00.000Z'],
    ['cron(0 0 29 2 ? *)', '2024-02-29T00:00:00.000Z'], // a leap day
    ['rate(1 day)', '2024-01-11T12:00:00.000Z'],
  ])('%s after 2024-01-10T12:00Z is %s', (expression, expected) => {
    expect(new Date(nextRotationDate(from, { ScheduleExpression: expression })!).toISOString()).toBe(
      expected,
    );
  });

  it('counts AutomaticallyAfterDays from the last rotation and has no date without rules', () => {
    expect(nextRotationDate(from, { AutomaticallyAfterDays: 2 })).toBe(from + 2 * 86_400_000);
    expect(nextRotationDate(from, undefined)).toBeUndefined();
    expect(nextRotationDate(from, { Duration: '2h' })).toBeUndefined();
  });
});

describe('checkRotationRules', () => {
  it('returns only the members it knows, as given', () => {
    expect(checkRotationRules({ ScheduleExpression: 'rate(12 hours)', Duration: '12h', Extra: 1 })).toEqual({
      ScheduleExpression: 'rate(12 hours)',
      Duration: '12h',
    });
  });

  it.each([
    [{ ScheduleExpression: 'cron(0 16 ? * MON#6 *)' }, /'#' takes a weekday and a week from 1 to 5/],
    [{ ScheduleExpression: 'cron(0 16 ? 13 MON *)' }, /Month values must be from 1 to 12/],
    [{ ScheduleExpression: 'cron(0 24 * * ? *)' }, /Hours values must be from 0 to 23/],
    [{ ScheduleExpression: 'cron(0 16 # * ? *)' }, /'#' is allowed only in Day-of-week/],
    [{ ScheduleExpression: 'cron(0 4,20 * * ? *)', Duration: '5h' }, /next UTC day/],
    [{ ScheduleExpression: 'rate(0 days)' }, /1 to 999 days/],
    [{ AutomaticallyAfterDays: 1.5 }, /whole number from 1 to 1000/],
    [{ Duration: 3 }, /Duration must be a string/],
    ['weekly', /must be a structure/],
  ])('refuses %p', (rules, message) => {
    let error: unknown;
    try {
      checkRotationRules(rules);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ServiceFault);
    expect((error as ServiceFault).type).toBe('InvalidParameterException');
    expect((error as ServiceFault).message).toMatch(message);
  });
});
