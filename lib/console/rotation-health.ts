import type { SecretListItem } from '../client';

/** How a secret stands against its rotation period. */
export type RotationHealthState = 'failed' | 'pending' | 'overdue' | 'due-soon' | 'ok' | 'not-rotated';

/** One secret's rotation health, as the table and the dashboard show it. */
export interface RotationHealth {
  readonly state: RotationHealthState;
  /** Days since the last rotation (or creation). */
  readonly ageDays: number | undefined;
  /** The period it should rotate within, in days: the configured schedule, else its kind's recommendation. */
  readonly periodDays: number | undefined;
  /** Why, in a few words. */
  readonly reason: string;
}

const DAY_MS = 86_400_000;
/** Past this share of the period, a secret is due soon. */
const DUE_SOON = 0.8;

/**
 * A secret's rotation health at `now`. `failed` when its last rotation failed (the audit
 * trail or the console saw it), `pending` while AWSPENDING waits on a version, `overdue`
 * past its period or its next rotation date, `due-soon` past 80 % of the period.
 */
export function rotationHealth(secret: SecretListItem, now: number, failed: boolean): RotationHealth {
  const since = secret.rotation.lastRotatedAt ?? secret.createdAt;
  const ageDays = since === undefined ? undefined : Math.max(0, (now - since.getTime()) / DAY_MS);
  const periodDays = secret.rotation.automaticallyAfterDays ?? secret.recommendedRotation?.days;
  const facts = { ageDays, periodDays };
  if (failed) return { state: 'failed', ...facts, reason: 'the last rotation failed' };
  if (secret.rotation.inProgress)
    return { state: 'pending', ...facts, reason: 'a rotation has not finished' };
  const next = secret.rotation.nextRotationAt;
  if (secret.rotation.enabled && next !== undefined && next.getTime() < now) {
    return { state: 'overdue', ...facts, reason: 'its next rotation date has passed' };
  }
  if (periodDays === undefined || ageDays === undefined) {
    return { state: 'not-rotated', ...facts, reason: 'no rotation period applies' };
  }
  if (ageDays > periodDays) return { state: 'overdue', ...facts, reason: `older than ${periodDays} days` };
  if (ageDays > periodDays * DUE_SOON)
    return { state: 'due-soon', ...facts, reason: `near ${periodDays} days` };
  return { state: 'ok', ...facts, reason: `within ${periodDays} days` };
}

const ORDER: Readonly<Record<RotationHealthState, number>> = {
  failed: 0,
  overdue: 1,
  pending: 2,
  'due-soon': 3,
  ok: 4,
  'not-rotated': 5,
};

/** Dashboard order: failed first, then overdue, then by age over period, largest first. */
export function byUrgency(a: RotationHealth, b: RotationHealth): number {
  const rank = ORDER[a.state] - ORDER[b.state];
  if (rank !== 0) return rank;
  return ratio(b) - ratio(a);
}

function ratio(health: RotationHealth): number {
  if (health.ageDays === undefined || health.periodDays === undefined || health.periodDays === 0) return 0;
  return health.ageDays / health.periodDays;
}
