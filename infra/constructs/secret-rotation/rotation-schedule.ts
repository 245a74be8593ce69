import { Duration, Token } from 'aws-cdk-lib';
import { propsChecker, shown } from '../props';

/** When rotations run (UTC). Exactly one of `every` and `cron`. */
export interface RotationScheduleProps {
  /**
   * A period of whole hours (4 to 23) or whole days (1 to 1000), rendered as
   * `rate(N hours)` or `rate(N days)`. Secrets Manager opens rate windows at midnight UTC.
   * @default - none; give this or `cron`
   */
  readonly every?: Duration;
  /**
   * A Secrets Manager `cron(0 <hours> <day-of-month> <month> <day-of-week> *)` expression:
   * windows open on the hour (minutes 0), the year is `*`, and exactly one of day-of-month
   * and day-of-week is `?`.
   * @default - none; give this or `every`
   */
  readonly cron?: string;
  /**
   * How long after it opens a rotation may start: whole hours, 1 to 24. It may not run into
   * the next UTC day nor, for an hourly rate, into the next window.
   * @default Duration.hours(4)
   */
  readonly window?: Duration;
  /**
   * With `cron`: the longest time between two window openings (a weekly cron: 7 days). A cron
   * expression's period is not derived here, so the staleness alarm (`maxInterval`) needs it.
   * @default - required with `cron`, refused with `every` (the period is `every`)
   */
  readonly expectedInterval?: Duration;
}

/** A schedule as `AWS::SecretsManager::RotationSchedule` takes it, and how stale it allows. */
export interface RenderedSchedule {
  /** `rate(N days)`, `rate(N hours)` or the cron expression. */
  readonly expression: string;
  /** The window, whole hours (`Duration: <N>h`). */
  readonly windowHours: number;
  /** The period (or `expectedInterval`) plus the window. */
  readonly maxInterval: Duration;
}

// Secrets Manager cron: minutes 0, hours, day-of-month, month, day-of-week, year '*'.
const CRON = /^cron\(0 (\S+) (\S+) (\S+) (\S+) \*\)$/;

/**
 * Secrets Manager's schedule rules: checks `schedule` (errors name `schedule.<prop>` of
 * `construct`) and renders it.
 */
export function renderSchedule(
  schedule: RotationScheduleProps,
  construct = 'SecretRotation',
): RenderedSchedule {
  const check = propsChecker(construct);
  const { every, cron, expectedInterval } = schedule;
  if ((every === undefined) === (cron === undefined)) {
    const got = every === undefined ? 'neither' : 'both';
    check.fail('schedule', `needs exactly one of every and cron; got ${got}.`);
  }
  const window = schedule.window ?? Duration.hours(4);
  const windowHours = window.toHours({ integral: false });
  if (!Number.isInteger(windowHours) || windowHours < 1 || windowHours > 24) {
    check.fail('schedule.window', `must be whole hours from 1 to 24; got ${shown(window)}.`);
  }
  if (every !== undefined) {
    if (expectedInterval !== undefined) {
      check.fail('schedule.expectedInterval', 'is only for cron; with every the period is every.');
    }
    const hours = every.toHours({ integral: false });
    const valid =
      hours > 0 &&
      (hours % 24 === 0 ? hours / 24 <= 1000 : Number.isInteger(hours) && hours >= 4 && hours < 24);
    if (!valid) {
      check.fail(
        'schedule.every',
        `must be whole hours from 4 to 23 or whole days from 1 to 1000; got ${shown(every)}.`,
      );
    }
    if (hours < 24 && windowHours > hours) {
      check.fail(
        'schedule.window',
        `must not run into the next window (every ${hours} hours); got ${shown(window)}.`,
      );
    }
    const expression =
      hours % 24 === 0 ? `rate(${plural(hours / 24, 'day')})` : `rate(${plural(hours, 'hour')})`;
    return { expression, windowHours, maxInterval: Duration.hours(hours + windowHours) };
  }
  const expression = cron!;
  if (!Token.isUnresolved(expression)) {
    const fields = CRON.exec(expression);
    if (fields === null || (fields[2] === '?') === (fields[4] === '?')) {
      check.fail(
        'schedule.cron',
        'must be cron(0 <hours> <day-of-month> <month> <day-of-week> *) with exactly one of ' +
          `day-of-month and day-of-week "?"; got ${shown(expression)}.`,
      );
    }
    const hour = /^\d+$/.test(fields![1]!) ? Number(fields![1]) : undefined;
    if (hour !== undefined && (hour > 23 || hour + windowHours > 24)) {
      check.fail('schedule.window', `must end by midnight UTC (opens at ${hour}:00); got ${shown(window)}.`);
    }
  }
  if (expectedInterval === undefined) {
    return check.fail(
      'schedule.expectedInterval',
      'is required with cron: it sets maxInterval for staleness alarms.',
    );
  }
  const intervalHours = expectedInterval.toHours({ integral: false });
  if (intervalHours < 4) {
    check.fail('schedule.expectedInterval', `must be at least 4 hours; got ${shown(expectedInterval)}.`);
  }
  return { expression, windowHours, maxInterval: Duration.hours(intervalHours + windowHours) };
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
