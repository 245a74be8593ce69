import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { lengthPrefixed } from './length-prefixed';

/**
 * The labels and derivations of the construction (format 1), in one place; README "Sealed
 * distribution" describes them.
 *
 * - Value: HPKE mode_psk to the recipient's key, info = LP(VALUE_INFO, SHA-256(header)),
 *   psk = the distributor's 32-byte half, psk_id = the distribution id; one Seal of the
 *   value with aad = header. The KEM shared secret (the envelope's half: only the recipient
 *   can decapsulate it) and the PSK (the record's half) both enter HPKE's key schedule, so
 *   the AES-256-GCM key needs both.
 * - Proof key: HPKE mode_base to the same key, info = LP(PROOF_INFO, SHA-256(header));
 *   Export(PROOF_EXPORT, 32). The distributor keeps it in the record; the recipient derives it
 *   from the envelope, and MACs its redemption requests with it.
 * - Redemption answer: HPKE mode_base to the recipient, fresh per answer, info =
 *   ANSWER_INFO, aad = LP(ANSWER_INFO, id, nonce): the PSK sealed to the one who asked.
 *
 * LP is the length-prefixed encoding of length-prefixed.ts.
 */
export const VALUE_INFO = 'keystage/distribution/v1 value';
export const PROOF_INFO = 'keystage/distribution/v1 proof';
export const PROOF_EXPORT = Buffer.from('keystage/distribution/v1 redemption proof key', 'utf8');
export const ANSWER_INFO = 'keystage/distribution/v1 redemption answer';
const REQUEST_MAC = 'keystage/distribution/v1 redemption request';

/** The info of a context bound to an envelope's header. */
export function boundInfo(label: string, header: Uint8Array): Buffer {
  return lengthPrefixed([label, createHash('sha256').update(header).digest()]);
}

/** The aad of a redemption answer: it belongs to this distribution and this request. */
export function answerAad(id: string, nonce: string): Buffer {
  return lengthPrefixed([ANSWER_INFO, id, nonce]);
}

/** What a redemption request's MAC covers. */
export interface RequestFields {
  readonly distributionId: string;
  readonly recipientKey: string;
  readonly nonce: string;
  readonly requestedAt: number;
}

/** HMAC-SHA256 under the proof key over every field of the request. */
export function requestMac(proofKey: Uint8Array, request: RequestFields): Buffer {
  return createHmac('sha256', proofKey)
    .update(
      lengthPrefixed([
        REQUEST_MAC,
        request.distributionId,
        request.recipientKey,
        request.nonce,
        request.requestedAt,
      ]),
    )
    .digest();
}

/** Constant-time comparison of a received MAC with the expected one. */
export function macMatches(expected: Buffer, received: Buffer): boolean {
  return received.length === expected.length && timingSafeEqual(expected, received);
}
