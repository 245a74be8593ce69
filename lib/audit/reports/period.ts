import { ValidationError, show } from '../../errors';

/** A checked period `[from, to)`, in milliseconds since the epoch. */
export interface Period {
  readonly from: number;
  readonly to: number;
}

/** The period as reports state it: ISO-8601 times, `from` included, `to` excluded. */
export interface ReportPeriod {
  readonly from: string;
  readonly to: string;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

function validateTime(value: unknown, field: string): number {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new ValidationError(field, `${field} ${show(value)} must be a valid Date.`);
  }
  return ms;
}

/**
 * `from` and `to` checked: valid Dates, `from` before `to`.
 * @throws ValidationError naming `from` or `to`.
 */
export function validatePeriod(from: unknown, to: unknown): Period {
  const start = validateTime(from, 'from');
  const end = validateTime(to, 'to');
  if (start >= end) {
    throw new ValidationError(
      'to',
      `to (${new Date(end).toISOString()}) must be after from (${new Date(start).toISOString()}).`,
    );
  }
  return { from: start, to: end };
}

/** True when `time` (ms) falls in the period: `from` included, `to` excluded. */
export function inPeriod(period: Period, time: number): boolean {
  return time >= period.from && time < period.to;
}

export function reportPeriod(period: Period): ReportPeriod {
  return { from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString() };
}

/** A positive safe integer option, or its default. */
export function validateCount(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(field, `${field} ${show(value)} must be a positive integer.`);
  }
  return value;
}
