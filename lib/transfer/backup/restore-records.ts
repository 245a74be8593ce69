import type { CallOptions } from '../../client/options';
import type { SecretsClient } from '../../client/secrets-client';
import { KeystageError } from '../../errors';
import { environmentOf, type BackupRecord } from './backup-record';
import type { BackupValue } from './backup-value';
import { planRemoval, planRestore, planRevert } from './restore-plan';
import { runStep, type RestoreStep, type RestoreStepType } from './restore-step';
import { captureState, type SecretState } from './secret-state';
import type { OutcomeReceiver } from '../export/transfer-report';
import type { RestoreOutcome } from './backup-options';

/** What happened to one secret of the backup. */
export type SecretRestoreStatus =
  /** Dry run: `steps` is what a restore would do. */
  | 'planned'
  /** Already as in the backup: nothing written. */
  | 'unchanged'
  | 'restored'
  /** Its step failed (and, without rollbackOnFailure, the restore stopped there). */
  | 'failed'
  /** Returned to the state it had before the restore. */
  | 'rolled-back'
  /** A step of its rollback failed; `error` says which and why. */
  | 'rollback-failed'
  /**
   * Created by the restore but left in place by the rollback: it holds a version the
   * restore did not write (another writer's), which deleting it would destroy.
   */
  | 'rollback-conflict';

/** How a secret's restore began: the target did not exist, was scheduled for deletion, or existed. */
export type SecretRestoreAction = 'create' | 'undelete' | 'update';

/** A failure, as a report may carry it: its code and message, which never hold a value. */
export interface RestoreFailure {
  /** The secret it was about. @default - the backup itself (reading or authenticating it) */
  readonly secret?: string;
  /** The step that failed. @default - not a step */
  readonly step?: RestoreStepType;
  /** A KeystageError's code; `UNEXPECTED` for anything else. */
  readonly code: string;
  readonly message: string;
}

/** One secret's part of a restore. Names versions and labels, never a value. */
export interface SecretRestoreReport {
  readonly name: string;
  readonly action: SecretRestoreAction;
  readonly status: SecretRestoreStatus;
  /** The steps done (a dry run: the steps planned), in order. */
  readonly steps: readonly RestoreStep[];
  /** The steps its rollback did. @default - no rollback */
  readonly rollbackSteps?: readonly RestoreStep[];
  /** @default - none */
  readonly error?: RestoreFailure;
}

/** A restore's outcome. Carries no value. */
export interface RestoreResult {
  /**
   * `planned` for a dry run; `restored` when every secret is as in the backup; `rolled-back`
   * when a failure part-way was undone (see `failure` and each secret's status); `failed`
   * when it stopped part-way without rollback (rerun to finish: nothing is written twice).
   */
  readonly outcome: 'planned' | 'restored' | 'rolled-back' | 'failed';
  /** Every secret reached, in backup order. */
  readonly secrets: readonly SecretRestoreReport[];
  /** Records left out by the `environment` filter. */
  readonly skipped: number;
  /** What stopped the restore. @default - nothing did */
  readonly failure?: RestoreFailure;
}

export interface RestoreRecordsOptions extends CallOptions {
  /** Only records tagged with this environment. @default - every record */
  readonly environment?: string;
  readonly rollbackOnFailure: boolean;
  readonly dryRun: boolean;
  /** For the recovery window a rollback schedules again. */
  readonly now: () => number;
  readonly onSecret?: OutcomeReceiver<RestoreOutcome> | undefined;
}

/** A failure's facts, safe to report: a KeystageError's message never holds a value; another error's might. */
export function failureOf(error: unknown, secret?: string, step?: RestoreStepType): RestoreFailure {
  const known = error instanceof KeystageError;
  return {
    ...(secret === undefined ? {} : { secret }),
    ...(step === undefined ? {} : { step }),
    code: known ? error.code : 'UNEXPECTED',
    message: known
      ? error.message
      : `An unexpected ${error instanceof Error ? error.name : typeof error} was thrown.`,
  };
}

/** A secret the restore is changing: enough to put it back (no value: the record is not kept). */
interface Touched {
  readonly name: string;
  /** The VersionIds the restore may have written (a created secret holding others is not deleted). */
  readonly written: ReadonlySet<string>;
  /** Its state before the restore; undefined when the restore created it. */
  prior: SecretState | undefined;
  /** Where to find it now (its ARN once known). */
  id: string;
  readonly report: MutableReport;
  /** Set once it is in the journal (at its first write). */
  journaled: boolean;
  /** The step being run, so a failure can name it. */
  running: RestoreStepType | undefined;
  /**
   * True while `prior` is of a secret scheduled for deletion, whose resource policy cannot be
   * read: RestoreSecret leaves the policy as it is, so a rollback takes it as it finds it.
   */
  policyUnread: boolean;
}

/** A prior state without the versions that carry no label: a rollback only moves labels. */
function compact(state: SecretState | undefined): SecretState | undefined {
  return state === undefined
    ? undefined
    : { ...state, versions: state.versions.filter((version) => version.stages.length > 0) };
}

interface MutableReport {
  name: string;
  action: SecretRestoreAction;
  status: SecretRestoreStatus;
  steps: RestoreStep[];
  rollbackSteps?: RestoreStep[];
  error?: RestoreFailure;
}

/**
 * Restores records one secret at a time; see `restoreBackup`. Each secret's state is
 * captured before its first write; with `rollbackOnFailure` those states are kept (no
 * values: metadata and labels) until the end, so a failure part-way can return every
 * secret touched to where it was.
 */
