import type { CallOptions, OperationKind } from '../../client';
import type { AccessDecision } from '../../client/access';
import type { Operation } from '../../client/operation';
import { create } from '../../client/operations/create';
import { put } from '../../client/operations/put';
import { tag } from '../../client/operations/tags';
import { accessDecision, runOperation } from '../../client/secrets-client';
import { PermissionDeniedError, isKeystageError } from '../../errors';
import type { CopyDenial, CopyEntry } from './copy-entry';
import type { CopyRequest } from './copy-options';
import type { PlannedCopy, PlannedWrite } from './planned-copy';

/** The target client's access decision on a planned write, asked as of the operation it runs. */
function decisionOn(request: CopyRequest, write: PlannedWrite, target: string): AccessDecision | undefined {
  const { target: client, call } = request;
  switch (write.op) {
    case 'create':
      return accessDecision(client, create, target, call);
    case 'put':
      return accessDecision(client, put, target, call);
    case 'tag':
      return accessDecision(client, tag, target, call);
  }
}

/**
 * The plan with each write entry's refusal, if the target client's access policy refuses
 * one of its writes. Decided as the pipeline decides (the same authorizer, the call's
 * principal), without a call: nothing is audited or counted against a rate limit here.
 */
export function authorizeWrites(plan: readonly PlannedCopy[], request: CopyRequest): PlannedCopy[] {
  return plan.map((planned) => {
    const { entry, target } = planned;
    if (entry.action === 'skip' || target === undefined) return planned;
    for (const write of planned.writes) {
      const decision = decisionOn(request, write, target);
      if (decision !== undefined && !decision.allowed) {
        const denied: CopyDenial = { rule: decision.rule, reason: decision.reason };
        return { ...planned, entry: { ...entry, denied } };
      }
    }
    return planned;
  });
}

/**
 * A write refused before it is made: an operation of the write's name and kind whose call
 * fails with the refusal, so the pipeline's authorize stage refuses it as it would the
 * write itself and its audit stage records the denial, and Secrets Manager is never called.
 */
function refusedWrite(
  name: 'create' | 'put' | 'tag',
  kind: OperationKind,
): Operation<
  [target: string, refusal: PermissionDeniedError],
  { readonly target: string; readonly refusal: PermissionDeniedError },
  never
> {
  return {
    name,
    kind,
    validate: (target, refusal) => ({ target, refusal }),
    secretId: (input) => input.target,
    call: (input) => Promise.reject(input.refusal),
  };
}

const REFUSED = {
  create: refusedWrite('create', create.kind),
  put: refusedWrite('put', put.kind),
  tag: refusedWrite('tag', tag.kind),
} as const;

/**
 * Stops a run whose plan holds a refused write, before its first write: the first refused
 * write goes through the target client's pipeline as a call that cannot write, so the
 * denial is the policy's own and is in the audit trail. Always throws.
 */
export async function refuse(plan: readonly PlannedCopy[], request: CopyRequest): Promise<never> {
  const refused = plan.filter(
    (planned) => planned.entry.action !== 'skip' && planned.entry.denied !== undefined,
  );
  const first = refused[0]!;
  const denied = (first.entry as Exclude<CopyEntry, { action: 'skip' }>).denied!;
  const write = first.writes.find((candidate) => {
    const decision = decisionOn(request, candidate, first.target!);
    return decision !== undefined && !decision.allowed;
  })!;
  const summary =
    `copyEnvironment wrote nothing: the access policy refuses writes to ${refused.length} of the ` +
    `${plan.filter((planned) => planned.writes.length > 0).length} secrets it would write. ` +
    'Run it with dryRun: true to see each refusal.';
  const ownRefusal = new PermissionDeniedError(
    `The access policy denies ${write.op} of ${JSON.stringify(first.target)}: ${denied.reason}. ${summary}`,
    {
      secretId: first.target!,
      ...(denied.rule === undefined ? {} : { rule: denied.rule }),
      reason: denied.reason,
    },
  );
  let cause: unknown = ownRefusal;
  try {
    await runOperation(request.target, REFUSED[write.op], [first.target!, ownRefusal], request.call);
  } catch (error) {
    cause = error;
  }
  if (cause === ownRefusal || !(cause instanceof PermissionDeniedError)) throw cause;
  throw new PermissionDeniedError(`${cause.message} ${summary}`, {
    cause,
    secretId: first.target!,
    ...(cause.rule === undefined ? {} : { rule: cause.rule }),
    ...(cause.reason === undefined ? {} : { reason: cause.reason }),
  });
}

/**
 * Stores a copied version under its derived token. Secrets Manager ignores a token it
 * already holds with the same value, which leaves AWSCURRENT where it is (the target was
 * rolled back since that version was copied): then AWSCURRENT is moved back to it. An
 * encrypted-json version is encrypted afresh each time, so the repeat of a stored token is
 * refused (CONFLICT) rather than ignored; the version it names holds the same value, so it
 * is made current in the same way.
 */
async function putVersion(
  request: CopyRequest,
  target: string,
  write: Extract<PlannedWrite, { op: 'put' }>,
): Promise<string> {
  const { call } = request;
  try {
    const stored = await runOperation(
      request.target,
      put,
      [
        target,
        write.value,
        { ...call, clientRequestToken: write.token, ...(write.encrypted ? { kind: 'encrypted-json' } : {}) },
      ],
      call,
    );
    if (stored.stages.includes('AWSCURRENT')) return stored.versionId;
  } catch (error) {
    if (!write.encrypted || !isKeystageError(error, 'CONFLICT')) throw error;
    try {
      return (await request.target.rollback(target, { ...call, toVersionId: write.token })).toVersionId;
    } catch (moved) {
      throw isKeystageError(moved, 'SECRET_NOT_FOUND') ? error : moved;
    }
  }
  return (await request.target.rollback(target, { ...call, toVersionId: write.token })).toVersionId;
}

async function runWrite(
  request: CopyRequest,
  target: string,
  write: PlannedWrite,
): Promise<string | undefined> {
  const call: CallOptions = request.call;
  switch (write.op) {
    case 'create':
      return (await request.target.create(write.options)).versionId;
    case 'put':
      return putVersion(request, target, write);
    case 'tag':
      await request.target.tag(target, write.tags, call);
      return undefined;
  }
}

/**
 * Makes the plan's writes, one secret at a time, in plan order, through the target client:
 * each is authorized, rate-limited and audited as a change. The first failure stops the
 * run and is thrown; a rerun plans again from what is there and finishes the job.
 */
export async function runWrites(plan: readonly PlannedCopy[], request: CopyRequest): Promise<CopyEntry[]> {
  const entries: CopyEntry[] = [];
  for (const { entry, target, writes } of plan) {
    if (entry.action === 'skip' || target === undefined) {
      entries.push(entry);
      await request.onEntry?.(entry);
      continue;
    }
    let versionId: string | undefined;
    for (const write of writes) versionId = (await runWrite(request, target, write)) ?? versionId;
    const done: CopyEntry = { ...entry, outcome: 'done', versionId };
    entries.push(done);
    await request.onEntry?.(done);
  }
  return entries;
}
