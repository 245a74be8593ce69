import { invalidParameter } from '../fault';

/**
 * RotationRules as RotateSecret takes them and DescribeSecret shows them.
 * @example
 * const rules: RotationRules = { ScheduleExpression: 'rate(10 days)', Duration: '3h' };
 */
export interface RotationRules {
  readonly AutomaticallyAfterDays?: number;
  readonly Duration?: string;
  readonly ScheduleExpression?: string;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** A schedule reduced to what the checks and the next date need. */
type Schedule =
  | { readonly kind: 'interval'; readonly ms: number; readonly hourly: boolean }
  | { readonly kind: 'cron'; readonly cron: Cron };

interface Cron {
  readonly hours: readonly number[];
  readonly months: ReadonlySet<number>;
  /** Exactly one of the two day fields is '?' (undefined here). */
  readonly dayOfMonth: ((day: Date) => boolean) | undefined;
  readonly dayOfWeek: ((day: Date) => boolean) | undefined;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function badSchedule(detail: string): never {
  throw invalidParameter(`The ScheduleExpression is not valid: ${detail}`);
}

/** `value`, a range `a-b` or `*`, optionally `/step`, resolved to the values it covers. */
function expand(item: string, min: number, max: number, names: readonly string[], field: string): number[] {
  const [range = '', stepText, extra] = item.split('/');
  if (extra !== undefined) badSchedule(`${field} has more than one '/'.`);
  const value = (text: string): number => {
    const named = names.indexOf(text.toUpperCase());
    const n = named >= 0 ? named + min : /^\d{1,2}$/.test(text) ? Number(text) : Number.NaN;
    if (!(n >= min && n <= max)) badSchedule(`${field} values must be from ${min} to ${max}.`);
    return n;
  };
  let from = min;
  let to = max;
  if (range !== '*') {
    const [a = '', b, more] = range.split('-');
    if (more !== undefined) badSchedule(`${field} has a range with more than one '-'.`);
    from = value(a);
    // A single value with a step runs to the end of the field, as in EventBridge.
    to = b === undefined ? (stepText === undefined ? from : max) : value(b);
    if (to < from) badSchedule(`${field} has a range that ends before it starts.`);
  }
  const step = stepText === undefined ? 1 : /^\d{1,3}$/.test(stepText) ? Number(stepText) : 0;
  if (step < 1) badSchedule(`${field} has a step that is not a positive whole number.`);
  const values: number[] = [];
  for (let n = from; n <= to; n += step) values.push(n);
  return values;
}

function listOf(
  field: string,
  text: string,
  min: number,
  max: number,
  names: readonly string[] = [],
): number[] {
  const values = new Set<number>();
  for (const item of text.split(',')) for (const n of expand(item, min, max, names, field)) values.add(n);
  return [...values].sort((a, b) => a - b);
}

const daysIn = (day: Date): number =>
  new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 0)).getUTCDate();

function dayOfMonthField(text: string): Cron['dayOfMonth'] {
  if (text === '?') return undefined;
  const items = text.split(',');
  const last = items.includes('L');
  const days = new Set(
    items.filter((item) => item !== 'L').flatMap((item) => expand(item, 1, 31, [], 'Day-of-month')),
  );
  return (day) => days.has(day.getUTCDate()) || (last && day.getUTCDate() === daysIn(day));
}

