import {
  CURRENT,
  PENDING,
  PREVIOUS,
  type BackupRecord,
  type BackupVersion,
  type ReplicaSettings,
  type RotationSettings,
} from './backup-record';
import { LabelModel, labelMoves, labelsOf, type LabelMap } from './labels';
import type { RestoreStep } from './restore-step';
import type { SecretState } from './secret-state';

/** What a secret should end as: a backup record's settings and labels, or a prior state's. */
interface DesiredSecret {
  readonly description: string | undefined;
  readonly kmsKeyId: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly policy: string | undefined;
  readonly rotation: RotationSettings;
  readonly replicas: readonly ReplicaSettings[];
  /** AWSPENDING left out: it belongs to a rotation, never to a restore. */
  readonly labels: LabelMap;
}

function desiredOf(from: BackupRecord | SecretState): DesiredSecret {
  return {
    description: from.description,
    kmsKeyId: from.kmsKeyId,
    tags: from.tags,
    policy: from.policy,
    rotation: from.rotation,
    replicas: from.replicas,
    labels: labelsOf(from.versions, false),
  };
}

/** JSON with its object keys sorted, so two spellings of one policy compare equal. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
  );
}

/** The same policy, however its JSON is spaced or its keys ordered. */
export function samePolicy(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  try {
    return JSON.stringify(canonical(JSON.parse(a))) === JSON.stringify(canonical(JSON.parse(b)));
  } catch {
    return a === b;
  }
}

/**
 * The same rotation as far as Secrets Manager lets a caller set it: on with the same
 * function and schedule, or off. (A function ARN stays configured after rotation is turned
 * off, and no API removes it, so off is off whatever it names.)
 */
export function sameRotation(a: RotationSettings, b: RotationSettings): boolean {
  if (!a.enabled || !b.enabled) return a.enabled === b.enabled;
  return (
    a.lambdaArn === b.lambdaArn &&
    a.automaticallyAfterDays === b.automaticallyAfterDays &&
    a.scheduleExpression === b.scheduleExpression &&
    a.duration === b.duration
  );
}

/**
 * The order a record's versions are written in: oldest first, as they were created, with
 * the AWSCURRENT version last, so that each AWSCURRENT move leaves AWSPREVIOUS where the
 * service would have put it.
 */
export function writeOrder(record: BackupRecord): BackupVersion[] {
  const current = record.versions.filter((version) => version.stages.includes(CURRENT));
  return [...record.versions.filter((version) => !version.stages.includes(CURRENT)), ...current];
}

/**
 * The labels a version is written with. AWSPREVIOUS cannot be given to PutSecretValue
 * meaningfully (the next AWSCURRENT move decides it), so a version that holds only
 * AWSPREVIOUS is written as AWSCURRENT, and the current version written after it moves it
 * to AWSPREVIOUS, as in the service.
 */
function writeStages(version: BackupVersion): string[] {
  const stages = version.stages.filter((stage) => stage !== PREVIOUS && stage !== PENDING);
  return stages.length === 0 ? [CURRENT] : stages;
}

function metadataSteps(wanted: DesiredSecret, state: SecretState): RestoreStep[] {
  const description = wanted.description !== state.description ? (wanted.description ?? '') : undefined;
  const kmsKeyId =
    wanted.kmsKeyId !== state.kmsKeyId ? (wanted.kmsKeyId ?? 'alias/aws/secretsmanager') : undefined;
  if (description === undefined && kmsKeyId === undefined) return [];
  return [
    {
      type: 'update-metadata',
      ...(description === undefined ? {} : { description }),
      ...(kmsKeyId === undefined ? {} : { kmsKeyId }),
    },
  ];
}

function tagSteps(
  wanted: Readonly<Record<string, string>>,
  have: Readonly<Record<string, string>>,
): RestoreStep[] {
  const steps: RestoreStep[] = [];
  const set = Object.fromEntries(Object.entries(wanted).filter(([key, value]) => have[key] !== value));
  const removed = Object.keys(have).filter((key) => !(key in wanted));
  if (Object.keys(set).length > 0) steps.push({ type: 'tag', tags: set });
  if (removed.length > 0) steps.push({ type: 'untag', keys: removed });
  return steps;
}

function policySteps(wanted: string | undefined, have: string | undefined): RestoreStep[] {
  if (samePolicy(wanted, have)) return [];
  return wanted === undefined ? [{ type: 'delete-policy' }] : [{ type: 'put-policy', policy: wanted }];
}

