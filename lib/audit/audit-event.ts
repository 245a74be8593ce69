/**
 * One audit event per lifecycle action. The schema never has a field for a secret value:
 * it records who did what to which secret, and whether it worked.
 */

/** What was done. */
export type AuditAction =
  'create' | 'put' | 'rollback' | 'rotate' | 'revoke' | 'restore' | 'delete' | 'undelete' | 'tag' | 'untag';

export interface AuditEvent {
  /** ISO-8601 time the action finished. */
  readonly timestamp: string;
  /** Always `keystage.secret.<action>`. */
  readonly eventType: `keystage.secret.${AuditAction}`;
  readonly action: AuditAction;
  /** The secret's name or ARN as the caller gave it (ARN when known). */
  readonly secret: string;
  /** The secret's `keystage:environment` tag, when the action knows it. */
  readonly environment?: string;
  /** The caller identity, when the application supplies one. */
  readonly principal?: string;
  readonly success: boolean;
  /** Why: the revocation reason, or the error code of a failure. */
  readonly reason?: string;
  /** Non-secret details: version ids, stages, recovery window, tag keys. */
  readonly details?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
}

/** Where audit events go. `record` may be async; a rejection fails the action when fail-closed. */
export interface AuditSink {
  record(event: AuditEvent): void | Promise<void>;
}
