import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AuditSink } from '../audit/audit-event';
import type { AccessEvaluator, Principal } from '../client/access';
import type { SecretsClient } from '../client/secrets-client';
import { validateInteger, validateSecretId, validateText } from '../core';
import { SecretNotFoundError, ValidationError, show } from '../errors';
import { silentLogger, type Logger } from '../observability';
import { boundInfo, PROOF_EXPORT, PROOF_INFO, VALUE_INFO } from './construction';
import { DistributionAudit } from './distribution-audit';
import {
  assembleEnvelope,
  envelopeBody,
  envelopeHeader,
  type EnvelopeFacts,
  type SealedEnvelope,
} from './envelope';
import { hpkeSeal } from './hpke';
import { KeyedQueue } from './keyed-queue';
import { RecordStore, type DistributionRecord } from './record';
import { decodePublicKey, recipientKeyFingerprint } from './recipient-key';
import { MAX_SWAP_ATTEMPTS, lostTooOften, redeem, type RedeemContext } from './redeem';
import type { RedemptionAnswer, RedemptionRequest, Redeemer } from './redemption';
import { EnvelopeSigner, type SigningKeyOptions } from './signing';
import { usageOf, type DistributionUsage } from './usage';

/** The longest `expiresIn`: 30 days. Sealed envelopes are for handing a secret over, not storing it. */
export const MAX_EXPIRES_IN_MS = 30 * 24 * 3600 * 1000;
/** The most uses one distribution allows (each success stores its nonce in the record). */
export const MAX_USES = 1000;

/** A recipient the distributor may seal to: who it is and its X25519 public key. */
export interface RecipientRegistration {
  /** The recipient's identity: the access policy decides on it at every redemption. */
  readonly principal: Principal;
  /** `RecipientKey.publicKey`: 32 bytes, unpadded base64url. */
  readonly publicKey: string;
}

export interface DistributorOptions {
  /** Reads the secrets it issues (AWSCURRENT), with that client's policy, audit and cache. */
  readonly secrets: SecretsClient;
  /** The KMS key (ECC_NIST_P256, SIGN_VERIFY) that signs envelopes. */
  readonly signingKey: SigningKeyOptions;
  /**
   * Where distribution records live (`keystage/distributions/<id>`), read and written
   * directly: records must never be served from a cache.
   * @default - the Secrets Manager client of `secrets`
   */
  readonly secretsManager?: SecretsManagerClient;
  /** The KMS key Secrets Manager encrypts records under. @default - aws/secretsmanager */
  readonly recordKmsKeyId?: string;
  /**
   * Evaluated at every redemption for the recipient's registered principal with the
   * request's source address, operation `read`, the distributed secret's name.
   * @default - no policy: every registered recipient may redeem its own envelopes
   */
  readonly policy?: AccessEvaluator;
  /** Where issues, opens, refusals and revocations are recorded. @default - no audit trail */
  readonly audit?: AuditSink;
  /** Who issues and revokes, for the audit trail. @default - none */
  readonly principal?: Principal;
  /** Recipients registered from the start. @default - none; see registerRecipient */
  readonly recipients?: readonly RecipientRegistration[];
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** @default - silent */
  readonly logger?: Logger;
}

/** What `issue` is asked for. */
export interface IssueOptions {
  /** The registered recipient's principal id. */
  readonly recipient: string;
  /** Milliseconds from now until the envelope stops opening; at most MAX_EXPIRES_IN_MS. */
  readonly expiresIn: number;
  /** How many times it may be opened, 1 to MAX_USES. @default 1 */
  readonly maxUses?: number;
  /** Why it is handed out, for the audit trail (1 to 256 characters). */
  readonly purpose: string;
}

/**
 * Issues sealed envelopes: a secret's current value encrypted with HPKE to one registered
 * recipient under a content key split between the envelope and a record in Secrets Manager,
 * signed with a KMS key. Expiry, the use limit, revocation and the access policy are enforced
 * when a recipient redeems, so holding an envelope is never enough. It is the recipients'
 * {@link Redeemer} in-process.
 * @example
 * const distributor = new Distributor({ secrets, signingKey: { keyId, kms }, audit });
 * distributor.registerRecipient({ principal: reportsJob, publicKey: key.publicKey });
 * const envelope = await distributor.issue('prod/billing/db', {
 *   recipient: 'reports-job', expiresIn: 15 * 60_000, maxUses: 1, purpose: 'monthly report',
 * });
 */