export async function restoreRecords(
  client: SecretsClient,
  records: AsyncIterable<BackupRecord>,
  options: RestoreRecordsOptions,
): Promise<RestoreResult> {
  const call: CallOptions = options.principal === undefined ? {} : { principal: options.principal };
  const reports: MutableReport[] = [];
  const journal: Touched[] = [];
  let skipped = 0;

  const run = async (
    touched: Touched,
    step: RestoreStep,
    values: ReadonlyMap<string, BackupValue>,
    rollback: boolean,
  ) => {
    const versionId = 'versionId' in step ? step.versionId : undefined;
    const value = versionId === undefined ? undefined : values.get(versionId);
    // Kept from just before its first write: a secret left unchanged needs no undoing.
    if (!rollback && options.rollbackOnFailure && !touched.journaled) {
      touched.journaled = true;
      journal.push(touched);
    }
    touched.running = step.type;
    const result = await runStep(client, { secretId: touched.id, step, value, rollback }, call);
    touched.running = undefined;
    if (step.type === 'create' && result.arn !== undefined) touched.id = result.arn;
    (rollback ? (touched.report.rollbackSteps ??= []) : touched.report.steps).push(step);
  };

  const restoreOne = async (record: BackupRecord, report: MutableReport): Promise<void> => {
    const before = await captureState(client, record.name, true, call);
    report.action =
      before === undefined ? 'create' : before.deletionDate === undefined ? 'update' : 'undelete';
    if (options.dryRun) {
      const steps: RestoreStep[] =
        before?.deletionDate === undefined
          ? planRestore(record, before)
          : [{ type: 'undelete' }, ...planRestore(record, { ...before, deletionDate: undefined })];
      report.steps = steps;
      report.status = 'planned';
      return;
    }
    const touched: Touched = {
      name: record.name,
      written: new Set(record.versions.map((version) => version.versionId)),
      prior: compact(before),
      id: before?.arn ?? record.name,
      report,
      journaled: false,
      running: undefined,
      policyUnread: before?.deletionDate !== undefined,
    };
    current = touched;
    const values = new Map(record.versions.map((version) => [version.versionId, version.value]));
    let state = before;
    if (before?.deletionDate !== undefined) {
      // Within its recovery window: brought back as the same secret, never made anew.
      await run(touched, { type: 'undelete' }, values, false);
      state = await captureState(client, touched.id, true, call);
      // RestoreSecret changes only the deletion: the rest of the prior state is read now (the policy can be).
      if (state !== undefined) {
        touched.prior = compact({ ...state, deletionDate: before.deletionDate });
        touched.policyUnread = false;
      }
    }
    for (const step of planRestore(record, state)) await run(touched, step, values, false);
    report.status = report.steps.length === 0 ? 'unchanged' : 'restored';
  };

  /** The secret being restored, if its capture is done: a failure names its step. */
  let current: Touched | undefined;
  let failure: RestoreFailure | undefined;
  let report: MutableReport | undefined;
  try {
    for await (const record of records) {
      if (options.environment !== undefined && environmentOf(record) !== options.environment) {
        skipped++;
        continue;
      }
      current = undefined;
      report = { name: record.name, action: 'update', status: 'failed', steps: [] };
      reports.push(report);
      await restoreOne(record, report);
      await options.onSecret?.({ name: report.name, action: report.action, status: report.status });
      report = undefined;
    }
  } catch (error) {
    // A secret's failure, or the backup's own (its authentication, a malformed entry).
    failure = failureOf(error, report?.name, current?.running);
    if (report !== undefined) {
      report.status = 'failed';
      report.error = failure;
    }
  }

  if (failure === undefined) {
    return { outcome: options.dryRun ? 'planned' : 'restored', secrets: reports, skipped };
  }
  // The failed secret is told of after any rollback, so a callback that throws cannot stop one.
  const failed = report;
  const tellFailed = async (): Promise<void> => {
    if (failed !== undefined)
      await options.onSecret?.({ name: failed.name, action: failed.action, status: 'failed' });
  };
  if (!options.rollbackOnFailure || options.dryRun) {
    await tellFailed();
    return { outcome: 'failed', secrets: reports, skipped, failure };
  }

  // Newest first, so a secret is put back after everything done after it.
  for (const touched of [...journal].reverse()) {
    try {
      await rollBack(touched);
    } catch (error) {
      touched.report.status = 'rollback-failed';
      touched.report.error = failureOf(error, touched.name, touched.running);
    }
  }
  await tellFailed();
  return { outcome: 'rolled-back', secrets: reports, skipped, failure };

  async function rollBack(touched: Touched): Promise<void> {
    touched.running = undefined;
    const now = await captureState(client, touched.id, true, call);
    const { prior, report } = touched;
    const none = new Map<string, BackupValue>();
    if (prior === undefined) {
      if (now !== undefined) {
        const steps = planRemoval(now, touched.written);
        if (steps === undefined) {
          report.status = 'rollback-conflict';
          return;
        }
        for (const step of steps) await run(touched, step, none, true);
      }
    } else if (now === undefined) {
      report.status = 'rollback-failed';
      report.error = {
        secret: touched.name,
        code: 'SECRET_NOT_FOUND',
        message: `Secret ${JSON.stringify(touched.name)} no longer exists, so it cannot be returned to its prior state.`,
      };
      return;
    } else if (!(prior.deletionDate !== undefined && now.deletionDate !== undefined)) {
      const known = touched.policyUnread ? { ...prior, policy: now.policy } : prior;
      for (const step of planRevert(known, now, options.now)) await run(touched, step, none, true);
    }
    report.status = 'rolled-back';
  }
}
