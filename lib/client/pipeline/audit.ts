import type { AuditAction, AuditEvent, AuditSink } from '../../audit';
import { KeystageError, ServiceUnavailableError } from '../../errors';
import type { Logger } from '../../observability';
import type { AnyOperation, AuditOutcome, Invocation } from '../operation';
import type { Clock } from '../options';
import type { Stage } from './stage';

export interface AuditStageOptions {
  /** Where events go; without one the stage is left out of every chain. */
  readonly sink: AuditSink | undefined;
  /** When true, a success whose event cannot be written fails with SERVICE_UNAVAILABLE. */
  readonly failClosed: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Which operations produce events.
   * @default - every operation that declares an audit action: the ones that change a secret
   */
  readonly records?: (operation: AnyOperation) => boolean;
}

/**
 * The audit trail: one event per audited operation, success or failure, written after
 * everything else the call did. It wraps authorize, rate-limit, cache and call, so it sees
 * their outcome (a denial, a cache hit, the service's answer); validation failures never
 * reach it. Events name secrets and versions, never values.
 */
export function auditStage(options: AuditStageOptions): Stage {
  const { sink, failClosed, clock, logger } = options;
  const records = options.records ?? ((operation: AnyOperation) => operation.audit !== undefined);
  const audited = (operation: AnyOperation): boolean =>
    sink !== undefined && operation.audit !== undefined && records(operation);

  async function record(
    action: AuditAction,
    invocation: Invocation,
    fields: AuditOutcome & { readonly secret: string; readonly success: boolean },
  ): Promise<void> {
    const event: AuditEvent = {
      timestamp: new Date(clock.now()).toISOString(),
      eventType: `keystage.secret.${action}`,
      action,
      ...(invocation.principal === undefined ? {} : { principal: invocation.principal }),
      ...fields,
    };
    try {
      await sink!.record(event);
    } catch (error) {
      logger.error('audit record failed', { action, secret: fields.secret });
      if (failClosed) {
        throw new ServiceUnavailableError(
          `The ${action} of ${JSON.stringify(fields.secret)} was done but its audit record could not be written ` +
            '(auditFailClosed is set): check the audit sink.',
          { cause: error, secretId: fields.secret },
        );
      }
    }
  }

  return {
    name: 'audit',
    wrap: (operation, next) => {
      if (!audited(operation)) return next;
      const use = operation.audit!;
      return async (invocation) => {
        const secretId = operation.secretId(invocation.input) ?? '';
        let result: unknown;
        try {
          result = await next(invocation);
        } catch (error) {
          const reason = error instanceof KeystageError ? error.code : 'UNKNOWN';
          // The failure is what the caller needs to hear about, not the audit sink's.
          await record(use.action, invocation, { secret: secretId, success: false, reason }).catch(
            () => undefined,
          );
          throw error;
        }
        const outcome = use.describe?.(invocation.input, result) ?? {};
        // Name the secret by ARN when the result carries one: names can be reused after deletion.
        const arn = (result as { arn?: unknown } | undefined)?.arn;
        const secret = outcome.secret ?? (typeof arn === 'string' && arn !== '' ? arn : secretId);
        await record(use.action, invocation, { ...outcome, secret, success: true });
        return result;
      };
    },
    // An audited operation must see every call, hits included.
    wrapHit: (operation, next) => (audited(operation) ? undefined : next),
  };
}
