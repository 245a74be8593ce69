import { randomUUID } from 'node:crypto';
import type { SecretListItem, SecretsClient } from '../../client';
import type { CallOptions } from '../../client/options';
import { runOperation } from '../../client/secrets-client';
import { validateDurationMs } from '../../core';
import { KeystageError, SecretNotFoundError, ValidationError, show } from '../../errors';
import { abandonRotation, type AbandonedRotation } from './abandon-rotation';
import { memberToken, planMember, type MemberPlan } from './member-plan';
import { groupMembers } from './membership';
import { validateGroupName } from './organise-tags';
import { rotationOrder } from './rotation-order';
import { callOptions } from './tag-lists';

export interface RotateGroupOptions extends CallOptions {
  /**
   * Names this rotation of the group. Each member's ClientRequestToken (the VersionId its
   * rotation creates) is derived from it and the member's ARN, so a rerun with the same
   * runId after a crash resumes the run: members it already rotated are not rotated again,
   * one left mid-rotation is attempted again, the rest are rotated; and if the run failed,
   * the rerun finishes its rollback. 1 to 64 characters of A-Z a-z 0-9 _ . : / = + @ -.
   * @default - a random UUID: a rerun is a new rotation of every member
   */
  readonly runId?: string;
  /** How long to wait for each member's rotation to complete. @default 300_000 (5 minutes) */
  readonly timeoutMs?: number;
  /**
   * Told of each member as the run is done with its rotation (`rotated`, `failed`) and, after
   * a failure, with its rollback (`rolled-back`, `rollback-failed`), for progress. The
   * result's `members` are the final word: a member first told `rotated` may be rolled back.
   * @default - none
   */
  readonly onMember?: (member: { readonly name: string; readonly outcome: MemberOutcome }) => void;
}

/**
 * What happened to one member: `rotated` (its new version is AWSCURRENT), `rolled-back`
 * (rotated, then returned to its previous version because another member failed), `failed`
 * (its rotation failed, or it could not be started: AWSCURRENT did not move), `rollback-failed`
 * (rotated, and the return failed: AWSCURRENT is still on the new version), `not-started`.
 */
export type MemberOutcome = 'rotated' | 'rolled-back' | 'failed' | 'rollback-failed' | 'not-started';

export interface MemberRotation {
  readonly name: string;
  readonly arn: string;
  readonly outcome: MemberOutcome;
  /** The version that held AWSCURRENT before the run (again after a rollback). */
  readonly fromVersionId: string | undefined;
  /** The version the run's rotation of this member creates (its token). */
  readonly toVersionId: string | undefined;
  /** True when this run found the member rotated already, by an earlier attempt with the same runId. */
  readonly resumed: boolean;
  /** Why, for every outcome but `rotated` and `not-started`: error codes and labels, never a value. */
  readonly reason: string | undefined;
}

export interface GroupRotationResult {
  readonly group: string;
  readonly runId: string;
  /** True when every member was rotated. */
  readonly ok: boolean;
  /** Every member, in the order the run takes them. */
  readonly members: readonly MemberRotation[];
}

const RUN_ID = /^[A-Za-z0-9_.:/=+@-]{1,64}$/;
const DEFAULT_TIMEOUT_MS = 300_000;

/** A failure in words: a keystage error's code and message (never a value); any other error's class. */
function describeFailure(error: unknown): string {
  return error instanceof KeystageError
    ? `${error.code}: ${error.message}`
    : `${error instanceof Error ? error.name : typeof error} (not a keystage error)`;
}

/**
 * Takes AWSPENDING off the run's version of a member unless it is AWSCURRENT: a rotation
 * given up or rolled back must not be finished by the next RotateSecret, which reattempts
 * any version AWSPENDING is on. Returns where the version stands, or why it could not be
 * cleared.
 */