export class Distributor implements Redeemer {
  readonly #secrets: SecretsClient;
  readonly #signer: EnvelopeSigner;
  readonly #store: RecordStore;
  readonly #recipients = new Map<string, { principal: Principal; publicKey: Buffer }>();
  readonly #context: RedeemContext;
  readonly #now: () => number;
  readonly #audit: DistributionAudit;
  readonly #issuer: Principal | undefined;

  constructor(options: DistributorOptions) {
    if (typeof options?.secrets?.getMany !== 'function') {
      throw new ValidationError('secrets', 'secrets must be a SecretsClient (it reads what is issued).');
    }
    this.#secrets = options.secrets;
    this.#signer = new EnvelopeSigner(options.signingKey);
    this.#store = new RecordStore(
      options.secretsManager ?? options.secrets.secretsManager,
      options.recordKmsKeyId,
    );
    this.#now = options.now ?? Date.now;
    this.#audit = new DistributionAudit(options.audit, this.#now, options.logger ?? silentLogger);
    this.#issuer = options.principal;
    for (const registration of options.recipients ?? []) this.registerRecipient(registration);
    this.#context = {
      store: this.#store,
      queue: new KeyedQueue(),
      audit: this.#audit,
      policy: options.policy,
      now: this.#now,
      principalOf: (id) => this.#recipients.get(id)?.principal,
    };
  }

  /**
   * Registers (or replaces) a recipient's public key. Envelopes already issued keep the key
   * they were sealed to; a replaced key's envelopes can no longer prove possession.
   * @example
   * distributor.registerRecipient({ principal: { id: 'reports-job', service: 'reports', environment: 'prod', roles: [] }, publicKey });
   */
  registerRecipient(registration: RecipientRegistration): void {
    const principal = registration?.principal;
    if (typeof principal?.id !== 'string' || principal.id === '') {
      throw new ValidationError(
        'principal',
        `principal must be a Principal with an id, got ${show(principal)}.`,
      );
    }
    const publicKey = decodePublicKey(registration.publicKey, 'publicKey');
    this.#recipients.set(principal.id, { principal, publicKey });
  }

  /**
   * Seals the current value of `secretId` to a registered recipient. One read of the secret
   * (through `secrets`: its policy and audit apply to the issuer), one KMS Sign, one
   * CreateSecret for the record.
   * @throws ValidationError for a bad option or an unregistered recipient; the read's errors.
   * @example
   * const envelope = await distributor.issue('prod/billing/db', { recipient: 'reports-job', expiresIn: 900_000, purpose: 'report' });
   */
  async issue(secretId: string, options: IssueOptions): Promise<SealedEnvelope> {
    const id = validateSecretId(secretId, 'secretId');
    const recipientId = validateText(options?.recipient, 'recipient', 256, { required: true });
    const expiresIn = validateInteger(options.expiresIn, 'expiresIn', 1, MAX_EXPIRES_IN_MS);
    const maxUses = validateInteger(options.maxUses ?? 1, 'maxUses', 1, MAX_USES);
    const purpose = validateText(options.purpose, 'purpose', 256, { required: true });
    const recipient = this.#recipients.get(recipientId);
    if (recipient === undefined) {
      throw new ValidationError(
        'recipient',
        `recipient ${show(recipientId)} is not registered: call registerRecipient({ principal, publicKey }) first.`,
      );
    }
    const { values, errors } = await this.#secrets.getMany([id]);
    const error = errors.get(id);
    if (error !== undefined) throw error;
    const secret = values.get(id);
    if (secret === undefined)
      throw new SecretNotFoundError(`Secret ${JSON.stringify(id)} was not found.`, { secretId: id });
    if (secret.value === undefined) {
      throw new ValidationError(
        'secretId',
        `Secret ${JSON.stringify(id)} is binary; sealed distribution carries string secrets.`,
      );
    }

    const issuedAt = this.#now();
    const facts: EnvelopeFacts = {
      id: randomUUID(),
      secretName: secret.name,
      secretVersionId: secret.versionId,
      recipient: recipientId,
      recipientKey: recipientKeyFingerprint(recipient.publicKey),
      purpose,
      issuedAt,
      expiresAt: issuedAt + expiresIn,
      maxUses,
      signingKeyId: await this.#signer.keyArn(),
    };
    const header = envelopeHeader(facts);
    const keyHalf = randomBytes(32);
    const value = await hpkeSeal(
      {
        recipientPublicKey: recipient.publicKey,
        info: boundInfo(VALUE_INFO, header),
        psk: { id: Buffer.from(facts.id, 'utf8'), key: keyHalf },
      },
      Buffer.from(secret.value, 'utf8'),
      header,
    );
    const proof = await hpkeSeal(
      { recipientPublicKey: recipient.publicKey, info: boundInfo(PROOF_INFO, header) },
      undefined,
      header,
      [PROOF_EXPORT],
    );
    const body = envelopeBody(facts, { enc: value.enc, proofEnc: proof.enc, ciphertext: value.ciphertext! });
    const signature = await this.#signer.sign(body);
    const record: DistributionRecord = {
      format: 'keystage/distribution/record',
      version: 1,
      ...facts,
      secretArn: secret.arn,
      recipientPublicKey: recipient.publicKey.toString('base64url'),
      uses: 0,
      revoked: false,
      revokedReason: null,
      revokedAt: null,
      nonces: [],
      envelopeDigest: createHash('sha256').update(body).digest('hex'),
      keyHalf: keyHalf.toString('base64url'),
      proofKey: Buffer.from(proof.exported[0]!).toString('base64url'),
    };
    await this.#store.create(record);
    this.#audit.record({
      type: 'secret_distribution_issued',
      principal: this.#issuer,
      secretName: facts.secretName,
      versionId: facts.secretVersionId,
      success: true,
      reason: purpose,
      details: {
        distribution_id: facts.id,
        recipient: recipientId,
        recipient_key: facts.recipientKey,
        expires_at: new Date(facts.expiresAt).toISOString(),
        max_uses: maxUses,
      },
    });
    return assembleEnvelope(body, signature);
  }

  /**
   * Redeems one use for a recipient: see {@link Redeemer}. `Recipient.open` calls it.
   * @example
   * const recipient = new Recipient({ key, distributor, verifier });
   */
  redeem(request: RedemptionRequest): Promise<RedemptionAnswer> {
    return redeem(this.#context, request);
  }

  /**
   * Where a distribution stands: uses left, expiry, revocation. Reads the record; changes nothing.
   * @throws SecretNotFoundError when there is no such distribution.
   * @example
   * const { remainingUses, expiresAt, revoked, valid } = await distributor.validateUsage(envelope.id);
   */
  async validateUsage(id: string): Promise<DistributionUsage> {
    const stored = await this.#read(id);
    return usageOf(stored.record, this.#now());
  }

  /**
   * Revokes a distribution: no envelope of it opens again, whoever holds it. Idempotent (the
   * first reason is kept). Tags the record `keystage:status=revoked`.
   * @example
   * await distributor.revoke(envelope.id, 'laptop lost');
   */
  async revoke(id: string, reason: string): Promise<DistributionUsage> {
    const why = validateText(reason, 'reason', 256, { required: true });
    const checked = validateText(id, 'id', 64, { required: true });
    return this.#context.queue.run(checked, () => this.#revoke(checked, why));
  }

  async #revoke(id: string, why: string): Promise<DistributionUsage> {
    for (let attempt = 1; ; attempt += 1) {
      const { record, versionId } = await this.#read(id);
      const next: DistributionRecord = record.revoked
        ? record
        : { ...record, revoked: true, revokedReason: why, revokedAt: this.#now() };
      if (record.revoked || (await this.#store.swap(next, versionId))) {
        await this.#store.markRevoked(record.id);
        this.#audit.record({
          type: 'secret_distribution_revoked',
          principal: this.#issuer,
          secretName: record.secretName,
          versionId: record.secretVersionId,
          success: true,
          reason: why,
          details: {
            distribution_id: record.id,
            uses: record.uses,
            max_uses: record.maxUses,
            already_revoked: record.revoked,
          },
        });
        return usageOf(next, this.#now());
      }
      if (attempt >= MAX_SWAP_ATTEMPTS) throw lostTooOften(id);
    }
  }

  async #read(id: string) {
    const checked = validateText(id, 'id', 64, { required: true });
    const stored = /^[0-9a-f-]{36}$/.test(checked) ? await this.#store.read(checked) : undefined;
    if (stored === undefined) {
      throw new SecretNotFoundError(`There is no distribution ${JSON.stringify(checked)}.`, {
        secretId: checked,
      });
    }
    return stored;
  }

  toJSON(): { recipients: string[] } {
    return { recipients: [...this.#recipients.keys()] };
  }
}
