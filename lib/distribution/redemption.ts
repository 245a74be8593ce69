/**
 * The redemption protocol between a recipient and the distributor, as plain data so a
 * network hop (HTTP, a queue) can be put between them: `Recipient.open` makes a
 * {@link RedemptionRequest}; anything that implements {@link Redeemer} answers it (a
 * `Distributor` does, in-process).
 *
 * Authentication: the request carries an HMAC-SHA256, under a proof key only the holder of
 * the recipient's private key can derive from the envelope (an HPKE export), over the
 * distribution id, the recipient key's fingerprint, a fresh random nonce and the time. The
 * distributor checks it (constant-time) against the proof key in its record before it counts
 * a use, refuses a request older than five minutes and a nonce already redeemed, and seals
 * its answer to the registered key. So an envelope alone cannot spend a use, a captured
 * request cannot be replayed, and the answer is useless to anyone but the recipient.
 */

/** A recipient's request to redeem one use of a distribution. */
export interface RedemptionRequest {
  readonly distributionId: string;
  /** Hex SHA-256 of the recipient's public key. */
  readonly recipientKey: string;
  /** 16 random bytes, base64url. */
  readonly nonce: string;
  /** Epoch milliseconds when the request was made. */
  readonly requestedAt: number;
  /** HMAC-SHA256 under the proof key, base64url. */
  readonly proof: string;
  /**
   * The address the request came from, for the access policy's `sourceCidrs`. A network
   * transport sets it from the connection, never from what the caller says.
   * @default - unknown: a `sourceCidrs` rule does not hold
   */
  readonly sourceIp?: string;
  /** The caller's user agent, for the audit trail. @default - none */
  readonly userAgent?: string;
}

/** The distributor's answer: its key half, sealed to the recipient (HPKE mode_base). */
export interface RedemptionAnswer {
  /** The HPKE encapsulation, base64url. */
  readonly enc: string;
  /** The sealed key half, base64url. */
  readonly sealedHalf: string;
}

/**
 * What redeems a request: a `Distributor`, or a client of one across a network.
 * @example
 * const overHttp: Redeemer = {
 *   redeem: async (request) => (await fetch(url, { method: 'POST', body: JSON.stringify(request) })).json(),
 * };
 */
export interface Redeemer {
  /**
   * Counts one use and answers with the key half, or refuses: SECRET_EXPIRED,
   * SECRET_REVOKED (revoked or used up), PERMISSION_DENIED (the access policy), DECODE_ERROR
   * (unknown distribution, bad proof, replayed or stale request).
   */
  redeem(request: RedemptionRequest): Promise<RedemptionAnswer>;
}