function dayOfWeekField(text: string): Cron['dayOfWeek'] {
  if (text === '?') return undefined;
  const weekday = (t: string): number => expand(t, 1, 7, WEEKDAYS, 'Day-of-week')[0]!;
  const tests = text.split(',').map((item): ((day: Date) => boolean) => {
    // 'L' alone is the last day of the week (Saturday); 'nL' the last such weekday of the month.
    if (item === 'L') return (day) => day.getUTCDay() === 6;
    const lastOf = /^(\w+)L$/.exec(item);
    if (lastOf !== null) {
      const n = weekday(lastOf[1]!);
      return (day) => day.getUTCDay() === n - 1 && day.getUTCDate() + 7 > daysIn(day);
    }
    const nth = /^(\w+)#([1-5])$/.exec(item);
    if (nth !== null) {
      const n = weekday(nth[1]!);
      const k = Number(nth[2]);
      return (day) => day.getUTCDay() === n - 1 && Math.ceil(day.getUTCDate() / 7) === k;
    }
    if (item.includes('#')) badSchedule("Day-of-week '#' takes a weekday and a week from 1 to 5.");
    const days = new Set(expand(item, 1, 7, WEEKDAYS, 'Day-of-week'));
    return (day) => days.has(day.getUTCDay() + 1);
  });
  return (day) => tests.some((test) => test(day));
}

function parseCron(body: string): Cron {
  const fields = body.trim().split(/ +/);
  if (fields.length !== 6)
    badSchedule('a cron() expression has six fields: minutes hours day-of-month month day-of-week year.');
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  // Rotation windows open on the hour, and schedules never span more than a year.
  if (minutes !== '0') badSchedule('the Minutes field must be 0.');
  if (year !== '*') badSchedule('the Year field must be *.');
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    badSchedule('exactly one of Day-of-month and Day-of-week must be ?.');
  }
  if ([hours, dayOfMonth, month].some((field) => field.includes('#'))) {
    badSchedule("'#' is allowed only in Day-of-week.");
  }
  const hourList = listOf('Hours', hours, 0, 23);
  const gap = smallestGap(hourList);
  if (gap !== undefined && gap < 4) badSchedule('rotations must be at least four hours apart.');
  return {
    hours: hourList,
    months: new Set(listOf('Month', month, 1, 12, MONTHS)),
    dayOfMonth: dayOfMonthField(dayOfMonth),
    dayOfWeek: dayOfWeekField(dayOfWeek),
  };
}

function parseSchedule(expression: string): Schedule {
  const rate = /^rate\((\d+) (hour|hours|day|days)\)$/.exec(expression);
  if (rate !== null) {
    const value = Number(rate[1]);
    if (rate[2]!.startsWith('hour')) {
      // As often as every four hours; a longer interval is written in days.
      if (value < 4 || value > 23) badSchedule('a rate in hours must be from 4 to 23 hours.');
      return { kind: 'interval', ms: value * HOUR, hourly: true };
    }
    if (value < 1 || value > 999) badSchedule('a rate in days must be from 1 to 999 days.');
    return { kind: 'interval', ms: value * DAY, hourly: false };
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron === null)
    badSchedule('use rate(value unit) or cron(minutes hours day-of-month month day-of-week year).');
  return { kind: 'cron', cron: parseCron(cron[1]!) };
}

/** The hours between rotations in one day of a cron schedule (its windows reset each day). */
function smallestGap(hours: readonly number[]): number | undefined {
  if (hours.length < 2) return undefined;
  let gap = 24;
  for (let i = 1; i < hours.length; i++) gap = Math.min(gap, hours[i]! - hours[i - 1]!);
  return gap;
}

function checkWindow(schedule: Schedule | undefined, duration: string | undefined): void {
  if (duration === undefined) return;
  const match = /^(\d{1,2})h$/.exec(duration);
  const hours = match === null ? 0 : Number(match[1]);
  if (hours < 1 || hours > 24) {
    throw invalidParameter('The Duration must be a whole number of hours from 1h to 24h, for example 3h.');
  }
  if (schedule === undefined) {
    throw invalidParameter('A Duration needs a ScheduleExpression: the rotation window starts by it.');
  }
  const tooLong = (): never => {
    throw invalidParameter(
      'The rotation window (Duration) must not extend into the next rotation window or the next UTC day.',
    );
  };
  if (schedule.kind === 'interval') {
    // A rate's window starts at midnight.
    if (schedule.hourly && hours * HOUR > schedule.ms) tooLong();
    return;
  }
  const { hours: starts } = schedule.cron;
  const gap = smallestGap(starts);
  if ((gap !== undefined && hours > gap) || starts.at(-1)! + hours > 24) tooLong();
}

