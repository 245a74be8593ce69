import { ValidationError, show } from '../errors';

/**
 * A repeatable option's collector for commander: `--tag a=1 --tag b=2` gives both.
 * @example
 * command.option('--tag <key=value>', 'a tag (repeatable)', collect, []);
 */
export function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

/**
 * `key=value` arguments as a record; a missing `=` or an empty key is a ValidationError that
 * names the flag. The value may be empty and may contain `=`.
 * @example
 * keyValues(['owner=team-billing'], '--tag'); // { owner: 'team-billing' }
 */
export function keyValues(pairs: readonly string[], flag: string): Record<string, string> {
  const record: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      throw new ValidationError(flag, `${flag} takes KEY=VALUE, e.g. owner=team-billing; got ${show(pair)}.`);
    }
    record[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return record;
}

/**
 * A whole number within bounds, from an option's text.
 * @example
 * integerFlag('7', '--recovery-window-days', 7, 30); // 7
 */
export function integerFlag(value: string, flag: string, min: number, max: number): number {
  const number = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(number >= min && number <= max)) {
    throw new ValidationError(
      flag,
      `${flag} takes a whole number from ${min} to ${max}; got ${show(value)}.`,
    );
  }
  return number;
}

const SPAN_UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A span written as minutes, hours or days (`30m`, `24h`, `7d`) in milliseconds; undefined
 * for anything else, so each flag says in its own words what it takes.
 * @example
 * spanMs('15m'); // 900000
 */
export function spanMs(value: string): number | undefined {
  const match = /^(\d{1,6})([mhd])$/.exec(value);
  return match === null ? undefined : Number(match[1]) * SPAN_UNIT_MS[match[2]!]!;
}
