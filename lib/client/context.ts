import type { KMSClient } from '@aws-sdk/client-kms';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AuditAction, AuditEvent, AuditSink } from '../audit/audit-event';
import type { SecretCache } from '../cache/secret-cache';
import { KeystageError, ServiceUnavailableError } from '../errors';
import type { Logger } from '../observability/logger';
import { toKeystageError } from './aws-errors';
import type { Clock } from './types';

/** What every operation needs: the clients, the logger, the clock, and the audit trail. */
export interface ClientContext {
  readonly sm: SecretsManagerClient;
  readonly kms: KMSClient;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly audit: AuditSink | undefined;
  readonly auditFailClosed: boolean;
  readonly principal: string | undefined;
  /** The read cache, when enabled; writes invalidate what they change. */
  readonly cache: SecretCache | undefined;
}

/** Runs one AWS call and turns any failure into a KeystageError naming the operation and secret. */
export async function call<T>(
  operation: string,
  secretId: string | undefined,
  send: () => Promise<T>,
): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw toKeystageError(error, secretId === undefined ? { operation } : { operation, secretId });
  }
}

export interface AuditedOutcome {
  /** The secret as the event should name it (ARN when known). */
  readonly secret?: string;
  readonly environment?: string;
  readonly reason?: string;
  readonly details?: AuditEvent['details'];
}

/**
 * Runs a lifecycle action and records its audit event, success or failure.
 * `describe` turns the action's result into the event's fields; it must not include values.
 */
export async function audited<T>(
  ctx: ClientContext,
  action: AuditAction,
  secretId: string,
  run: () => Promise<T>,
  describe: (result: T) => AuditedOutcome = () => ({}),
): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (error) {
    // A failed write may still have changed the secret (or lost a race to one that did).
    ctx.cache?.invalidate(secretId);
    const code = error instanceof KeystageError ? error.code : 'UNKNOWN';
    await record(ctx, action, { secret: secretId, success: false, reason: code }).catch(() => undefined);
    throw error;
  }
  ctx.cache?.invalidate(secretId);
  const outcome = describe(result);
  // Name the secret by ARN when the result carries one: names can be reused after deletion.
  const arn = (result as { arn?: unknown } | undefined)?.arn;
  const secret = outcome.secret ?? (typeof arn === 'string' && arn !== '' ? arn : secretId);
  await record(ctx, action, { ...outcome, secret, success: true });
  return result;
}

async function record(
  ctx: ClientContext,
  action: AuditAction,
  fields: AuditedOutcome & { readonly secret: string; readonly success: boolean },
): Promise<void> {
  if (ctx.audit === undefined) return;
  const event: AuditEvent = {
    timestamp: new Date(ctx.clock.now()).toISOString(),
    eventType: `keystage.secret.${action}`,
    action,
    ...(ctx.principal === undefined ? {} : { principal: ctx.principal }),
    ...fields,
  };
  try {
    await ctx.audit.record(event);
  } catch (error) {
    ctx.logger.error('audit record failed', { action, secret: fields.secret });
    if (ctx.auditFailClosed) {
      throw new ServiceUnavailableError(
        `The ${action} of ${JSON.stringify(fields.secret)} was done but its audit record could not be written ` +
          '(auditFailClosed is set): check the audit sink.',
        { cause: error, secretId: fields.secret },
      );
    }
  }
}