/**
 * Checks RotationRules the way RotateSecret does, before anything is created: AutomaticallyAfterDays
 * (1-1000) or a ScheduleExpression (`rate()` from 4 hours to 999 days, or a six-field `cron()` whose
 * minutes are 0 and year `*`, at most every four hours), not both, and a Duration (1h-24h) that
 * keeps each window out of the next one and inside its UTC day. Throws InvalidParameterException.
 * @example
 * checkRotationRules({ ScheduleExpression: 'cron(0 16 1,15 * ? *)', Duration: '2h' });
 */
export function checkRotationRules(raw: unknown): RotationRules {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalidParameter('RotationRules must be a structure.');
  }
  const {
    AutomaticallyAfterDays: days,
    Duration: duration,
    ScheduleExpression: expression,
  } = raw as Record<string, unknown>;
  if (days !== undefined && days !== null) {
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 1000) {
      throw invalidParameter('AutomaticallyAfterDays must be a whole number from 1 to 1000.');
    }
  }
  if (duration !== undefined && duration !== null && typeof duration !== 'string') {
    throw invalidParameter('Duration must be a string such as 3h.');
  }
  if (expression !== undefined && expression !== null && typeof expression !== 'string') {
    throw invalidParameter('ScheduleExpression must be a string.');
  }
  const hasDays = typeof days === 'number';
  const hasExpression = typeof expression === 'string';
  if (hasDays && hasExpression) {
    throw invalidParameter('You can use AutomaticallyAfterDays or ScheduleExpression, not both.');
  }
  const schedule = hasExpression
    ? parseSchedule(expression)
    : hasDays
      ? { kind: 'interval' as const, ms: days * DAY, hourly: false }
      : undefined;
  checkWindow(schedule, typeof duration === 'string' ? duration : undefined);
  return {
    ...(hasDays ? { AutomaticallyAfterDays: days } : {}),
    ...(typeof duration === 'string' ? { Duration: duration } : {}),
    ...(hasExpression ? { ScheduleExpression: expression } : {}),
  };
}

/** The first hour of a cron schedule strictly after `from`, within a little over a year. */
function nextCron(cron: Cron, from: number): number | undefined {
  const start = Math.floor(from / DAY) * DAY;
  for (let dayStart = start; dayStart <= start + 400 * DAY; dayStart += DAY) {
    const day = new Date(dayStart);
    if (!cron.months.has(day.getUTCMonth() + 1)) continue;
    if (!(cron.dayOfMonth ?? cron.dayOfWeek)!(day)) continue;
    for (const hour of cron.hours) {
      const at = dayStart + hour * HOUR;
      if (at > from) return at;
    }
  }
  return undefined;
}

/**
 * When the next rotation is due after one at `from` (ms since epoch): the interval later for
 * AutomaticallyAfterDays and `rate()`, the next window opening for `cron()`; undefined without
 * a schedule. The service picks a moment inside the window; this is its start.
 * @example
 * nextRotationDate(Date.UTC(2024, 0, 10), { ScheduleExpression: 'rate(10 days)' }); // Jan 20
 */
export function nextRotationDate(from: number, rules: RotationRules | undefined): number | undefined {
  if (rules === undefined) return undefined;
  if (rules.AutomaticallyAfterDays !== undefined) return from + rules.AutomaticallyAfterDays * DAY;
  if (rules.ScheduleExpression === undefined) return undefined;
  let schedule: Schedule;
  try {
    schedule = parseSchedule(rules.ScheduleExpression);
  } catch {
    // Rules stored before they were checked: no schedule rather than a failed rotation.
    return undefined;
  }
  return schedule.kind === 'interval' ? from + schedule.ms : nextCron(schedule.cron, from);
}
