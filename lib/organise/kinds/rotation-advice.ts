import type { SecretKind } from '../../core';
import type { RotationRecommendation } from './kind-spec';
import { recommendedRotation } from './registry';
import { rotationIntervalDays, type RotationRules } from './rotation-schedule';

/** A kind's rotation recommendation, held against the secret's configured rotation. */
export interface RotationAdvice extends RotationRecommendation {
  /**
   * The longest gap between rotations the configured schedule allows, in days (a day at
   * least, for schedules that run more often). Undefined when rotation is off or the schedule
   * cannot be judged (see rotationIntervalDays).
   */
  readonly configuredDays: number | undefined;
  /**
   * True when rotation is on and `configuredDays` is within `days`; false when rotation is off
   * or less frequent; undefined when the schedule cannot be judged.
   */
  readonly meets: boolean | undefined;
}

/** The rotation state `describe` and `list` report. */
export interface ConfiguredRotation extends RotationRules {
  readonly enabled: boolean;
}

/**
 * The recommendation for `kind` and whether `rotation` meets it.
 * @example
 * rotationAdvice('database', { enabled: true, automaticallyAfterDays: 90 });
 * // { days: 30, reason: 'Database credentials rotate monthly.', configuredDays: 90, meets: false }
 */
export function rotationAdvice(kind: SecretKind, rotation: ConfiguredRotation): RotationAdvice {
  const recommended = recommendedRotation(kind);
  const configured = rotation.enabled ? rotationIntervalDays(rotation) : undefined;
  const configuredDays = configured === undefined ? undefined : Math.max(1, configured);
  return {
    days: recommended.days,
    reason: recommended.reason,
    configuredDays,
    meets: !rotation.enabled
      ? false
      : configuredDays === undefined
        ? undefined
        : configuredDays <= recommended.days,
  };
}
