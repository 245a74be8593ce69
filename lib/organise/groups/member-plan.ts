import type { SecretListItem, SecretVersion } from '../../client';
import { derivedToken } from '../../core';

/**
 * The ClientRequestToken of a member's rotation in a run: a UUID (version 8) from SHA-256 of
 * the run id and the member's ARN, the same on every attempt of the run.
 */
export function memberToken(runId: string, arn: string): string {
  return derivedToken('keystage-rotate-group/1', runId, arn);
}

/** Where a member stands before the run does anything to it. */
export type MemberPlan =
  | { readonly state: 'rotated'; readonly member: SecretListItem; readonly from: string; readonly to: string }
  | { readonly state: 'rotate'; readonly member: SecretListItem; readonly from: string; readonly to: string }
  | { readonly state: 'blocked'; readonly member: SecretListItem; readonly reason: string }
  /** An earlier attempt of this run rotated it and rolled it back, or gave its rotation up. */
  | {
      readonly state: 'undone';
      readonly member: SecretListItem;
      readonly to: string;
      readonly outcome: 'rolled-back' | 'failed';
      readonly reason: string;
    };

function holder(versions: readonly SecretVersion[], stage: string): SecretVersion | undefined {
  return versions.find((version) => version.stages.includes(stage));
}

/** A member's state from its labels: rotated by this run, to rotate (again), or not rotatable now. */
export function planMember(
  member: SecretListItem,
  versions: readonly SecretVersion[],
  token: string,
): MemberPlan {
  const blocked = (reason: string): MemberPlan => ({ state: 'blocked', member, reason });
  const current = holder(versions, 'AWSCURRENT');
  if (current === undefined) return blocked('It has no AWSCURRENT version.');
  const mine = versions.find((version) => version.versionId === token);
  if (mine?.stages.includes('AWSCURRENT')) {
    const previous = holder(versions, 'AWSPREVIOUS');
    if (previous === undefined) {
      return blocked(`This run rotated it to ${token}, and no AWSPREVIOUS version is left to return to.`);
    }
    return { state: 'rotated', member, from: previous.versionId, to: token };
  }
  // AWSPREVIOUS on the run's version: it was AWSCURRENT once, and was rolled back (AWSPENDING
  // may still be on it, if the run stopped before clearing it). No label: it was given up.
  const rolledBack = mine?.stages.includes('AWSPREVIOUS') === true;
  if (mine !== undefined && (rolledBack || !mine.stages.includes('AWSPENDING'))) {
    return {
      state: 'undone',
      member,
      to: token,
      outcome: rolledBack ? 'rolled-back' : 'failed',
      reason:
        (rolledBack
          ? `An earlier attempt of this run rotated it to ${token} and rolled it back`
          : `An earlier attempt of this run could not rotate it (${token} was given up)`) +
        `; AWSCURRENT is on ${current.versionId}. To rotate the group again, use another runId.`,
    };
  }
  const pending = holder(versions, 'AWSPENDING');
  if (pending !== undefined && pending.versionId !== token && pending.versionId !== current.versionId) {
    return blocked(
      `A rotation of it is unfinished (AWSPENDING is on ${pending.versionId}): let it finish, or remove the label, first.`,
    );
  }
  if (member.rotation.lambdaArn === undefined) {
    return blocked('It has no rotation function: configure its rotation first.');
  }
  return { state: 'rotate', member, from: current.versionId, to: token };
}
