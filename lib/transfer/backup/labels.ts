import { CURRENT, PENDING, PREVIOUS } from './backup-record';
import type { RestoreStep } from './restore-step';

/** Which version each staging label is on. */
export type LabelMap = ReadonlyMap<string, string>;

/** The labels of `versions`, AWSPENDING left out when `withPending` is false. */
export function labelsOf(
  versions: ReadonlyArray<{ readonly versionId: string; readonly stages: readonly string[] }>,
  withPending = true,
): Map<string, string> {
  const labels = new Map<string, string>();
  for (const version of versions) {
    for (const stage of version.stages)
      if (withPending || stage !== PENDING) labels.set(stage, version.versionId);
  }
  return labels;
}

/**
 * The labels of one secret as Secrets Manager moves them, so a plan knows where each label
 * is after each step: a label is on one version at a time; AWSCURRENT arriving somewhere
 * moves AWSPREVIOUS to the version it left; a secret's first version is AWSCURRENT
 * whatever was asked.
 */
export class LabelModel {
  readonly #labels: Map<string, string>;

  constructor(labels: LabelMap) {
    this.#labels = new Map(labels);
  }

  get labels(): LabelMap {
    return this.#labels;
  }

  holder(label: string): string | undefined {
    return this.#labels.get(label);
  }

  /** A new version with `stages` (PutSecretValue, or CreateSecret's first version). */
  put(versionId: string, stages: readonly string[]): void {
    const first = !this.#labels.has(CURRENT);
    for (const stage of first && !stages.includes(CURRENT) ? [CURRENT, ...stages] : stages) {
      this.move(stage, versionId);
    }
  }

  /** UpdateSecretVersionStage: `label` onto `to`, or off its version when `to` is undefined. */
  move(label: string, to: string | undefined): void {
    const from = this.#labels.get(label);
    if (to === undefined) {
      this.#labels.delete(label);
      return;
    }
    if (from === to) return;
    this.#labels.set(label, to);
    if (label === CURRENT && from !== undefined) this.#labels.set(PREVIOUS, from);
  }
}

/** A move of `label` to `to` (or off, when undefined), swapping on the version that has it now. */
function moveStep(model: LabelModel, label: string, to: string | undefined): RestoreStep {
  const from = model.holder(label);
  model.move(label, to);
  return {
    type: 'move-label',
    label,
    ...(to === undefined ? {} : { to }),
    ...(from === undefined ? {} : { from }),
  };
}

/**
 * The label moves that take `model` to `wanted`, in an order that works: AWSCURRENT first
 * (which moves AWSPREVIOUS), then AWSPREVIOUS, then the other labels, then removals.
 * AWSPENDING is left as it is (a rotation of the target's own), and AWSCURRENT is only
 * ever moved, as the service requires. Each move names the version it takes the label
 * from, so it is a compare-and-swap: a label moved by someone else meanwhile fails the step.
 */
export function labelMoves(model: LabelModel, wanted: LabelMap): RestoreStep[] {
  const steps: RestoreStep[] = [];
  const current = wanted.get(CURRENT);
  if (current !== undefined && model.holder(CURRENT) !== current)
    steps.push(moveStep(model, CURRENT, current));
  if (model.holder(PREVIOUS) !== wanted.get(PREVIOUS))
    steps.push(moveStep(model, PREVIOUS, wanted.get(PREVIOUS)));
  for (const [label, versionId] of wanted) {
    if (label === CURRENT || label === PREVIOUS || label === PENDING) continue;
    if (model.holder(label) !== versionId) steps.push(moveStep(model, label, versionId));
  }
  for (const label of [...model.labels.keys()]) {
    if (label === CURRENT || label === PENDING || wanted.has(label)) continue;
    steps.push(moveStep(model, label, undefined));
  }
  return steps;
}