async function clearPending(
  client: SecretsClient,
  arn: string,
  token: string,
  options: CallOptions,
): Promise<{ readonly left: AbandonedRotation } | { readonly problem: string }> {
  try {
    return { left: await runOperation(client, abandonRotation, [arn, token, options], options) };
  } catch (error) {
    return {
      problem:
        `Its AWSPENDING label could not be removed from ${token} (${describeFailure(error)}): ` +
        'a later rotation would finish this one; remove the label by hand.',
    };
  }
}

function checkOptions(options: RotateGroupOptions): { runId: string; timeoutMs: number } {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('options', `rotateGroup options must be an object, got ${show(options)}.`);
  }
  const { runId, timeoutMs, onMember } = options;
  if (onMember !== undefined && typeof onMember !== 'function') {
    throw new ValidationError('onMember', `onMember must be a function, got ${show(onMember)}.`);
  }
  if (runId !== undefined && (typeof runId !== 'string' || !RUN_ID.test(runId))) {
    throw new ValidationError(
      'runId',
      `runId ${show(runId)} must be 1 to 64 characters of A-Z a-z 0-9 _ . : / = + @ -.`,
    );
  }
  return {
    runId: runId ?? randomUUID(),
    timeoutMs: timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : validateDurationMs(timeoutMs, 'timeoutMs'),
  };
}

interface Rotated {
  readonly member: SecretListItem;
  readonly from: string;
  readonly to: string;
  readonly resumed: boolean;
  /** Set for the member that failed but whose rotation then finished anyway. */
  readonly failure?: string;
}

/**
 * Rotates every member of a group, all or nothing. Members go one at a time, in a stable
 * order (see `rotationOrder`: dependencies first, then by name), each with `client.rotate`
 * waiting for completion: sequential, so a failure stops the run before the members after
 * it are touched, and fewer members need to go back. When a member's rotation fails (or
 * does not complete within `timeoutMs`), its AWSPENDING label is removed so the rotation
 * cannot finish later, and every member already rotated is rolled back, last first, with a
 * compare-and-swap (`client.rollback` from the version the run made to the one it replaced):
 * a member that another writer changed since is left as it is, reported `rollback-failed`.
 *
 * Before rotating anything every member is checked (it has a rotation function, no rotation
 * of its own is unfinished); one that is not ready fails the run with nothing rotated.
 *
 * A rollback moves labels back; it does not undo what a rotation function changed outside
 * Secrets Manager. Group members whose previous version must keep working after a rollback
 * (database users) need a rotation that leaves it valid, such as alternating users.
 *
 * A crash (the process dies between members) leaves the members rotated so far rotated:
 * rerun with the same `runId` to finish. Everything goes through `client`, so its access
 * policy, rate limits and audit trail see every rotation and rollback.
 * @example
 * const result = await rotateGroup(secrets, 'payments', { runId: `deploy-${buildNumber}` });
 * if (!result.ok) console.error(result.members.filter((m) => m.outcome !== 'rolled-back'));
 */
