import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  InfraPropsError,
  RotationStrategy,
  SecretRotation,
  type RotationScheduleProps,
} from '../../../infra';
import { fixture, rotation } from './fixture';

// Secrets Manager's schedule rules, through the construct that applies them.

describe('SecretRotation schedule', () => {
  it.each<[RotationScheduleProps, string, string, number]>([
    [{ every: Duration.days(30) }, 'rate(30 days)', '4h', 30 * 24 + 4],
    [{ every: Duration.days(1) }, 'rate(1 day)', '4h', 24 + 4],
    [{ every: Duration.hours(6), window: Duration.hours(2) }, 'rate(6 hours)', '2h', 6 + 2],
    [{ every: Duration.hours(4), window: Duration.hours(4) }, 'rate(4 hours)', '4h', 4 + 4],
    [{ every: Duration.days(1000), window: Duration.hours(24) }, 'rate(1000 days)', '24h', 1000 * 24 + 24],
    [
      { cron: 'cron(0 4 ? * SUN *)', window: Duration.hours(2), expectedInterval: Duration.days(7) },
      'cron(0 4 ? * SUN *)',
      '2h',
      7 * 24 + 2,
    ],
    [
      { cron: 'cron(0 */6 * * ? *)', window: Duration.hours(1), expectedInterval: Duration.hours(6) },
      'cron(0 */6 * * ? *)',
      '1h',
      6 + 1,
    ],
  ])(
    'renders %p as %s with window %s and a maxInterval of %d hours',
    (schedule, expression, window, hours) => {
      const { template, r } = rotation({ schedule });
      template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        RotationRules: { ScheduleExpression: expression, Duration: window },
      });
      expect(r.scheduleExpression).toBe(expression);
      expect(r.maxInterval.toHours()).toBe(hours);
    },
  );

  it.each<[string, RotationScheduleProps, string, RegExp]>([
    ['both every and cron', { every: Duration.days(1), cron: 'cron(0 4 * * ? *)' }, 'schedule', /got both/],
    ['neither every nor cron', {}, 'schedule', /got neither/],
    ['every 2 hours', { every: Duration.hours(2) }, 'schedule.every', /got 2 hours\./],
    ['every 90 minutes', { every: Duration.minutes(90) }, 'schedule.every', /got 1 hour 30 minutes\./],
    ['every 30 hours', { every: Duration.hours(30) }, 'schedule.every', /got 1 day 6 hours\./],
    ['every 1001 days', { every: Duration.days(1001) }, 'schedule.every', /1001 days/],
    [
      'a window over 24 hours',
      { every: Duration.days(1), window: Duration.hours(25) },
      'schedule.window',
      /got 1 day 1 hour\./,
    ],
    [
      'a window of part of an hour',
      { every: Duration.days(1), window: Duration.minutes(30) },
      'schedule.window',
      /30 minutes/,
    ],
    [
      'a window longer than an hourly period',
      { every: Duration.hours(6), window: Duration.hours(8) },
      'schedule.window',
      /next window/,
    ],
    [
      'a cron window past midnight',
      { cron: 'cron(0 22 ? * SUN *)', window: Duration.hours(4), expectedInterval: Duration.days(7) },
      'schedule.window',
      /midnight/,
    ],
    ...(
      [
        'every sunday',
        'cron(0 4 * * * *)',
        'cron(0 4 ? * ? *)',
        'cron(15 4 ? * SUN *)',
        'cron(0 4 ? * SUN 2030)',
        'cron(0 4 ? * SUN)',
        'rate(7 days)',
      ] as const
    ).map((cron): [string, RotationScheduleProps, string, RegExp] => [
      `the cron expression ${cron}`,
      { cron, expectedInterval: Duration.days(7) },
      'schedule.cron',
      new RegExp(cron.replace(/[()*?]/g, '\\$&')),
    ]),
    [
      'cron without expectedInterval',
      { cron: 'cron(0 4 ? * SUN *)' },
      'schedule.expectedInterval',
      /required with cron/,
    ],
    [
      'an expectedInterval under 4 hours',
      { cron: 'cron(0 */2 * * ? *)', window: Duration.hours(1), expectedInterval: Duration.hours(2) },
      'schedule.expectedInterval',
      /at least 4 hours; got 2 hours\./,
    ],
    [
      'expectedInterval with every',
      { every: Duration.days(7), expectedInterval: Duration.days(7) },
      'schedule.expectedInterval',
      /only for cron/,
    ],
  ])(
    'refuses %s, naming the prop and the value, before creating anything',
    (_what, schedule, prop, value) => {
      const f = fixture();
      let error: unknown;
      try {
        new SecretRotation(f.stack, 'Rotation', {
          secret: f.secret,
          strategy: RotationStrategy.postgresSingle(),
          schedule,
        });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InfraPropsError);
      expect(error).toMatchObject({ construct: 'SecretRotation', prop });
      expect((error as Error).message).toMatch(value);
      Template.fromStack(f.stack).resourceCountIs('AWS::Lambda::Function', 0);
    },
  );
});