/** Replicas to remove (gone, or on another key) and to add, in that order. */
function replicaSteps(wanted: readonly ReplicaSettings[], have: readonly ReplicaSettings[]): RestoreStep[] {
  const kept = (replica: ReplicaSettings) =>
    wanted.some((want) => want.region === replica.region && want.kmsKeyId === replica.kmsKeyId);
  const removed = have.filter((replica) => !kept(replica)).map((replica) => replica.region);
  const added = wanted.filter(
    (want) => !have.some((replica) => replica.region === want.region && replica.kmsKeyId === want.kmsKeyId),
  );
  const steps: RestoreStep[] = [];
  if (removed.length > 0) steps.push({ type: 'remove-replicas', regions: removed });
  if (added.length > 0) steps.push({ type: 'replicate', replicas: added });
  return steps;
}

function rotationSteps(wanted: RotationSettings, have: RotationSettings): RestoreStep[] {
  if (sameRotation(wanted, have)) return [];
  return wanted.enabled ? [{ type: 'configure-rotation', rotation: wanted }] : [{ type: 'cancel-rotation' }];
}

/** What every plan ends with: labels, tags, policy, replicas, rotation (last: it runs testSecret). */
function settingSteps(wanted: DesiredSecret, state: SecretState, model: LabelModel): RestoreStep[] {
  return [
    ...labelMoves(model, wanted.labels),
    ...tagSteps(wanted.tags, state.tags),
    ...policySteps(wanted.policy, state.policy),
    ...replicaSteps(wanted.replicas, state.replicas),
    ...rotationSteps(wanted.rotation, state.rotation),
  ];
}

/**
 * The steps that make the target match `record`. `state` is the target as it is (not
 * scheduled for deletion: a restore cancels that first), or undefined when it does not
 * exist. Versions the target already has (same VersionId) are not written again; the
 * others are written with their own VersionId as ClientRequestToken, so a rerun after a
 * crash finds them and writes nothing twice.
 */
export function planRestore(record: BackupRecord, state: SecretState | undefined): RestoreStep[] {
  const wanted = desiredOf(record);
  const order = writeOrder(record);
  const steps: RestoreStep[] = [];
  const existing = new Set(state?.versions.map((version) => version.versionId));
  const model = new LabelModel(state === undefined ? new Map() : labelsOf(state.versions));
  if (state === undefined) {
    const first = order[0]!;
    steps.push({
      type: 'create',
      versionId: first.versionId,
      ...(record.description === undefined ? {} : { description: record.description }),
      ...(record.kmsKeyId === undefined ? {} : { kmsKeyId: record.kmsKeyId }),
      tags: record.tags,
      replicas: record.replicas,
    });
    model.put(first.versionId, [CURRENT]);
    existing.add(first.versionId);
  } else {
    steps.push(...metadataSteps(wanted, state));
  }
  for (const version of order) {
    if (existing.has(version.versionId)) continue;
    const stages = writeStages(version);
    steps.push({ type: 'put-version', versionId: version.versionId, stages });
    model.put(version.versionId, stages);
  }
  const created: SecretState = {
    name: record.name,
    arn: '',
    description: record.description,
    kmsKeyId: record.kmsKeyId,
    tags: record.tags,
    policy: undefined,
    rotation: { enabled: false },
    replicas: record.replicas,
    versions: [],
    deletionDate: undefined,
  };
  return [...steps, ...settingSteps(wanted, state ?? created, model)];
}

/**
 * The steps that return a secret from `now` to `prior`: its settings and labels put back
 * by compare-and-swap (the versions a restore added stay, without labels, as Secrets
 * Manager keeps every version), and a deletion the restore cancelled scheduled again with
 * the days that were left (7 at least, as the service requires).
 */
export function planRevert(prior: SecretState, now: SecretState, clock: () => number): RestoreStep[] {
  const wanted = desiredOf(prior);
  const steps = [
    ...metadataSteps(wanted, now),
    ...settingSteps(wanted, now, new LabelModel(labelsOf(now.versions))),
  ];
  if (prior.deletionDate !== undefined && now.deletionDate === undefined) {
    const days = Math.ceil((prior.deletionDate.getTime() - clock()) / 86_400_000);
    steps.push({ type: 'schedule-deletion', recoveryWindowDays: Math.min(30, Math.max(7, days)) });
  }
  return steps;
}

/**
 * The steps that remove a secret the restore created, or undefined when it holds a version
 * the restore did not write (someone else's, which a deletion would destroy): replicas
 * first, as DeleteSecret requires, then the secret, at once (it did not exist before).
 */
export function planRemoval(now: SecretState, written: ReadonlySet<string>): RestoreStep[] | undefined {
  // A rotation test (RotateSecret without rotating) leaves a short-lived AWSPENDING placeholder.
  const foreign = now.versions.filter(
    (version) =>
      !written.has(version.versionId) && !(version.stages.length === 1 && version.stages[0] === PENDING),
  );
  if (foreign.length > 0) return undefined;
  return [
    ...(now.replicas.length === 0
      ? []
      : [{ type: 'remove-replicas', regions: now.replicas.map((replica) => replica.region) } as const]),
    { type: 'delete' },
  ];
}
