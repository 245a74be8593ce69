import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { AuditSink } from '../audit/audit-event';
import { KeystageError, SecretDecodeError, ValidationError } from '../errors';
import { silentLogger, type Logger } from '../observability';
import {
  answerAad,
  ANSWER_INFO,
  boundInfo,
  PROOF_EXPORT,
  PROOF_INFO,
  requestMac,
  VALUE_INFO,
} from './construction';
import { DistributionAudit, type RefusalKind } from './distribution-audit';
import { envelopeHeader, envelopeParts, SealedEnvelope } from './envelope';
import { hpkeOpen } from './hpke';
import { strictBase64url } from './length-prefixed';
import { recipientPrivateKey, RecipientKey } from './recipient-key';
import type { RedemptionRequest, Redeemer } from './redemption';
import type { EnvelopeVerifier } from './signing';

export interface RecipientOptions {
  /** The recipient's key pair; its public half is registered with the distributor. */
  readonly key: RecipientKey;
  /** Who redeems: the `Distributor` in-process, or a client of one across a network. */
  readonly distributor: Redeemer;
  /** Checks envelope signatures against the KMS key the recipient trusts. */
  readonly verifier: EnvelopeVerifier;
  /** The address to present for the access policy's `sourceCidrs`. @default - none */
  readonly sourceIp?: string;
  /** @default - none */
  readonly userAgent?: string;
  /**
   * Where refusals this side sees are recorded (a changed envelope, one for another key, a
   * failed decryption): those never reach the distributor. @default - none
   */
  readonly audit?: AuditSink;
  /** Epoch milliseconds, stamped on redemption requests. @default Date.now */
  readonly now?: () => number;
  /** @default - silent */
  readonly logger?: Logger;
}

/** Per-open overrides. */
export interface OpenOptions {
  /** @default - the recipient's `sourceIp` */
  readonly sourceIp?: string;
}

/**
 * The holder of a recipient key, opening envelopes sealed to it: verify the signature
 * (locally), redeem one use with the distributor (which enforces expiry, the use limit,
 * revocation and the access policy), open the distributor's sealed key half, decrypt.
 * `JSON.stringify` and `util.inspect` show the key's fingerprint only.
 * @example
 * const recipient = new Recipient({ key, distributor, verifier: new EnvelopeVerifier({ keyId, kms }) });
 * const password = await recipient.open(envelopeText);
 */
export class Recipient {
  readonly #key: RecipientKey;
  readonly #distributor: Redeemer;
  readonly #verifier: EnvelopeVerifier;
  readonly #sourceIp: string | undefined;
  readonly #userAgent: string | undefined;
  readonly #now: () => number;
  readonly #audit: DistributionAudit;

  constructor(options: RecipientOptions) {
    if (!(options?.key instanceof RecipientKey)) {
      throw new ValidationError('key', 'key must be a RecipientKey (generateRecipientKey()).');
    }
    if (typeof options.distributor?.redeem !== 'function') {
      throw new ValidationError('distributor', 'distributor must have redeem(request) (a Distributor).');
    }
    if (typeof options.verifier?.verify !== 'function') {
      throw new ValidationError('verifier', 'verifier must be an EnvelopeVerifier.');
    }
    this.#key = options.key;
    this.#distributor = options.distributor;
    this.#verifier = options.verifier;
    this.#sourceIp = options.sourceIp;
    this.#userAgent = options.userAgent;
    this.#now = options.now ?? Date.now;
    this.#audit = new DistributionAudit(options.audit, this.#now, options.logger ?? silentLogger);
  }

  /** The public key's fingerprint. */
  get fingerprint(): string {
    return this.#key.fingerprint;
  }

