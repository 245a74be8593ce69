import { ValidationError, show } from '../../errors';
import { DAY_MS } from './period';
import { iso } from './tally';

/**
 * A secret as the compliance report needs it. `SecretsClient.list()` items and `describe()`
 * summaries have this shape, so they can be passed as they come.
 */
export interface ComplianceSecret {
  readonly name: string;
  readonly createdAt?: Date | undefined;
  readonly rotation?: { readonly lastRotatedAt?: Date | undefined };
  readonly keystage?: {
    /** The secret's kind (`keystage:type`): decides its rotation period. */
    readonly kind?: string | undefined;
    /** `revoked` when the secret was revoked. */
    readonly status?: string | undefined;
    /** ISO-8601 time of the revocation (`keystage:revoked-at`). */
    readonly revokedAt?: string | undefined;
  };
}

/**
 * How often each kind of secret should be rotated, in days: database credentials monthly,
 * API keys quarterly, webhook secrets twice a year. Kinds not listed use
 * {@link DEFAULT_ROTATION_DAYS}.
 * @example
 * complianceReport(events, { from, to, secrets, rotationPeriods: { ...DEFAULT_ROTATION_PERIODS, database: 7 } });
 */
export const DEFAULT_ROTATION_PERIODS: Readonly<Record<string, number>> = Object.freeze({
  database: 30,
  'api-key': 90,
  webhook: 180,
});

/**
 * The rotation period of a secret whose kind has none of its own, in days.
 * @example
 * complianceReport(events, { from, to, secrets, defaultRotationDays: DEFAULT_ROTATION_DAYS / 2 });
 */
export const DEFAULT_ROTATION_DAYS = 90;

/** A secret past its rotation period, or never rotated. */
export interface RotationFinding {
  readonly finding: 'rotation-overdue' | 'never-rotated';
  readonly secret: string;
  readonly secretKind: string | null;
  readonly rotationPeriodDays: number;
  readonly lastRotatedAt: string | null;
  /** The last rotation (or, never rotated, the creation) plus the period; null when neither is known. */
  readonly dueAt: string | null;
  /** Whole days past dueAt as of `to`; 0 while not yet due; null when dueAt is unknown. */
  readonly daysOverdue: number | null;
}

/** Rotation periods as the caller set them. */
export interface RotationPeriodOptions {
  /**
   * Rotation periods in days by kind, over {@link DEFAULT_ROTATION_PERIODS}.
   * @default DEFAULT_ROTATION_PERIODS
   */
  readonly rotationPeriods?: Readonly<Record<string, number>>;
  /** The rotation period of a kind without one, in days. @default 90 */
  readonly defaultRotationDays?: number;
}

function validateDays(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(field, `${field} ${show(value)} must be a positive number of days.`);
  }
  return value;
}

/** The period of a kind, from the options, checked once. */
export function rotationPeriods(options: RotationPeriodOptions): (kind: string | undefined) => number {
  const fallback =
    options.defaultRotationDays === undefined
      ? DEFAULT_ROTATION_DAYS
      : validateDays(options.defaultRotationDays, 'defaultRotationDays');
  // A Map, not an object lookup: a kind is caller data, and `__proto__` is a string too.
  const periods = new Map(Object.entries(DEFAULT_ROTATION_PERIODS));
  for (const [kind, days] of Object.entries(options.rotationPeriods ?? {})) {
    periods.set(kind, validateDays(days, `rotationPeriods.${kind}`));
  }
  return (kind) => (kind === undefined ? fallback : (periods.get(kind) ?? fallback));
}

const timeOf = (date: Date | undefined): number | undefined => {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
};

/** The finding about `secret` as of `asOf`, or undefined when it is rotated in time. */
export function rotationFinding(
  secret: ComplianceSecret,
  days: number,
  asOf: number,
): RotationFinding | undefined {
  const lastRotated = timeOf(secret.rotation?.lastRotatedAt);
  const since = lastRotated ?? timeOf(secret.createdAt);
  const due = since === undefined ? undefined : since + days * DAY_MS;
  if (lastRotated !== undefined && due !== undefined && due > asOf) return undefined;
  return {
    finding: lastRotated === undefined ? 'never-rotated' : 'rotation-overdue',
    secret: secret.name,
    secretKind: secret.keystage?.kind ?? null,
    rotationPeriodDays: days,
    lastRotatedAt: lastRotated === undefined ? null : iso(lastRotated),
    dueAt: due === undefined ? null : iso(due),
    daysOverdue: due === undefined ? null : Math.max(0, Math.floor((asOf - due) / DAY_MS)),
  };
}