export async function rotateGroup(
  client: SecretsClient,
  name: string,
  options: RotateGroupOptions = {},
): Promise<GroupRotationResult> {
  const group = validateGroupName(name);
  const { runId, timeoutMs } = checkOptions(options);
  const tell = (member: SecretListItem, outcome: MemberOutcome): void =>
    options.onMember?.({ name: member.name, outcome });
  const call = callOptions(options);
  const members = rotationOrder(await groupMembers(client, group, call));
  if (members.length === 0) {
    throw new SecretNotFoundError(
      `Group ${JSON.stringify(group)} has no members the caller may list: defineGroup first.`,
    );
  }
  const plans: MemberPlan[] = [];
  for (const member of members) {
    const versions = await client.versions(member.arn, { includeDeprecated: true, ...call });
    plans.push(planMember(member, versions, memberToken(runId, member.arn)));
  }

  const outcomes = new Map<string, MemberRotation>();
  const record = (member: SecretListItem, fields: Partial<MemberRotation> & { outcome: MemberOutcome }) =>
    outcomes.set(member.arn, {
      name: member.name,
      arn: member.arn,
      fromVersionId: undefined,
      toVersionId: undefined,
      resumed: false,
      reason: undefined,
      ...fields,
    });
  const rotated: Rotated[] = [];
  /** Versions of this run whose AWSPENDING must go, so no later RotateSecret finishes them. */
  const undone: Array<{ readonly member: SecretListItem; readonly to: string }> = [];
  let failed = false;

  if (plans.some((plan) => plan.state === 'blocked' || plan.state === 'undone')) {
    // Nothing is rotated; what an earlier attempt of this run rotated goes back.
    failed = true;
    for (const plan of plans) {
      if (plan.state === 'blocked') record(plan.member, { outcome: 'failed', reason: plan.reason });
      else if (plan.state === 'rotated') rotated.push({ ...plan, resumed: true });
      else if (plan.state === 'undone') {
        record(plan.member, { outcome: plan.outcome, toVersionId: plan.to, reason: plan.reason });
        undone.push(plan);
      }
    }
  } else {
    for (const plan of plans as Array<Extract<MemberPlan, { state: 'rotated' | 'rotate' }>>) {
      const { member, from, to } = plan;
      if (plan.state === 'rotated') {
        rotated.push({ member, from, to, resumed: true });
        tell(member, 'rotated');
        continue;
      }
      try {
        await client.rotate(member.arn, {
          waitForCompletion: true,
          timeoutMs,
          clientRequestToken: to,
          ...call,
        });
        rotated.push({ member, from, to, resumed: false });
        tell(member, 'rotated');
        continue;
      } catch (error) {
        failed = true;
        const failure = `Its rotation did not complete: ${describeFailure(error)}`;
        const cleared = await clearPending(client, member.arn, to, call);
        if ('left' in cleared && cleared.left === 'completed') {
          rotated.push({ member, from, to, resumed: false, failure });
        } else {
          const problem = 'problem' in cleared ? ` ${cleared.problem}` : '';
          record(member, {
            outcome: 'failed',
            fromVersionId: from,
            toVersionId: to,
            reason: `${failure}.${problem}`,
          });
          tell(member, 'failed');
        }
      }
      break;
    }
  }

  for (const done of rotated) {
    record(done.member, {
      outcome: 'rotated',
      fromVersionId: done.from,
      toVersionId: done.to,
      resumed: done.resumed,
    });
  }
  if (failed) {
    for (const done of [...rotated].reverse()) {
      const base = { fromVersionId: done.from, toVersionId: done.to, resumed: done.resumed };
      const why = done.failure === undefined ? 'Another member failed' : `${done.failure}, then finished`;
      try {
        await client.rollback(done.member.arn, { fromVersionId: done.to, toVersionId: done.from, ...call });
        record(done.member, {
          ...base,
          outcome: 'rolled-back',
          reason: `${why}: AWSCURRENT is back on ${done.from}.`,
        });
        tell(done.member, 'rolled-back');
      } catch (error) {
        record(done.member, {
          ...base,
          outcome: 'rollback-failed',
          reason: `${why}, and the rollback to ${done.from} failed (${describeFailure(error)}).`,
        });
        tell(done.member, 'rollback-failed');
      }
      undone.push(done);
    }
    for (const { member, to } of undone) {
      const cleared = await clearPending(client, member.arn, to, call);
      if ('problem' in cleared) {
        const outcome = outcomes.get(member.arn)!;
        record(member, { ...outcome, reason: `${outcome.reason ?? ''} ${cleared.problem}`.trim() });
      }
    }
  }
  for (const member of members) if (!outcomes.has(member.arn)) record(member, { outcome: 'not-started' });
  const results = members.map((member) => outcomes.get(member.arn)!);
  return { group, runId, ok: results.every((result) => result.outcome === 'rotated'), members: results };
}