  /**
   * Opens an envelope (or its serialized text) and returns the secret's value. Each call
   * redeems one use.
   * @throws SecretDecodeError (DECODE_ERROR) when the envelope was changed, is signed by
   *   another key, or is sealed to another recipient key; SecretExpiredError
   *   (SECRET_EXPIRED); SecretRevokedError (SECRET_REVOKED: revoked or used up);
   *   PermissionDeniedError (the access policy, with `rule` and `reason`). None says
   *   anything about the value.
   * @example
   * const value = await recipient.open(envelope, { sourceIp: '10.0.4.2' });
   */
  async open(envelope: SealedEnvelope | string, options: OpenOptions = {}): Promise<string> {
    const sealed = this.#parse(envelope);
    await this.#check(sealed);
    const header = envelopeHeader(sealed);
    const { parts } = envelopeParts(sealed);
    const privateKey = recipientPrivateKey(this.#key);
    const proof = await this.#local(sealed, 'tampered', () =>
      hpkeOpen(
        { recipientPrivateKey: privateKey, enc: parts.proofEnc, info: boundInfo(PROOF_INFO, header) },
        undefined,
        header,
        [PROOF_EXPORT],
      ),
    );
    const fields = {
      distributionId: sealed.id,
      recipientKey: this.#key.fingerprint,
      nonce: randomBytes(16).toString('base64url'),
      requestedAt: Math.floor(this.#now()),
    };
    const sourceIp = options.sourceIp ?? this.#sourceIp;
    const request: RedemptionRequest = {
      ...fields,
      proof: requestMac(proof.exported[0]!, fields).toString('base64url'),
      ...(sourceIp === undefined ? {} : { sourceIp }),
      ...(this.#userAgent === undefined ? {} : { userAgent: this.#userAgent }),
    };
    const answer = await this.#distributor.redeem(request);
    return this.#local(sealed, 'tampered', async () => {
      const half = await hpkeOpen(
        {
          recipientPrivateKey: privateKey,
          enc: strictBase64url(String(answer?.enc), 'The redemption answer'),
          info: Buffer.from(ANSWER_INFO, 'utf8'),
        },
        strictBase64url(String(answer?.sealedHalf), 'The redemption answer'),
        answerAad(sealed.id, request.nonce),
        [],
        'The redemption answer',
      );
      const value = await hpkeOpen(
        {
          recipientPrivateKey: privateKey,
          enc: parts.enc,
          info: boundInfo(VALUE_INFO, header),
          psk: { id: Buffer.from(sealed.id, 'utf8'), key: half.plaintext! },
        },
        parts.ciphertext,
        header,
      );
      return Buffer.from(value.plaintext!).toString('utf8');
    });
  }

  #parse(envelope: SealedEnvelope | string): SealedEnvelope {
    if (envelope instanceof SealedEnvelope) return envelope;
    try {
      return SealedEnvelope.parse(envelope);
    } catch (error) {
      this.#refused(undefined, 'tampered', 'malformed envelope');
      throw error;
    }
  }

  async #check(envelope: SealedEnvelope): Promise<void> {
    await this.#local(envelope, 'tampered', () => this.#verifier.verify(envelope), true);
    if (envelope.recipientKey !== this.#key.fingerprint) {
      this.#refused(envelope, 'wrong_recipient', 'sealed to another recipient key');
      throw new SecretDecodeError(
        `Envelope ${JSON.stringify(envelope.id)} is sealed to another recipient key (${envelope.recipientKey.slice(0, 16)}…), not this one (${this.#key.fingerprint.slice(0, 16)}…).`,
      );
    }
  }

  /** Runs a local step; a decode failure is audited as a refusal and rethrown. */
  async #local<T>(
    envelope: SealedEnvelope,
    kind: RefusalKind,
    step: () => Promise<T>,
    untrusted = false,
  ): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof KeystageError && error.code === 'DECODE_ERROR') {
        this.#refused(untrusted ? undefined : envelope, kind, untrusted ? 'bad signature' : 'undecryptable');
      }
      throw error;
    }
  }

  #refused(envelope: SealedEnvelope | undefined, kind: RefusalKind, reason: string): void {
    this.#audit.record({
      type: 'secret_distribution_refused',
      principal: undefined,
      secretName: envelope?.secretName ?? null,
      versionId: envelope?.secretVersionId ?? null,
      success: false,
      reason,
      details: { distribution_id: envelope?.id ?? null, refusal: kind, recipient_key: this.#key.fingerprint },
    });
  }

  toJSON(): { fingerprint: string } {
    return { fingerprint: this.#key.fingerprint };
  }

  [inspect.custom](): string {
    return `Recipient { fingerprint: '${this.#key.fingerprint}', privateKey: [redacted] }`;
  }
}
