import type { SecretVersion } from '../client';

/** The four steps of a Secrets Manager rotation, in order. */
export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type ConsoleRotationStep = (typeof ROTATION_STEPS)[number];

export type StepState = 'waiting' | 'running' | 'done' | 'failed';

/** A rotation as the console shows it, from the version's staging labels. */
export interface RotationProgress {
  readonly state: 'running' | 'complete' | 'failed';
  readonly steps: ReadonlyArray<{ readonly step: ConsoleRotationStep; readonly state: StepState }>;
  /** One sentence for the page. */
  readonly message: string;
}

/** How long a rotation may show no AWSPENDING version before it counts as failed. */
export const NO_PENDING_GRACE_MS = 60_000;

/** What the console remembers of a rotation it started. */
export interface TrackedRotation {
  readonly startedAt: number;
  seenPending: boolean;
}

function steps(states: readonly StepState[]): RotationProgress['steps'] {
  return ROTATION_STEPS.map((step, i) => ({ step, state: states[i] ?? 'waiting' }));
}

/**
 * Progress read from what Secrets Manager shows of a rotation: createSecret has run once the
 * new version carries AWSPENDING; setSecret and testSecret run inside the rotation function
 * while it does (the service reports no label for them); finishSecret has run once the
 * version carries AWSCURRENT. AWSPENDING gone without AWSCURRENT, or never appearing within
 * a minute, is a failed rotation.
 */
export function rotationProgress(
  versions: readonly SecretVersion[],
  versionId: string,
  tracked: TrackedRotation,
  now: number,
): RotationProgress {
  const stages = versions.find((version) => version.versionId === versionId)?.stages ?? [];
  if (stages.includes('AWSCURRENT')) {
    return {
      state: 'complete',
      steps: steps(['done', 'done', 'done', 'done']),
      message: `Rotation complete: version ${versionId} is AWSCURRENT.`,
    };
  }
  if (stages.includes('AWSPENDING')) {
    tracked.seenPending = true;
    return {
      state: 'running',
      steps: steps(['done', 'running', 'running', 'waiting']),
      message: `Version ${versionId} is AWSPENDING: the rotation function is setting and testing it.`,
    };
  }
  if (tracked.seenPending) {
    return {
      state: 'failed',
      steps: steps(['done', 'failed', 'failed', 'waiting']),
      message: `Rotation failed: AWSPENDING was removed from ${versionId} without AWSCURRENT moving. Check the rotation function's logs.`,
    };
  }
  if (now - tracked.startedAt >= NO_PENDING_GRACE_MS) {
    return {
      state: 'failed',
      steps: steps(['failed', 'waiting', 'waiting', 'waiting']),
      message: `Rotation failed: no AWSPENDING version ${versionId} appeared. Check the rotation function's logs.`,
    };
  }
  return {
    state: 'running',
    steps: steps(['running', 'waiting', 'waiting', 'waiting']),
    message: 'Rotation started: waiting for createSecret.',
  };
}
