import {
  KeystageError,
  PermissionDeniedError,
  SecretDecodeError,
  SecretExpiredError,
  SecretRevokedError,
} from '../errors';
import type { RefusalKind } from './distribution-audit';
import type { DistributionRecord } from './record';

/** A refusal: the error to throw and what the audit event says. */
export interface Refusal {
  readonly kind: RefusalKind;
  readonly reason: string;
  readonly error: KeystageError;
  readonly rule?: string;
}

/** The refusal a record's state calls for at `now`, if any: revoked, then expired, then used up. */
export function stateRefusal(record: DistributionRecord, now: number): Refusal | undefined {
  const id = JSON.stringify(record.id);
  if (record.revoked) {
    const reason = `revoked: ${record.revokedReason ?? 'no reason given'}`;
    return {
      kind: 'revoked',
      reason,
      error: new SecretRevokedError(
        `Distribution ${id} was revoked (${record.revokedReason ?? 'no reason given'}); ask the issuer for a new envelope.`,
        { reason: record.revokedReason ?? undefined },
      ),
    };
  }
  if (now >= record.expiresAt) {
    const expiredAt = new Date(record.expiresAt);
    return {
      kind: 'expired',
      reason: `expired at ${expiredAt.toISOString()}`,
      error: new SecretExpiredError(
        `Distribution ${id} expired at ${expiredAt.toISOString()}; ask the issuer for a new envelope.`,
        { expiredAt },
      ),
    };
  }
  if (record.uses >= record.maxUses) {
    return {
      kind: 'used_up',
      reason: `used up: ${record.uses} of ${record.maxUses} uses`,
      error: new SecretRevokedError(
        `Distribution ${id} has been opened ${record.uses} of ${record.maxUses} times, all it allows; ask the issuer for a new envelope.`,
        { reason: 'used up' },
      ),
    };
  }
  return undefined;
}

/** A request refused as undecodable: bad proof, wrong key, replay, stale, unknown. */
export function decodeRefusal(kind: RefusalKind, reason: string, message: string): Refusal {
  return { kind, reason, error: new SecretDecodeError(message) };
}

/** A refusal by the access policy. */
export function policyRefusal(
  id: string,
  secretName: string,
  rule: string | undefined,
  reason: string,
): Refusal {
  return {
    kind: 'denied',
    reason,
    ...(rule === undefined ? {} : { rule }),
    error: new PermissionDeniedError(
      `Distribution ${JSON.stringify(id)} of ${JSON.stringify(secretName)} may not be opened here: ${reason}.`,
      { rule, reason, secretId: secretName },
    ),
  };
}
