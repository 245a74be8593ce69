// Modules, not the audit barrel: its sinks name an optional SDK in their types.
import {
  auditEventType,
  type AuditDetails,
  type AuditEntry,
  type AuditEventType,
  type AuditSink,
} from '../../audit/audit-event';
import { IsoTimestamps } from '../../audit/timestamp';
import { isArn } from '../../core';
import { AuditUnavailableError, KeystageError, PermissionDeniedError, ThrottledError } from '../../errors';
import type { Logger } from '../../observability';
import type { AccessDecision } from '../access';
import { changesSecret, type AnyOperation, type AuditOutcome, type Invocation } from '../operation';
import type { Clock } from '../options';
import { RequestIds } from './request-ids';
import { isPromise, type Stage } from './stage';

export interface AuditStageOptions {
  /** Where events go; without one the stage is left out of every chain. */
  readonly sink: AuditSink | undefined;
  /**
   * When true, a call's answer waits until the sink has accepted its event, and a sink
   * failure fails the call with AUDIT_UNAVAILABLE (for a change: after the change was made).
   */
  readonly failClosed: boolean;
  /**
   * Whether reads and listings that go ahead are recorded, cache hits included. Refusals
   * (denials, rate limits) of reads are recorded either way, and changes always are.
   * @default true
   */
  readonly reads?: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** How a call was refused, for `access_denied` and `rate_limited` events. */
interface Refusal {
  readonly type: AuditEventType;
  readonly reason: string;
  readonly details: AuditDetails;
}

/** A failure's reason: its stable code. */
function codeOf(error: unknown): string {
  return error instanceof KeystageError ? error.code : 'UNKNOWN';
}

/** camelCase detail keys (as operations write them) in the format's snake_case. */
function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * How `error` refused the call, if it is a refusal: a denial (by the access policy, whose
 * decision the authorize stage left on the invocation, or by AWS) or a rate limit (a
 * policy rule's, or the service's).
 */
function refusalOf(error: unknown, decision: AccessDecision | undefined): Refusal | undefined {
  if (error instanceof PermissionDeniedError) {
    const byPolicy = decision !== undefined && !decision.allowed;
    return {
      type: 'access_denied',
      reason: error.reason ?? (byPolicy ? decision.reason : error.code),
      details: {
        denied_by: byPolicy || error.reason !== undefined ? 'policy' : 'service',
        rule: error.rule ?? decision?.rule ?? null,
      },
    };
  }
  if (error instanceof ThrottledError) {
    return {
      type: 'rate_limited',
      reason: error.code,
      details: {
        limited_by: error.rule === undefined ? 'service' : 'policy',
        retry_after_ms: error.retryAfterMs ?? null,
        rule: error.rule ?? null,
      },
    };
  }
  return undefined;
}

/** The version a call read or wrote, where the operation knows it. */
function versionOf(
  invocation: Invocation,
  result: unknown,
  outcome: AuditOutcome | undefined,
): string | null {
  // Set by reads: the version the cache or the service answered with.
  if (invocation.versionId !== undefined && invocation.versionId !== '') return invocation.versionId;
  const described = outcome?.details?.['versionId'];
  if (typeof described === 'string' && described !== '') return described;
  const written = (result as { readonly versionId?: unknown } | null | undefined)?.versionId;
  if (typeof written === 'string' && written !== '') return written;
  // A read of a given version names it in its arguments.
  const asked = (invocation.input as { read?: { selector?: { versionId?: unknown } } } | null | undefined)
    ?.read?.selector?.versionId;
  return typeof asked === 'string' && asked !== '' ? asked : null;
}

/** An operation's details in the format: snake_case keys, the version promoted to `version_id`, the ARN added. */
function detailsOf(
  outcome: AuditOutcome | undefined,
  secretName: string | null,
  result: unknown,
  extra: AuditDetails | undefined,
): AuditDetails | null {
  // Reads describe nothing and answer with a value, not an object with an ARN: the common case.
  if (outcome === undefined && extra === undefined && (typeof result !== 'object' || result === null))
    return null;
  const details: Record<string, AuditDetails[string]> = {};
  for (const [key, value] of Object.entries(outcome?.details ?? {})) {
    if (key !== 'versionId' && value !== undefined) details[snakeCase(key)] = value;
  }
  // Names can be reused after a deletion; the ARN says which secret it was.
  const arn =
    outcome?.secret !== undefined && isArn(outcome.secret)
      ? outcome.secret
      : (result as { arn?: unknown } | null | undefined)?.arn;
  if (typeof arn === 'string' && arn !== '' && arn !== secretName) details['arn'] = arn;
  if (extra !== undefined) Object.assign(details, extra);
  return Object.keys(details).length === 0 ? null : details;
}

/** A batch's per-id answer: its value's version, or its error (the result shapes of getMany and prefetch). */
function batchAnswer(result: unknown, id: string): { versionId: string | null; error: unknown } {
  const shaped = result as { values?: unknown; errors?: unknown } | ReadonlyMap<string, unknown> | undefined;
  const errors = shaped instanceof Map ? shaped : (shaped as { errors?: unknown } | undefined)?.errors;
  const values = shaped instanceof Map ? undefined : (shaped as { values?: unknown } | undefined)?.values;
  const error = errors instanceof Map ? (errors.get(id) as unknown) : undefined;
  const value = values instanceof Map ? (values.get(id) as { versionId?: unknown } | undefined) : undefined;
  return { versionId: typeof value?.versionId === 'string' ? value.versionId : null, error };
}

/**
 * The audit trail: one event per operation, reads served from the cache included, refusals
 * and failures too (validation failures never reach it). It wraps authorize, rate-limit,
 * cache and call, so it sees their outcome: the decision, a cache hit, the service's
 * answer, the error. A batch read gives one event per secret. Events name secrets and
 * versions, never values. Fail-open (the default) an event is queued and the answer
 * returned at once; fail-closed the answer waits until the sink has accepted its event.
 * @example
 * const audit = auditStage({ sink, failClosed: false, reads: true, clock, logger });
 * const pipeline = new Pipeline([validateStage, audit, authorize, rateLimit, cache], call, principal);
 */
export function auditStage(options: AuditStageOptions): Stage {
  const { sink, failClosed, clock, logger } = options;
  const reads = options.reads ?? true;
  const timestamps = new IsoTimestamps();
  // Only recorded calls need an id: made here, not for every call.
  const requestIds = new RequestIds();
  // A class's name says which sink; an object literal's ('Object') says nothing.
  const className = sink?.constructor?.name;
  const sinkName = className === undefined || className === 'Object' ? 'AuditSink' : className;
  /** A sink of the caller's own that throws: logged once per run of failures. */
  let failing = false;

  function dropped(error: unknown): void {
    if (failing) return;
    failing = true;
    logger.warn('audit event dropped', {
      sink: sinkName,
      code: error instanceof KeystageError ? error.code : 'UNKNOWN',
    });
  }

  function unavailable(
    error: unknown,
    operation: AnyOperation,
    secret: string | null,
  ): AuditUnavailableError {
    const what = secret === null ? operation.name : `${operation.name} of ${JSON.stringify(secret)}`;
    const done = changesSecret(operation) ? 'was done, but its answer is withheld' : 'is not answered';
    return new AuditUnavailableError(
      error instanceof AuditUnavailableError ? error.sink : sinkName,
      `The ${what} ${done}: its audit event could not be written and auditFailClosed is set. ` +
        'Check the audit sink (stats(), its logs); the call may be retried.',
      { cause: error, ...(secret === null ? {} : { secretId: secret }) },
    );
  }

  /** Fail-open: hand the events over and never wait or fail. */
  function recordOpen(entries: readonly AuditEntry[]): void {
    for (const entry of entries) {
      try {
        const accepted = sink!.record(entry, false);
        if (accepted !== undefined) accepted.then(undefined, dropped);
        failing = false;
      } catch (error) {
        dropped(error);
      }
    }
  }

  /** Fail-closed: resolves once the sink has accepted every event. */
  function recordClosed(entries: readonly AuditEntry[]): Promise<unknown> {
    if (entries.length !== 1) return Promise.all(entries.map(async (entry) => sink!.record(entry, true)));
    // One event (every call but a batch's): the sink's own promise, nothing around it.
    try {
      return Promise.resolve(sink!.record(entries[0]!, true));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  function entry(
    operation: AnyOperation,
    invocation: Invocation,
    fields: {
      readonly type: AuditEventType;
      readonly secret: string | null;
      readonly success: boolean;
      readonly versionId: string | null;
      readonly reason: string | null;
      readonly environment: string | undefined;
      readonly details: AuditDetails | null;
    },
  ): AuditEntry {
    const principal = invocation.principal;
    return {
      timestamp: timestamps.format(clock.now()),
      event_type: fields.type,
      user_id: principal?.id ?? null,
      user_email: principal?.email ?? null,
      service: principal?.service ?? null,
      secret_name: fields.secret,
      environment: fields.environment ?? principal?.environment ?? null,
      action: operation.name,
      ip_address: principal?.sourceIp ?? null,
      user_agent: principal?.userAgent ?? null,
      success: fields.success,
      cache_hit: invocation.cacheHit,
      version_id: fields.versionId,
      reason: fields.reason,
      request_id: (invocation.requestId ??= requestIds.next()),
      details: fields.details,
    };
  }

  /** One secret of a batch: its read, or its refusal or failure. */
  function batchEntry(
    operation: AnyOperation,
    invocation: Invocation,
    id: string,
    answer: { readonly versionId: string | null; readonly error: unknown },
    size: number,
  ): AuditEntry | undefined {
    const refusal = refusalOf(answer.error, invocation.decisions?.get(id) ?? invocation.decision);
    if (refusal === undefined && !reads) return undefined;
    return entry(operation, invocation, {
      type: refusal?.type ?? auditEventType(operation.name),
      secret: id,
      success: answer.error === undefined,
      versionId: answer.versionId,
      reason: refusal?.reason ?? (answer.error === undefined ? null : codeOf(answer.error)),
      environment: undefined,
      details: { batch_size: size, ...refusal?.details },
    });
  }

  /**
   * The events of a call, from its result or its error; none for a read that goes
   * unrecorded. A getMany gives one per secret (reports count reads per secret); a prefetch,
   * which hands no value out, one for the call and one per refused id.
   */
  function entries(
    operation: AnyOperation,
    invocation: Invocation,
    outcome: { readonly result: unknown } | { readonly error: unknown },
  ): AuditEntry[] {
    const recordAll = reads || changesSecret(operation);
    const batch = operation.batch;
    const refused = invocation.refused;
    if (batch !== undefined && operation.name !== 'prefetch') {
      const ids = new Set([...batch.ids(invocation.input), ...(refused?.keys() ?? [])]);
      const found: AuditEntry[] = [];
      for (const id of ids) {
        const answer =
          'error' in outcome ? { versionId: null, error: outcome.error } : batchAnswer(outcome.result, id);
        const one = batchEntry(operation, invocation, id, answer, ids.size);
        if (one !== undefined) found.push(one);
      }
      return found;
    }

    const found: AuditEntry[] = [];
    const secret = operation.secretId(invocation.input) ?? null;
    if ('error' in outcome) {
      const { error } = outcome;
      const refusal = refusalOf(error, invocation.decision);
      if (refusal !== undefined || recordAll) {
        found.push(
          entry(operation, invocation, {
            type: refusal?.type ?? auditEventType(operation.name),
            secret,
            success: false,
            versionId: versionOf(invocation, undefined, undefined),
            reason: refusal?.reason ?? codeOf(error),
            environment: undefined,
            details: refusal?.details ?? null,
          }),
        );
      }
    } else if (recordAll) {
      const { result } = outcome;
      const described = operation.audit?.describe?.(invocation.input, result);
      const counted =
        batch === undefined
          ? undefined
          : { secret_count: batch.ids(invocation.input).length + (refused?.size ?? 0) };
      found.push(
        entry(operation, invocation, {
          type: auditEventType(operation.name),
          secret,
          success: true,
          versionId: versionOf(invocation, result, described),
          reason: described?.reason ?? null,
          environment: described?.environment,
          details: detailsOf(described, secret, result, counted),
        }),
      );
    }
    if (batch !== undefined && refused !== undefined) {
      const size = batch.ids(invocation.input).length + refused.size;
      for (const [id, error] of refused) {
        const one = batchEntry(operation, invocation, id, { versionId: null, error }, size);
        if (one !== undefined && one.event_type !== auditEventType(operation.name)) found.push(one);
      }
    }
    return found;
  }

  /**
   * After a call that failed: its events recorded, then its error again, as a rejection.
   * Fail-closed the sink is waited for and its own failure ignored: the call's is what the
   * caller needs to hear about.
   */
  function failed(operation: AnyOperation, invocation: Invocation, error: unknown): Promise<never> {
    const found = entries(operation, invocation, { error });
    if (found.length > 0 && failClosed) {
      const rethrow = (): never => {
        throw error;
      };
      return recordClosed(found).then(rethrow, rethrow);
    }
    if (found.length > 0) recordOpen(found);
    return Promise.reject(error);
  }

  /** After a call that answered: the answer, once its events are recorded (fail-closed: accepted). */
  function answered(operation: AnyOperation, invocation: Invocation, result: unknown): unknown {
    const found = entries(operation, invocation, { result });
    if (found.length === 0) return result;
    if (!failClosed) {
      recordOpen(found);
      return result;
    }
    return recordClosed(found).then(
      () => result,
      (error: unknown) => {
        throw unavailable(error, operation, found.length === 1 ? found[0]!.secret_name : null);
      },
    );
  }

  return {
    name: 'audit',
    wrap: (operation, next) => {
      if (sink === undefined) return next;
      // Synchronous when the rest answered at once (a cache hit): fail-open, no promise at all.
      return (invocation) => {
        let result: unknown;
        try {
          result = next(invocation);
        } catch (error) {
          return failed(operation, invocation, error);
        }
        if (!isPromise(result)) return answered(operation, invocation, result);
        return result.then(
          (settled) => answered(operation, invocation, settled),
          (error: unknown) => failed(operation, invocation, error),
        );
      };
    },
    // Recorded reads must see every call, hits included; unrecorded ones leave hits alone
    // (a refusal needs a policy or a limit, whose stages already take hits off this path).
    wrapHit: (operation, next) =>
      sink === undefined || (!reads && !changesSecret(operation)) ? next : undefined,
  };
}
