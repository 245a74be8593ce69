import { randomInt } from 'node:crypto';
import type { AccessEvaluator, Principal } from '../client/access';
import { ConflictError, KeystageError } from '../errors';
import { ANSWER_INFO, answerAad, macMatches, requestMac } from './construction';
import type { DistributionAudit } from './distribution-audit';
import { hpkeSeal } from './hpke';
import type { KeyedQueue } from './keyed-queue';
import { strictBase64url } from './length-prefixed';
import type { DistributionRecord, RecordStore, StoredRecord } from './record';
import type { RedemptionAnswer, RedemptionRequest } from './redemption';
import { decodeRefusal, policyRefusal, stateRefusal, type Refusal } from './refusals';

/** How old a request may be: a captured one cannot be replayed later. */
export const REQUEST_WINDOW_MS = 5 * 60_000;
/**
 * Compare-and-swap attempts before giving up. A lost swap means another update landed (a
 * use, bounded by maxUses, or the revocation, after which the state is final), so this
 * bound is only reached when something outside keystage keeps writing the record.
 */
export const MAX_SWAP_ATTEMPTS = 1_010;

/** What redemption needs of its distributor. */
export interface RedeemContext {
  readonly store: RecordStore;
  readonly queue: KeyedQueue;
  readonly audit: DistributionAudit;
  readonly policy: AccessEvaluator | undefined;
  readonly now: () => number;
  principalOf(id: string): Principal | undefined;
}

/** The error when the swap kept losing. */
export function lostTooOften(id: string): ConflictError {
  return new ConflictError(
    `Distribution ${JSON.stringify(id)} kept changing under this update (${MAX_SWAP_ATTEMPTS} lost compare-and-swaps): ` +
      'something other than keystage is writing its record. Nothing was counted; retry later.',
  );
}

const ID = /^[0-9a-f-]{36}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/** A request with the shape redemption needs, or undefined. */
function wellFormed(request: RedemptionRequest): boolean {
  const r = request as Partial<Record<keyof RedemptionRequest, unknown>> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.distributionId === 'string' &&
    ID.test(r.distributionId) &&
    typeof r.recipientKey === 'string' &&
    HEX64.test(r.recipientKey) &&
    typeof r.nonce === 'string' &&
    /^[A-Za-z0-9_-]{22}$/.test(r.nonce) &&
    Number.isSafeInteger(r.requestedAt) &&
    typeof r.proof === 'string' &&
    (r.sourceIp === undefined || typeof r.sourceIp === 'string') &&
    (r.userAgent === undefined || typeof r.userAgent === 'string')
  );
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/**
 * Redeems one use: checks the request's proof against the record, then the record's state
 * (revoked, expired, used up), the request's freshness and nonce, and the access policy;
 * counts the use with a compare-and-swap (re-reading and re-checking after a lost one); and
 * answers with the key half sealed to the recipient. Exactly one audit event per call: the
 * open, or the refusal with its reason.
 */
export function redeem(context: RedeemContext, request: RedemptionRequest): Promise<RedemptionAnswer> {
  if (!wellFormed(request)) {
    const refusal = decodeRefusal('tampered', 'malformed request', 'The redemption request is malformed.');
    context.audit.record({
      type: 'secret_distribution_refused',
      principal: undefined,
      secretName: null,
      versionId: null,
      success: false,
      reason: refusal.reason,
      details: { distribution_id: null, refusal: refusal.kind },
    });
    return Promise.reject(refusal.error);
  }
  return context.queue.run(request.distributionId, () => redeemInTurn(context, request));
}

