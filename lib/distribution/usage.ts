import type { DistributionRecord } from './record';
import { stateRefusal } from './refusals';

/** Where a distribution stands (`Distributor.validateUsage`): no key material, no value. */
export interface DistributionUsage {
  readonly id: string;
  readonly secretName: string;
  readonly secretVersionId: string;
  readonly recipient: string;
  readonly purpose: string;
  readonly uses: number;
  readonly maxUses: number;
  readonly remainingUses: number;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  readonly expired: boolean;
  readonly revoked: boolean;
  /** The reason given to `revoke`; undefined unless revoked. */
  readonly revokedReason: string | undefined;
  readonly revokedAt: Date | undefined;
  /** True when an open would be let through now (the access policy aside). */
  readonly valid: boolean;
  /** Why not, when not valid: `revoked: …`, `expired at …`, `used up: …`. */
  readonly reason: string | undefined;
}

/** A record's usage at `now`. */
export function usageOf(record: DistributionRecord, now: number): DistributionUsage {
  const refusal = stateRefusal(record, now);
  return {
    id: record.id,
    secretName: record.secretName,
    secretVersionId: record.secretVersionId,
    recipient: record.recipient,
    purpose: record.purpose,
    uses: record.uses,
    maxUses: record.maxUses,
    remainingUses: record.revoked ? 0 : Math.max(0, record.maxUses - record.uses),
    issuedAt: new Date(record.issuedAt),
    expiresAt: new Date(record.expiresAt),
    expired: now >= record.expiresAt,
    revoked: record.revoked,
    revokedReason: record.revokedReason ?? undefined,
    revokedAt: record.revokedAt === null ? undefined : new Date(record.revokedAt),
    valid: refusal === undefined,
    reason: refusal?.reason,
  };
}
