import { randomUUID } from 'node:crypto';
import type { AuditDetails, AuditEntry, AuditEventType, AuditSink } from '../audit/audit-event';
import { IsoTimestamps } from '../audit/timestamp';
import type { Principal } from '../client/access';
import { KeystageError } from '../errors';
import type { Logger } from '../observability';

/** Why a distribution was refused, as `details.refusal` of a `secret_distribution_refused` event. */
export type RefusalKind =
  | 'expired'
  | 'used_up'
  | 'revoked'
  | 'denied'
  | 'tampered'
  | 'wrong_recipient'
  | 'replayed'
  | 'stale_request'
  | 'unknown_distribution'
  | 'failed';

/** One distribution event's facts; never a value, a key half, a proof key or ciphertext. */
export interface DistributionEventFields {
  readonly type: AuditEventType;
  readonly principal: Principal | undefined;
  readonly secretName: string | null;
  readonly versionId: string | null;
  readonly success: boolean;
  readonly reason: string | null;
  readonly details: AuditDetails;
}

/**
 * Writes distribution events to a sink, fail-open: a slow or failing sink never delays or
 * fails a distribution; a failure is logged once per run of failures.
 */
export class DistributionAudit {
  readonly #timestamps = new IsoTimestamps();
  #failing = false;

  constructor(
    private readonly sink: AuditSink | undefined,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  record(fields: DistributionEventFields): void {
    if (this.sink === undefined) return;
    const principal = fields.principal;
    const entry: AuditEntry = {
      timestamp: this.#timestamps.format(this.now()),
      event_type: fields.type,
      user_id: principal?.id ?? null,
      user_email: principal?.email ?? null,
      service: principal?.service ?? null,
      secret_name: fields.secretName,
      environment: principal?.environment ?? null,
      action: null,
      ip_address: principal?.sourceIp ?? null,
      user_agent: principal?.userAgent ?? null,
      success: fields.success,
      cache_hit: false,
      version_id: fields.versionId,
      reason: fields.reason,
      request_id: randomUUID(),
      details: fields.details,
    };
    try {
      const accepted = this.sink.record(entry, false);
      if (accepted !== undefined) accepted.then(undefined, (error: unknown) => this.dropped(error));
      this.#failing = false;
    } catch (error) {
      this.dropped(error);
    }
  }

  private dropped(error: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    this.logger.warn('distribution audit event dropped', {
      code: error instanceof KeystageError ? error.code : 'UNKNOWN',
    });
  }
}
