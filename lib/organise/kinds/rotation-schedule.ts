/**
 * How long a Secrets Manager rotation schedule can leave a secret unrotated: the longest gap
 * between two runs, in days. Schedules are `AutomaticallyAfterDays`, `rate(N days|hours)` or
 * `cron(minutes hours day-of-month month day-of-week year)` as the Secrets Manager user guide
 * describes them (day of week 1-7 = SUN-SAT, `?`, `L`, `#`). A cron is walked day by day over
 * eight years (two leap cycles, so a 29 February schedule shows its four-year gap) and its
 * longest gap between two matching days is the answer; what the walk cannot judge (`W`,
 * `nL`, a year field) is undefined rather than guessed.
 */

/** The rotation settings DescribeSecret and ListSecrets report. */
export interface RotationRules {
  readonly automaticallyAfterDays?: number | undefined;
  readonly scheduleExpression?: string | undefined;
}

const DAY_MS = 86_400_000;
/** Eight years from a leap year: every gap a cron without a year field can have, but centuries'. */
const WALK_START = Date.UTC(2024, 0, 1);
const WALK_DAYS = 2922;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/**
 * The longest gap between rotations, in days; undefined when the schedule cannot be judged.
 * @example
 * rotationIntervalDays({ scheduleExpression: 'rate(30 days)' }); // 30
 * rotationIntervalDays({ scheduleExpression: 'cron(0 4 1 * ? *)' }); // 31: the first of each month
 */
export function rotationIntervalDays(rules: RotationRules): number | undefined {
  const expression = rules.scheduleExpression?.trim();
  if (expression !== undefined && expression !== '') {
    const rate = /^rate\(\s*(\d+)\s+(day|days|hour|hours)\s*\)$/.exec(expression);
    if (rate !== null) return rate[2]!.startsWith('day') ? Number(rate[1]) : Number(rate[1]) / 24;
    const cron = /^cron\((.*)\)$/.exec(expression);
    return cron === null ? undefined : cronIntervalDays(cron[1]!.trim().split(/\s+/));
  }
  const days = rules.automaticallyAfterDays;
  return typeof days === 'number' && days > 0 ? days : undefined;
}

/** The values of one cron field: `*`, `n`, `a-b`, `a/s`, `a-b/s`, lists of them; names allowed. */
function fieldValues(
  field: string,
  min: number,
  max: number,
  names: readonly string[],
): Set<number> | undefined {
  const values = new Set<number>();
  const number = (text: string): number | undefined => {
    const named = names.indexOf(text.toUpperCase());
    const value = named >= 0 ? named + min : /^\d+$/.test(text) ? Number(text) : NaN;
    return value >= min && value <= max ? value : undefined;
  };
  for (const part of field.split(',')) {
    const match = /^(\*|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/.exec(part);
    if (match === null) return undefined;
    const from = match[1] === '*' ? min : number(match[1]!);
    const to =
      match[2] !== undefined ? number(match[2]) : match[1] === '*' || match[3] !== undefined ? max : from;
    const step = match[3] === undefined ? 1 : Number(match[3]);
    if (from === undefined || to === undefined || step < 1 || from > to) return undefined;
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}

/** Which days of a month a day-of-month field picks (1-31, `L` the last). */
type DayMatcher = (date: Date) => boolean;

function dayOfMonthMatcher(field: string): DayMatcher | undefined {
  if (field === '?' || field === '*') return () => true;
  if (field === 'L') return (date) => new Date(date.getTime() + DAY_MS).getUTCDate() === 1;
  const days = fieldValues(field, 1, 31, []);
  return days === undefined ? undefined : (date) => days.has(date.getUTCDate());
}

function dayOfWeekMatcher(field: string): DayMatcher | undefined {
  if (field === '?' || field === '*') return () => true;
  const nth = /^([A-Za-z0-9]+)#([1-5])$/.exec(field);
  if (nth !== null) {
    const day = fieldValues(nth[1]!, 1, 7, WEEKDAYS);
    if (day === undefined || day.size !== 1) return undefined;
    const [weekday] = [...day];
    const week = Number(nth[2]);
    return (date) => date.getUTCDay() + 1 === weekday && Math.ceil(date.getUTCDate() / 7) === week;
  }
  const days = fieldValues(field, 1, 7, WEEKDAYS);
  return days === undefined ? undefined : (date) => days.has(date.getUTCDay() + 1);
}

function cronIntervalDays(fields: readonly string[]): number | undefined {
  if (fields.length !== 6) return undefined;
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  // A year field ends the schedule; `?` must stand in one of the two day fields.
  if (year !== '*' || (dayOfMonth !== '?' && dayOfWeek !== '?')) return undefined;
  if (fieldValues(minutes, 0, 59, []) === undefined || fieldValues(hours, 0, 23, []) === undefined)
    return undefined;
  const months = fieldValues(month, 1, 12, MONTHS);
  const byMonthDay = dayOfMonthMatcher(dayOfMonth);
  const byWeekDay = dayOfWeekMatcher(dayOfWeek);
  if (months === undefined || byMonthDay === undefined || byWeekDay === undefined) return undefined;
  let last: number | undefined;
  let longest: number | undefined;
  for (let day = 0; day < WALK_DAYS; day++) {
    const date = new Date(WALK_START + day * DAY_MS);
    if (!months.has(date.getUTCMonth() + 1) || !byMonthDay(date) || !byWeekDay(date)) continue;
    if (last !== undefined) longest = Math.max(longest ?? 0, day - last);
    last = day;
  }
  // Fewer than two runs in eight years (30 February, say) is no rotation schedule.
  return longest;
}