async function redeemInTurn(context: RedeemContext, request: RedemptionRequest): Promise<RedemptionAnswer> {
  const id = request.distributionId;
  let stored: StoredRecord | undefined = await context.store.read(id);
  const first = stored?.record;
  const registered = first === undefined ? undefined : context.principalOf(first.recipient);
  const principal: Principal | undefined =
    registered === undefined
      ? undefined
      : {
          ...registered,
          sourceIp: request.sourceIp ?? registered.sourceIp,
          userAgent: request.userAgent ?? registered.userAgent,
        };
  const refuse = (record: DistributionRecord | undefined, refusal: Refusal): never => {
    context.audit.record({
      type: 'secret_distribution_refused',
      principal: principal ?? (record === undefined ? undefined : placeholder(record.recipient, request)),
      secretName: record?.secretName ?? null,
      versionId: record?.secretVersionId ?? null,
      success: false,
      reason: refusal.reason,
      details: {
        distribution_id: id,
        refusal: refusal.kind,
        uses: record?.uses ?? null,
        max_uses: record?.maxUses ?? null,
        rule: refusal.rule ?? null,
      },
    });
    throw refusal.error;
  };
  if (stored === undefined || first === undefined) {
    return refuse(
      undefined,
      decodeRefusal(
        'unknown_distribution',
        'unknown distribution',
        'The redemption request names no distribution.',
      ),
    );
  }
  if (!authentic(first, request)) {
    return refuse(
      first,
      decodeRefusal(
        request.recipientKey === first.recipientKey ? 'tampered' : 'wrong_recipient',
        request.recipientKey === first.recipientKey
          ? 'bad proof of the recipient key'
          : 'another recipient key',
        'The redemption request does not prove possession of the key this distribution is sealed to.',
      ),
    );
  }
  if (principal === undefined) {
    return refuse(
      first,
      policyRefusal(id, first.secretName, undefined, `recipient ${first.recipient} is not registered`),
    );
  }
  for (let attempt = 1; ; attempt += 1) {
    const { record, versionId }: StoredRecord = stored;
    const now = context.now();
    const state = stateRefusal(record, now);
    if (state !== undefined) return refuse(record, state);
    if (record.nonces.includes(request.nonce)) {
      return refuse(
        record,
        decodeRefusal('replayed', 'replayed request', 'The redemption request was already redeemed.'),
      );
    }
    if (Math.abs(now - request.requestedAt) > REQUEST_WINDOW_MS) {
      return refuse(
        record,
        decodeRefusal(
          'stale_request',
          'request outside the 5-minute window',
          'The redemption request is too old (or from the future): make a new one.',
        ),
      );
    }
    const decision = context.policy?.evaluate({ principal, operation: 'read', secret: record.secretName });
    if (decision !== undefined && !decision.allowed) {
      return refuse(record, policyRefusal(id, record.secretName, decision.rule, decision.reason));
    }
    const next: DistributionRecord = {
      ...record,
      uses: record.uses + 1,
      nonces: [...record.nonces, request.nonce],
    };
    let landed: boolean;
    try {
      landed = await context.store.swap(next, versionId);
    } catch (error) {
      const code = error instanceof KeystageError ? error.code : 'UNKNOWN';
      return refuse(record, { kind: 'failed', reason: code, error: error as KeystageError });
    }
    if (landed) return answer(context, next, principal, request);
    if (attempt >= MAX_SWAP_ATTEMPTS)
      return refuse(record, { kind: 'failed', reason: 'CONFLICT', error: lostTooOften(id) });
    await sleep(randomInt(0, Math.min(2 ** attempt, 50) + 1));
    const again = await context.store.read(id);
    if (again === undefined) {
      return refuse(
        record,
        decodeRefusal('unknown_distribution', 'record deleted', 'The distribution no longer exists.'),
      );
    }
    stored = again;
  }
}

/** A principal for the audit trail of a recipient that is no longer registered. */
function placeholder(id: string, request: RedemptionRequest): Principal {
  return {
    id,
    service: '',
    environment: '',
    roles: [],
    sourceIp: request.sourceIp,
    userAgent: request.userAgent,
  };
}

function authentic(record: DistributionRecord, request: RedemptionRequest): boolean {
  if (request.recipientKey !== record.recipientKey) return false;
  let proof: Buffer;
  try {
    proof = strictBase64url(request.proof, 'The redemption proof');
  } catch {
    return false;
  }
  return macMatches(requestMac(Buffer.from(record.proofKey, 'base64url'), request), proof);
}

async function answer(
  context: RedeemContext,
  record: DistributionRecord,
  principal: Principal,
  request: RedemptionRequest,
): Promise<RedemptionAnswer> {
  const sealed = await hpkeSeal(
    {
      recipientPublicKey: Buffer.from(record.recipientPublicKey, 'base64url'),
      info: Buffer.from(ANSWER_INFO, 'utf8'),
    },
    Buffer.from(record.keyHalf, 'base64url'),
    answerAad(record.id, request.nonce),
  );
  context.audit.record({
    type: 'secret_distribution_opened',
    principal,
    secretName: record.secretName,
    versionId: record.secretVersionId,
    success: true,
    reason: record.purpose,
    details: { distribution_id: record.id, uses: record.uses, max_uses: record.maxUses, rule: null },
  });
  return {
    enc: Buffer.from(sealed.enc).toString('base64url'),
    sealedHalf: Buffer.from(sealed.ciphertext!).toString('base64url'),
  };
}
